#include "data/function_texts.h"
#include "util/error.h"

#include <ctype.h>

/* Append src[s, e) with CRLF line ends turned into LF. */
static int append_text(struct clm_strbuf *sb, const char *src, uint32_t s, uint32_t e)
{
	for (uint32_t i = s; i < e; i++)
		if (!(src[i] == '\r' && i + 1 < e && src[i + 1] == '\n') && clm_strbuf_addch(sb, src[i]) < 0)
			return CLM_ENOMEM;
	return 0;
}

int clm_function_text(const char *src, const struct clm_function *f, struct clm_strbuf *out)
{
	return append_text(out, src, f->start_byte, f->end_byte);
}

int clm_generate_texts(const char *src, const struct clm_function *f, struct clm_strbuf *source,
		       struct clm_strbuf *target)
{
	int has_doc = f->doc_end > f->doc_start;
	uint32_t split = has_doc ? f->doc_end : f->body_start;

	if (append_text(source, src, has_doc ? f->start_byte : f->lead_start, split) < 0 ||
	    append_text(target, src, split, f->end_byte) < 0)
		return CLM_ENOMEM;
	return 0;
}

/* Python: the docstring statement's bytes widened to whole lines, so removing it leaves no gap. */
static void docstring_lines(const char *src, size_t len, const struct clm_function *f, uint32_t *s, uint32_t *e)
{
	*s = f->doc_start;
	while (*s > f->start_byte && (src[*s - 1] == ' ' || src[*s - 1] == '\t'))
		(*s)--;
	*e = f->doc_end;
	while (*e < len && (src[*e] == ' ' || src[*e] == '\t' || src[*e] == '\r'))
		(*e)++;
	if (*e < len && src[*e] == '\n')
		(*e)++;
}

int clm_summarize_texts(const char *src, size_t len, const struct clm_function *f, struct clm_strbuf *source,
			struct clm_strbuf *target)
{
	int rc;

	if (!f->summary)
		return 0;
	if (f->doc_end > f->doc_start) {
		uint32_t ds, de;
		docstring_lines(src, len, f, &ds, &de);
		rc = append_text(source, src, f->start_byte, ds);
		rc = rc ? rc : append_text(source, src, de, f->end_byte);
	} else {
		rc = append_text(source, src, f->start_byte, f->end_byte);
	}
	rc = rc ? rc : clm_strbuf_addstr(target, f->summary);
	return rc < 0 ? CLM_ENOMEM : 1;
}

size_t clm_approx_tokens(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		if (isalnum((unsigned char)s[i]) || s[i] == '_') {
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
				i++;
			n++;
		} else if (s[i] == '\n') {
			n++;
			i++;
		} else if (isspace((unsigned char)s[i])) {
			/* A byte-level BPE folds one space into the word after it; indentation and other
			 * runs take a token of their own. */
			size_t run = 0;
			while (i + run < len && s[i + run] != '\n' && isspace((unsigned char)s[i + run]))
				run++;
			n += run > 1;
			i += run;
		} else {
			n++;
			i++;
		}
	}
	return n;
}

int clm_text_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

int clm_text_same_but_space(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && isspace((unsigned char)a[i]))
			i++;
		while (j < blen && isspace((unsigned char)b[j]))
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (a[i++] != b[j++])
			return 0;
	}
}
