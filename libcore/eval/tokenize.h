/* Metric tokenizers: lines to token ids, exactly as the CodeXGLUE evaluators split text. */
#ifndef CLM_EVAL_TOKENIZE_H
#define CLM_EVAL_TOKENIZE_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

#include "util/strbuf.h"
#include "util/symtab.h"

/* A growable array of token ids. */
struct clm_ids {
	uint32_t *id; /* owned */
	size_t n, alloc;
};

#define CLM_IDS_INIT { NULL, 0, 0 }

/* Tokenizer state shared by the lines of one corpus: the symbol table gives every distinct
 * token string one id, and a Unicode locale supplies Python's character classes. */
struct clm_eval_tokenizer {
	struct clm_symtab syms;
	locale_t unicode;          /* C.UTF-8, or (locale_t)0 when missing: ASCII rules only */
	struct clm_strbuf scratch; /* one lowercased token while it is built */
};

/* Prepare a tokenizer; 0 or CLM_ENOMEM. Release it with clm_eval_tokenizer_release. */
int clm_eval_tokenizer_init(struct clm_eval_tokenizer *tk);

/* Free the tokenizer's symbol table, locale and scratch space. */
void clm_eval_tokenizer_release(struct clm_eval_tokenizer *tk);

/* Append `v` to `ids`; 0 or CLM_ENOMEM. */
int clm_ids_push(struct clm_ids *ids, uint32_t v);

/* Free the array; it is empty and reusable afterwards. */
void clm_ids_release(struct clm_ids *ids);

/* Non-zero when the code point is whitespace for Python's str.split() and str.strip(). */
int clm_is_py_space(uint32_t cp);

/* Decode one UTF-8 code point at s (NUL-terminated); invalid bytes decode as themselves
 * (0x80-0xFF) one at a time. Returns the byte length (0 at the terminating NUL). */
size_t clm_utf8_next(const char *s, uint32_t *cp);

/* Python's str.split(): runs of whitespace separate tokens. Replaces out's contents. */
int clm_tokenize_whitespace(struct clm_eval_tokenizer *tk, const char *s, struct clm_ids *out);

/* The code-to-text smoothed-BLEU tokenization: lowercase, tokens matching [\w]+|[^\s\w], then
 * the NIST normalisation, whose one remaining effect is to split "_" out of words.
 * Replaces out's contents. */
int clm_tokenize_words_puncts(struct clm_eval_tokenizer *tk, const char *s, struct clm_ids *out);

#endif
