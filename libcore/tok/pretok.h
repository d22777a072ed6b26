/* Pre-tokenizer regular expressions, evaluated by PCRE2 in UTF and UCP mode (its \s, \p{L},
 * \p{N} and case folding agree with the Oniguruma patterns of Hugging Face tokenizers; PCRE2's
 * \s also takes U+0085 like Oniguruma's White_Space). Bytes that are not valid UTF-8 never match.
 *
 * Two ways to use a pattern: anchored (GPT-2's, which matches at every valid character: pieces
 * follow one another, and each invalid byte becomes a piece of its own, so the pieces always tile
 * the input), or searched (any Split pattern: clm_pretok_find gives the next match). */
#ifndef CLM_TOK_PRETOK_H
#define CLM_TOK_PRETOK_H

#include <stddef.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* The GPT-2 pattern, as tokenizer.json and tiktoken's r50k_base spell it. */
#define CLM_GPT2_PATTERN \
	"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

struct clm_pretok {
	pcre2_code *re;          /* owned */
	pcre2_match_data *match; /* owned; makes a pretokenizer single-threaded */
	int jit;                 /* the pattern was JIT-compiled */
	int anchored;            /* compiled for clm_pretok_next */
};

/* Compile the GPT-2 pattern for clm_pretok_next; 0 or CLM_EGENERIC with PCRE2's message. */
int clm_pretok_init(struct clm_pretok *p);

/* Compile `len` bytes of `pattern` (literally when `literal`), anchored for clm_pretok_next or
 * not for clm_pretok_find; 0 or CLM_EINVALID with PCRE2's message. */
int clm_pretok_init_pattern(struct clm_pretok *p, const char *pattern, size_t len, int literal, int anchored);

/* Free the compiled pattern. */
void clm_pretok_release(struct clm_pretok *p);

/* The next piece of text[0..len) at or after *pos: sets *start and *n, advances *pos past it and
 * returns 1; returns 0 at the end. Pieces are non-empty and tile the text in order. */
int clm_pretok_next(struct clm_pretok *p, const char *text, size_t len, size_t *pos, size_t *start,
		    size_t *n);

/* The first non-empty match in text[0..len) that starts at or after `pos` (the whole text is the
 * subject, so lookarounds see it all): sets *start and *end and returns 1, or returns 0. */
int clm_pretok_find(struct clm_pretok *p, const char *text, size_t len, size_t pos, size_t *start, size_t *end);

#endif
