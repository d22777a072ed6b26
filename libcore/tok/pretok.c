#include "tok/pretok.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <string.h>

/* Oniguruma's \s is Unicode White_Space; PCRE2's (UCP) also takes U+180E, which has not been
 * whitespace since Unicode 6.3. So \s and \S are spelled out as White_Space classes; a class that
 * holds \S keeps it and gets U+180E added (or, negated, removed). */
#define WHITE_SPACE "\\t-\\r\\x20\\x85\\xA0\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

/* Copy the character class at p[i] (i at '[') to `out` with \s spelled out; the index past it,
 * or 0 when it does not close. */
static size_t copy_class(const char *p, size_t len, size_t i, struct clm_strbuf *out)
{
	struct clm_strbuf cls = CLM_STRBUF_INIT;
	size_t start = i;
	int depth = 1, has_S = 0, negated, rc = 0;

	i++; /* past '[' */
	negated = i < len && p[i] == '^';
	i += negated;
	if (i < len && p[i] == ']')
		i++; /* a leading ']' is literal */
	rc = clm_strbuf_add(&cls, p + start, i - start);
	for (; rc == 0 && i < len && depth; i++) {
		if (p[i] == '\\' && i + 1 < len) {
			has_S |= p[i + 1] == 'S';
			rc = p[i + 1] == 's' ? clm_strbuf_addstr(&cls, WHITE_SPACE) : clm_strbuf_add(&cls, p + i, 2);
			i++;
			continue;
		}
		depth += p[i] == '[';
		depth -= p[i] == ']';
		rc = clm_strbuf_addch(&cls, p[i]);
	}
	if (rc == 0 && !depth)
		rc = !has_S ? clm_strbuf_add(out, cls.buf, cls.len)
		     : negated ? clm_strbuf_addf(out, "(?:(?!\\x{180E})%s)", cls.buf)
			       : clm_strbuf_addf(out, "(?:%s|\\x{180E})", cls.buf);
	clm_strbuf_release(&cls);
	return rc == 0 && !depth ? i : 0;
}

static int onig_to_pcre2(const char *p, size_t len, struct clm_strbuf *out)
{
	for (size_t i = 0; i < len;) {
		size_t end;
		int rc;
		if (p[i] == '\\' && i + 1 < len) {
			rc = p[i + 1] == 's'   ? clm_strbuf_addstr(out, "[" WHITE_SPACE "]")
			     : p[i + 1] == 'S' ? clm_strbuf_addstr(out, "[^" WHITE_SPACE "]")
					       : clm_strbuf_add(out, p + i, 2);
			i += 2;
		} else if (p[i] == '[' && (end = copy_class(p, len, i, out)) > 0) {
			rc = 0;
			i = end;
		} else {
			rc = clm_strbuf_addch(out, p[i++]);
		}
		if (rc < 0)
			return CLM_ENOMEM;
	}
	return 0;
}

int clm_pretok_init_pattern(struct clm_pretok *p, const char *pattern, size_t len, int literal, int anchored)
{
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	int err;
	PCRE2_SIZE off;

	struct clm_strbuf pcre = CLM_STRBUF_INIT;

	memset(p, 0, sizeof(*p));
	if (literal)
		opts = (opts & ~(uint32_t)PCRE2_UCP) | PCRE2_LITERAL; /* UCP means nothing to a literal */
	if (anchored)
		opts |= PCRE2_ANCHORED;
	if (!literal && onig_to_pcre2(pattern, len, &pcre) < 0)
		return CLM_ENOMEM;
	p->re = pcre2_compile((PCRE2_SPTR)(literal ? pattern : pcre.buf), literal ? len : pcre.len, opts, &err, &off, NULL);
	clm_strbuf_release(&pcre);
	if (!p->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return clm_error_set(CLM_EINVALID, "pre-tokenizer pattern: %s at %zu", (char *)msg, (size_t)off);
	}
	/* Without JIT support PCRE2's interpreter still gives the same pieces, only slower. */
	p->jit = pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE) == 0;
	p->anchored = anchored;
	p->match = pcre2_match_data_create_from_pattern(p->re, NULL);
	if (!p->match) {
		pcre2_code_free(p->re);
		p->re = NULL;
		return clm_error_oom();
	}
	return 0;
}

int clm_pretok_init(struct clm_pretok *p)
{
	return clm_pretok_init_pattern(p, CLM_GPT2_PATTERN, strlen(CLM_GPT2_PATTERN), 0, 1);
}

void clm_pretok_release(struct clm_pretok *p)
{
	pcre2_match_data_free(p->match);
	pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

static int run(struct clm_pretok *p, const char *text, size_t len, size_t pos)
{
	return p->jit ? pcre2_jit_match(p->re, (PCRE2_SPTR)text, len, pos, 0, p->match, NULL)
		      : pcre2_match(p->re, (PCRE2_SPTR)text, len, pos, 0, p->match, NULL);
}

int clm_pretok_next(struct clm_pretok *p, const char *text, size_t len, size_t *pos, size_t *start,
		    size_t *n)
{
	PCRE2_SIZE *ov;
	int rc;

	if (*pos >= len)
		return 0;
	rc = run(p, text, len, *pos);
	ov = pcre2_get_ovector_pointer(p->match);
	if (rc < 0 || ov[1] <= ov[0]) {
		/* The pattern matches at every valid character, so the match (anchored, which keeps a
		 * run of bad bytes linear) fails only on a byte that is not valid UTF-8. */
		*start = *pos;
		*n = 1;
		*pos += 1;
		return 1;
	}
	*start = ov[0];
	*n = ov[1] - ov[0];
	*pos = ov[1];
	return 1;
}

int clm_pretok_find(struct clm_pretok *p, const char *text, size_t len, size_t pos, size_t *start, size_t *end)
{
	while (pos < len) {
		PCRE2_SIZE *ov;
		if (run(p, text, len, pos) < 0)
			return 0;
		ov = pcre2_get_ovector_pointer(p->match);
		if (ov[1] > ov[0]) {
			*start = ov[0];
			*end = ov[1];
			return 1;
		}
		/* an empty match: look again from the next character */
		pos = ov[0] + 1;
		while (pos < len && ((unsigned char)text[pos] & 0xc0) == 0x80)
			pos++;
	}
	return 0;
}
