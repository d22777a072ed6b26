/* GPT-2's pre-tokenizer: splits text into pieces that BPE then encodes one by one, with the
 * GPT-2 pattern evaluated by PCRE2 in UTF and UCP mode. Bytes that are not valid UTF-8 never
 * match the pattern; each becomes a piece of its own, so the pieces always tile the input. */
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
};

/* Compile the GPT-2 pattern; 0 or CLM_EGENERIC with PCRE2's message. */
int clm_pretok_init(struct clm_pretok *p);

/* Free the compiled pattern. */
void clm_pretok_release(struct clm_pretok *p);

/* The next piece of text[0..len) at or after *pos: sets *start and *n, advances *pos past it and
 * returns 1; returns 0 at the end. Pieces are non-empty and tile the text in order. */
int clm_pretok_next(struct clm_pretok *p, const char *text, size_t len, size_t *pos, size_t *start,
		    size_t *n);

#endif
