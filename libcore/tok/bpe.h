/* Byte-level BPE tokenizer (GPT-2 style): GPT-2's pre-tokenizer splits text into pieces, each
 * piece starts as one token per byte, and adjacent tokens merge by rank (lowest first). Special
 * tokens are matched as whole strings before pre-tokenization when the caller allows them.
 * decode(encode(x)) == x for every byte string.
 *
 * Build one with clm_tok_init, clm_tok_set_token for every id, clm_tok_add_merge in rank order,
 * then clm_tok_finish; or load one (tok/hf_json.h, tok/gpt2_files.h), or train one
 * (tok/train.h). Encoding uses a cache and scratch space inside the tokenizer, so one tokenizer
 * must not encode from two threads at once; decoding and lookups are read-only. */
#ifndef CLM_TOK_BPE_H
#define CLM_TOK_BPE_H

#include <stddef.h>
#include <stdint.h>
#include "tok/pairmap.h"
#include "tok/pretok.h"
#include "tok/strmap.h"
#include "util/strbuf.h"

/* Hard cap on vocabulary sizes we accept from files. */
#define CLM_TOK_MAX_VOCAB (1 << 22)

/* A growable array of token ids. */
struct clm_tok_ids {
	int32_t *v; /* owned */
	size_t n, alloc;
};
#define CLM_TOK_IDS_INIT { NULL, 0, 0 }

/* Append one id; 0 or CLM_ENOMEM. */
int clm_tok_ids_push(struct clm_tok_ids *ids, int32_t id);

/* Free the array and leave it empty. */
void clm_tok_ids_release(struct clm_tok_ids *ids);

struct clm_tok_token {
	uint32_t off, len; /* bytes in the tokenizer's pool; len 0 while unset */
	int special;       /* matched only as a whole string, never built by merges */
};

struct clm_tok_merge {
	int32_t left, right, result; /* the merge of rank i is merges[i] */
};

struct clm_tokenizer {
	struct clm_tok_token *tokens; /* owned; index = id */
	size_t n_tokens;
	char *pool;                   /* owned token bytes */
	size_t pool_len, pool_alloc;
	struct clm_strmap by_bytes;   /* bytes of every ordinary token -> id */
	int32_t byte_id[256];         /* the token of each single byte */
	struct clm_tok_merge *merges; /* owned, in rank order */
	size_t n_merges, merges_alloc;
	struct clm_pairmap rank_of;   /* (left, right) -> rank */
	int32_t *specials;            /* owned ids of special tokens, longest first */
	size_t n_specials;
	struct clm_pretok pretok;
	int finished;
	/* encode state: cache of piece -> ids ([count, ids...] at an offset of cache_ids) */
	struct clm_strmap cache;
	int32_t *cache_ids;
	size_t cache_len, cache_alloc;
	void *scratch; /* BPE work space, scratch_cap symbols */
	size_t scratch_cap;
};

/* Allow special tokens' text in the input to become special tokens. */
#define CLM_TOK_ALLOW_SPECIAL 1

/* Start building a tokenizer with `n_tokens` ids (all unset); 0 or a negative code. */
int clm_tok_init(struct clm_tokenizer *t, size_t n_tokens);

/* Give id `id` its bytes (non-empty). Ordinary tokens must have distinct bytes; a special token
 * may repeat an ordinary token's bytes. Setting an id twice replaces it. 0 or CLM_EINVALID. */
int clm_tok_set_token(struct clm_tokenizer *t, int32_t id, const void *bytes, size_t len, int special);

/* Append the merge of `left` and `right` as the next rank; the token of their concatenated bytes
 * must exist. 0 or CLM_EINVALID with a message. */
int clm_tok_add_merge(struct clm_tokenizer *t, int32_t left, int32_t right);

/* Check that every id is set and every byte has a token, and prepare for encoding; after this
 * the tokenizer is read-only except for encoding. 0 or a negative code with a message. */
int clm_tok_finish(struct clm_tokenizer *t);

/* Free everything the tokenizer owns. */
void clm_tok_release(struct clm_tokenizer *t);

/* Append the ids of `len` bytes of `text` to `out`. flags: CLM_TOK_ALLOW_SPECIAL or 0.
 * 0 or CLM_ENOMEM. */
int clm_tok_encode(struct clm_tokenizer *t, const void *text, size_t len, int flags, struct clm_tok_ids *out);

/* Append the bytes of `n` ids to `out`; CLM_EINVALID for an id outside the vocabulary. */
int clm_tok_decode(const struct clm_tokenizer *t, const int32_t *ids, size_t n, struct clm_strbuf *out);

/* Bytes of token `id` (not NUL-terminated) and their count, or NULL for a bad id. */
const char *clm_tok_bytes(const struct clm_tokenizer *t, int32_t id, size_t *len);

/* The id of the ordinary token with these bytes, or -1. */
int32_t clm_tok_lookup(const struct clm_tokenizer *t, const void *bytes, size_t len);

/* The id of the special token spelled `text` (e.g. "<|endoftext|>"), or -1. */
int32_t clm_tok_special_id(const struct clm_tokenizer *t, const char *text);

#endif
