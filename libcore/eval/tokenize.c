#include "eval/tokenize.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

int clm_eval_tokenizer_init(struct clm_eval_tokenizer *tk)
{
	struct clm_symtab empty = CLM_SYMTAB_INIT;

	tk->syms = empty;
	clm_strbuf_init(&tk->scratch);
	tk->unicode = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	return 0;
}

void clm_eval_tokenizer_release(struct clm_eval_tokenizer *tk)
{
	clm_symtab_release(&tk->syms);
	clm_strbuf_release(&tk->scratch);
	if (tk->unicode)
		freelocale(tk->unicode);
	tk->unicode = (locale_t)0;
}

int clm_ids_push(struct clm_ids *ids, uint32_t v)
{
	if (ids->n == ids->alloc) {
		size_t cap = ids->alloc ? ids->alloc * 2 : 64;
		uint32_t *p = realloc(ids->id, cap * sizeof(*p));
		if (!p)
			return clm_error_oom();
		ids->id = p;
		ids->alloc = cap;
	}
	ids->id[ids->n++] = v;
	return 0;
}

void clm_ids_release(struct clm_ids *ids)
{
	free(ids->id);
	ids->id = NULL;
	ids->n = ids->alloc = 0;
}

int clm_is_py_space(uint32_t cp)
{
	return (cp >= 9 && cp <= 13) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

size_t clm_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t need, i;
	uint32_t v, min;

	if (!p[0]) {
		*cp = 0;
		return 0;
	}
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		need = 1, v = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		need = 2, v = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		need = 3, v = p[0] & 0x07, min = 0x10000;
	} else {
		*cp = p[0];
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = p[0];
			return 1;
		}
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*cp = p[0];
		return 1;
	}
	*cp = v;
	return need + 1;
}

static int push_token(struct clm_eval_tokenizer *tk, const char *s, size_t len, struct clm_ids *out)
{
	uint32_t id;
	int rc = clm_symtab_intern(&tk->syms, s, len, &id);

	return rc < 0 ? rc : clm_ids_push(out, id);
}

int clm_tokenize_whitespace(struct clm_eval_tokenizer *tk, const char *s, struct clm_ids *out)
{
	const char *start = NULL;
	uint32_t cp;
	size_t step;
	int rc;

	out->n = 0;
	for (;; s += step) {
		step = clm_utf8_next(s, &cp);
		if (step && !clm_is_py_space(cp)) {
			if (!start)
				start = s;
			continue;
		}
		if (start && (rc = push_token(tk, start, (size_t)(s - start), out)) < 0)
			return rc;
		start = NULL;
		if (!step)
			return 0;
	}
}

/* Python's \w for str patterns: Unicode letters and digits, and "_". Invalid UTF-8 bytes
 * (decoded as 0x80-0xFF) count as word characters so they stay inside their token. */
static int is_word(const struct clm_eval_tokenizer *tk, uint32_t cp, size_t step)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		       cp == '_';
	if (step == 1)
		return 1;
	return tk->unicode && iswalnum_l((wint_t)cp, tk->unicode);
}

static uint32_t lower(const struct clm_eval_tokenizer *tk, uint32_t cp, size_t step)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (step == 1 || !tk->unicode)
		return cp;
	return (uint32_t)towlower_l((wint_t)cp, tk->unicode);
}

static int add_utf8(struct clm_strbuf *sb, uint32_t cp, size_t step)
{
	char b[4];
	size_t n;

	if (step == 1 && cp >= 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x80) {
		b[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	return clm_strbuf_add(sb, b, n);
}

/* Emit the lowercased word in scratch, with every "_" as its own token (the NIST rule that
 * spaces out "_" runs after the word/punctuation split). */
static int flush_word(struct clm_eval_tokenizer *tk, struct clm_ids *out)
{
	const char *w = tk->scratch.buf;
	size_t len = tk->scratch.len, start = 0;
	int rc;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && w[i] != '_')
			continue;
		if (i > start && (rc = push_token(tk, w + start, i - start, out)) < 0)
			return rc;
		if (i < len && (rc = push_token(tk, "_", 1, out)) < 0)
			return rc;
		start = i + 1;
	}
	clm_strbuf_reset(&tk->scratch);
	return 0;
}

int clm_tokenize_words_puncts(struct clm_eval_tokenizer *tk, const char *s, struct clm_ids *out)
{
	uint32_t cp;
	size_t step;
	int rc;

	out->n = 0;
	clm_strbuf_reset(&tk->scratch);
	for (;; s += step) {
		step = clm_utf8_next(s, &cp);
		if (step && is_word(tk, cp, step)) {
			if ((rc = add_utf8(&tk->scratch, lower(tk, cp, step), step)) < 0)
				return rc;
			continue;
		}
		if (tk->scratch.len && (rc = flush_word(tk, out)) < 0)
			return rc;
		if (!step)
			return 0;
		if (clm_is_py_space(cp))
			continue;
		clm_strbuf_reset(&tk->scratch);
		if ((rc = add_utf8(&tk->scratch, lower(tk, cp, step), step)) < 0 ||
		    (rc = push_token(tk, tk->scratch.buf, tk->scratch.len, out)) < 0)
			return rc;
		clm_strbuf_reset(&tk->scratch);
	}
}
