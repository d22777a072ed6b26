#include "eval/tokenize.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

/* A run of word characters (group 1), or one character that is neither a word character nor
 * Python whitespace. Explicit properties rather than \w: PCRE2 10.43 widened \w. */
static const char words_pattern[] =
	"([\\p{L}\\p{N}_]+)|[^\\p{L}\\p{N}_\\t\\n\\x{0b}\\f\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}"
	"\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]";

int clm_eval_tokenizer_init(struct clm_eval_tokenizer *tk)
{
	struct clm_symtab empty = CLM_SYMTAB_INIT;
	PCRE2_SIZE err_offset;
	int err;

	tk->syms = empty;
	clm_strbuf_init(&tk->scratch);
	clm_strbuf_init(&tk->lowered);
	tk->unicode = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	tk->match = NULL;
	tk->words = pcre2_compile((PCRE2_SPTR)words_pattern, PCRE2_ZERO_TERMINATED,
				  PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &err_offset, NULL);
	if (!tk->words)
		return clm_error_set(CLM_EGENERIC, "cannot compile the tokenizer pattern (PCRE2 error %d)", err);
	/* JIT is only a speed-up: without it (unsupported CPU, no executable memory) matching still works */
	pcre2_jit_compile(tk->words, PCRE2_JIT_COMPLETE);
	tk->match = pcre2_match_data_create_from_pattern(tk->words, NULL);
	return tk->match ? 0 : clm_error_oom();
}

void clm_eval_tokenizer_release(struct clm_eval_tokenizer *tk)
{
	clm_symtab_release(&tk->syms);
	clm_strbuf_release(&tk->scratch);
	clm_strbuf_release(&tk->lowered);
	pcre2_match_data_free(tk->match);
	pcre2_code_free(tk->words);
	tk->match = NULL;
	tk->words = NULL;
	if (tk->unicode)
		freelocale(tk->unicode);
	tk->unicode = (locale_t)0;
}

int clm_ids_push(struct clm_ids *ids, uint32_t v)
{
	if (CLM_ALLOC_GROW(ids->id, ids->n + 1, ids->alloc) < 0)
		return CLM_ENOMEM;
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

/* A letter with case (Unicode "Cased", approximated by having another case form). */
static int is_cased(const struct clm_eval_tokenizer *tk, uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
	return tk->unicode && (towlower_l((wint_t)cp, tk->unicode) != (wint_t)cp ||
			       towupper_l((wint_t)cp, tk->unicode) != (wint_t)cp);
}

/* Simple lowercase mapping of one code point (raw invalid bytes stay as they are). */
static uint32_t lower(const struct clm_eval_tokenizer *tk, uint32_t cp, size_t step)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (step == 1 || !tk->unicode)
		return cp;
	return (uint32_t)towlower_l((wint_t)cp, tk->unicode);
}

/* Append `cp` as UTF-8; an invalid input byte (decoded with step 1 as 0x80-0xFF) is copied back
 * as that byte, so invalid text passes through unchanged. */
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

/* Python's str.lower() of the line into tk->lowered, including its two special cases: capital
 * dotted I becomes "i" plus a combining dot, and capital sigma at the end of a word becomes
 * final sigma. */
static int lower_line(struct clm_eval_tokenizer *tk, const char *s)
{
	uint32_t cp, prev = 0, next;
	size_t step;
	int rc = 0;

	clm_strbuf_reset(&tk->lowered);
	for (; rc == 0 && (step = clm_utf8_next(s, &cp)); s += step, prev = cp) {
		if (cp == 0x130) {
			if ((rc = clm_strbuf_addch(&tk->lowered, 'i')) == 0)
				rc = add_utf8(&tk->lowered, 0x307, 2);
		} else if (cp == 0x3a3) {
			clm_utf8_next(s + step, &next);
			rc = add_utf8(&tk->lowered, is_cased(tk, prev) && !is_cased(tk, next) ? 0x3c2 : 0x3c3, 2);
		} else {
			rc = add_utf8(&tk->lowered, lower(tk, cp, step), step);
		}
	}
	return rc;
}

int clm_tokenize_words_puncts(struct clm_eval_tokenizer *tk, const char *line, struct clm_ids *out)
{
	PCRE2_SIZE off = 0, *ov;
	int rc;

	out->n = 0;
	if ((rc = lower_line(tk, line)) < 0)
		return rc;
	while (off < tk->lowered.len) {
		int m = pcre2_match(tk->words, (PCRE2_SPTR)tk->lowered.buf, tk->lowered.len, off, 0, tk->match, NULL);
		if (m == PCRE2_ERROR_NOMATCH)
			return 0;
		if (m < 0)
			return clm_error_set(CLM_EGENERIC, "tokenizer pattern failed (PCRE2 error %d)", m);
		ov = pcre2_get_ovector_pointer(tk->match);
		if (m > 1 && ov[2] != PCRE2_UNSET) {
			clm_strbuf_reset(&tk->scratch);
			if ((rc = clm_strbuf_add(&tk->scratch, tk->lowered.buf + ov[0], ov[1] - ov[0])) < 0 ||
			    (rc = flush_word(tk, out)) < 0)
				return rc;
		} else if ((rc = push_token(tk, tk->lowered.buf + ov[0], ov[1] - ov[0], out)) < 0) {
			return rc;
		}
		off = ov[1] > off ? ov[1] : off + 1;
	}
	return 0;
}
