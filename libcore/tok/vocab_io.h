/* Shared pieces of the vocabulary file formats (tokenizer.json, vocab.json + merges.txt):
 * vocabularies as JSON objects of mapped strings, merges as pairs of mapped strings. */
#ifndef CLM_TOK_VOCAB_IO_H
#define CLM_TOK_VOCAB_IO_H

#include <jansson.h>
#include "tok/bpe.h"

/* Initialise `t` from a JSON object {token: id} (tokens in GPT-2's byte mapping when `mapped`,
 * else raw UTF-8) plus optional HF added_tokens (an array of {id, content, special, lstrip,
 * rstrip, single_word, normalized} or NULL; their ids may lie inside or beyond the object's ids,
 * and their raw content wins). Ids must be dense. Messages name `what`. t is initialised even on
 * failure. */
int clm_tok_vocab_from_json(struct clm_tokenizer *t, const json_t *vocab, const json_t *added, int mapped,
			    const char *what);

/* Add the merge of two mapped strings as the next rank; `where` names the line or index. */
int clm_tok_add_mapped_merge(struct clm_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen,
			     const char *what, size_t where);

/* The same for two strings that are mapped (`mapped`) or raw UTF-8. */
int clm_tok_add_text_merge(struct clm_tokenizer *t, int mapped, const char *a, size_t alen, const char *b, size_t blen,
			   const char *what, size_t where);

/* A new JSON object {mapped token (raw content for special tokens): id} in id order. NULL with
 * a message when a special token's text is not UTF-8 or collides with a mapped token. */
json_t *clm_tok_vocab_to_json(const struct clm_tokenizer *t);

/* Append merge `rank` as "left right" in mapped form to `out`. */
int clm_tok_merge_to_mapped(const struct clm_tokenizer *t, size_t rank, struct clm_strbuf *out);

/* Serialize a JSON value keeping object insertion order (id order for vocabularies), with
 * two-space indentation and raw UTF-8. */
int clm_tok_json_dump(const json_t *value, struct clm_strbuf *out);

#endif
