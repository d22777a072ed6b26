/* Metric tokenizers: lines to token ids, exactly as the CodeXGLUE evaluators split text. */
#ifndef CLM_EVAL_TOKENIZE_H
#define CLM_EVAL_TOKENIZE_H

#include <locale.h>
#include <stddef.h>
#include <stdint.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include "util/strbuf.h"
#include "util/symtab.h"

/* A growable array of token ids. */
struct clm_ids {
	uint32_t *id; /* owned */
	size_t n, alloc;
};

#define CLM_IDS_INIT { NULL, 0, 0 }

/* Tokenizer state shared by the lines of one corpus: the symbol table gives every distinct
 * token string one id, PCRE2's Unicode properties give Python's \w, and a Unicode locale
 * gives lowercase. */
struct clm_eval_tokenizer {
	struct clm_symtab syms;
	pcre2_code *words;         /* a word or one other non-space character */
	pcre2_match_data *match;
	locale_t unicode;          /* C.UTF-8, or (locale_t)0 when missing: ASCII lowercase only */
	struct clm_strbuf scratch; /* one word while it is built */
	struct clm_strbuf lowered; /* the lowercased line */
};

/* Prepare a tokenizer; 0 or a negative code. Release it with clm_eval_tokenizer_release, also
 * after a failed init. */
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
 * the NIST normalisation, whose one remaining effect is to split "_" out of words. Python's \w
 * is taken as Unicode letters, numbers and "_"; invalid UTF-8 (which Python would refuse to
 * read) is skipped. Replaces out's contents. */
int clm_tokenize_words_puncts(struct clm_eval_tokenizer *tk, const char *s, struct clm_ids *out);

#endif
