/* Hugging Face tokenizers' tokenizer.json for byte-level BPE (model type BPE, ByteLevel
 * pre-tokenizer and decoder, added_tokens), as GPT-2's own file on the hub uses it. */
#ifndef CLM_TOK_HF_JSON_H
#define CLM_TOK_HF_JSON_H

#include <stddef.h>
#include "tok/bpe.h"

/* Build a finished tokenizer from tokenizer.json text. Files that ask for something this
 * tokenizer does not do (a normalizer, a prefix space, another pre-tokenizer, subword
 * prefixes, byte fallback, dropout) are rejected with a message; on failure `t` is released. */
int clm_tok_parse_hf(struct clm_tokenizer *t, const char *json, size_t len);

/* Read a tokenizer.json file and build the tokenizer. */
int clm_tok_load_hf(struct clm_tokenizer *t, const char *path);

/* Append tokenizer.json for `t` to `out`. */
int clm_tok_write_hf(const struct clm_tokenizer *t, struct clm_strbuf *out);

/* Write tokenizer.json for `t` to `path` atomically. */
int clm_tok_save_hf(const struct clm_tokenizer *t, const char *path);

#endif
