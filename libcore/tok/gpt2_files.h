/* GPT-2's own tokenizer files: vocab.json ({mapped token: id}, also shipped as encoder.json)
 * and merges.txt (optional "#version" line, then "left right" per line in rank order, also
 * shipped as vocab.bpe). Tokens that are neither a single byte nor built or used by a merge
 * (GPT-2's <|endoftext|>) are special tokens. */
#ifndef CLM_TOK_GPT2_FILES_H
#define CLM_TOK_GPT2_FILES_H

#include <stddef.h>
#include "tok/bpe.h"

/* Build a finished tokenizer from the two files' contents. On failure `t` is released and a
 * message names the file and line. */
int clm_tok_parse_gpt2(struct clm_tokenizer *t, const char *vocab_json, size_t vocab_len, const char *merges,
		       size_t merges_len);

/* Read vocab.json and merges.txt from paths and build the tokenizer. */
int clm_tok_load_gpt2(struct clm_tokenizer *t, const char *vocab_path, const char *merges_path);

/* Append the two files' contents for `t` to `vocab_json` and `merges`. */
int clm_tok_write_gpt2(const struct clm_tokenizer *t, struct clm_strbuf *vocab_json, struct clm_strbuf *merges);

#endif
