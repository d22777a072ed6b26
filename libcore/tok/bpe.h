/* BPE tokenizer, as Hugging Face tokenizers runs one. Encoding: added tokens are matched as whole
 * strings first (leftmost, longest); the text between them goes through the pipeline's
 * normalizers and pre-tokenizer (tok/pipeline.h; by default GPT-2's pattern) into pieces; each
 * piece starts as one symbol per byte (byte-level vocabularies, GPT-2 style) or per character
 * (SentencePiece style, with byte fallback or an unknown token for characters outside the
 * vocabulary), and adjacent symbols merge by rank (lowest first, leftmost on ties).
 * decode(encode(x)) == x for every byte string with byte-level and byte-fallback vocabularies.
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
#include "tok/pipeline.h"
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

/* Kinds of added tokens (clm_tok_set_token's `special`); 0 is an ordinary token. */
#define CLM_TOK_SPECIAL 1     /* a special (control) token: matched only with CLM_TOK_ALLOW_SPECIAL */
#define CLM_TOK_ADDED 2       /* an added token that is not special: always matched */
#define CLM_TOK_LSTRIP 4      /* the match takes the whitespace before it */
#define CLM_TOK_RSTRIP 8      /* the match takes the whitespace after it */
#define CLM_TOK_SINGLE_WORD 16 /* matched only where no word character touches it */
#define CLM_TOK_NORMALIZED 32 /* matched in normalized text, not in the raw input */

struct clm_tok_token {
	uint32_t off, len; /* bytes in the tokenizer's pool; len 0 while unset */
	int special;       /* 0, or CLM_TOK_SPECIAL or CLM_TOK_ADDED with options: an added token,
			    * matched only as a whole string, never built by merges */
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
	int32_t byte_id[256];         /* the token of each single byte (byte fallback: <0xXX>), or -1 */
	int byte_level;               /* symbols start as bytes (else as characters) */
	int ignore_merges;            /* a piece that is a token is that token */
	int byte_fallback;            /* characters outside the vocabulary become <0xXX> tokens */
	int fuse_unk;                 /* adjacent unknown characters become one unk_id */
	int32_t unk_id;               /* for characters outside the vocabulary, or -1 (dropped) */
	int32_t bos_id, eos_id;       /* from tokenizer_config.json or the post-processor, or -1 */
	int32_t char_id[128];         /* character mode: the token of each ASCII character, or -1 */
	char word_meta[8];            /* character mode: BPE may run word by word, each word
				       * starting at this character (no token holds it after
				       * another character, so no merge crosses there); "" if not */
	size_t word_meta_len;
	struct clm_tok_merge *merges; /* owned, in rank order */
	size_t n_merges, merges_alloc;
	struct clm_pairmap rank_of;   /* (left, right) -> rank */
	int32_t *specials;            /* owned ids of added tokens, longest first */
	size_t n_specials;
	struct clm_tok_trie added;    /* added tokens matched in the raw input */
	struct clm_tok_trie added_norm; /* ... and in normalized text */
	struct clm_tok_pipeline pipe; /* normalizers, pre-tokenizer, post-processor, decoder */
	struct clm_tok_span *dec;     /* owned decoded bytes of each id in dec_pool, or NULL when
				       * they are the token's own bytes (byte-level) */
	char *dec_pool;
	int finished;
	/* encode state: cache of piece -> ids ([count, ids...] at an offset of cache_ids) */
	struct clm_strmap cache;
	int32_t *cache_ids;
	size_t cache_len, cache_alloc;
	void *scratch; /* BPE work space, scratch_cap symbols */
	size_t scratch_cap;
	size_t *pieces_only; /* set during clm_tok_pretokenize: count pieces instead of encoding */
};

/* Allow special tokens' text in the input to become special tokens. */
#define CLM_TOK_ALLOW_SPECIAL 1
/* Add the post-processor's tokens (e.g. BOS), as Hugging Face's add_special_tokens does. */
#define CLM_TOK_ADD_SPECIAL 2

/* Start building a tokenizer with `n_tokens` ids (all unset); 0 or a negative code. */
int clm_tok_init(struct clm_tokenizer *t, size_t n_tokens);

/* Give id `id` its bytes (non-empty) and kind (0 or CLM_TOK_SPECIAL / CLM_TOK_ADDED with
 * options). Ordinary tokens must have distinct bytes; an added token may repeat an ordinary
 * token's bytes. Setting an id twice replaces it. 0 or CLM_EINVALID. */
int clm_tok_set_token(struct clm_tokenizer *t, int32_t id, const void *bytes, size_t len, int special);

/* Append the merge of `left` and `right` as the next rank; the token of their concatenated bytes
 * must exist. 0 or CLM_EINVALID with a message. */
int clm_tok_add_merge(struct clm_tokenizer *t, int32_t left, int32_t right);

/* Check that every id is set and (byte-level) every byte has a token, compile the pipeline
 * (GPT-2's when none was given) and prepare for encoding; after this the tokenizer is read-only
 * except for encoding. 0 or a negative code with a message. */
int clm_tok_finish(struct clm_tokenizer *t);

/* Free everything the tokenizer owns. */
void clm_tok_release(struct clm_tokenizer *t);

/* Append the ids of `len` bytes of `text` to `out`. flags: CLM_TOK_ALLOW_SPECIAL,
 * CLM_TOK_ADD_SPECIAL or 0. 0 or CLM_ENOMEM. */
int clm_tok_encode(struct clm_tokenizer *t, const void *text, size_t len, int flags, struct clm_tok_ids *out);

/* Everything clm_tok_encode does but BPE, counting into *pieces the pieces it would encode: the
 * baseline of encoding speed. 0 or a negative code. */
int clm_tok_pretokenize(struct clm_tokenizer *t, const void *text, size_t len, int flags, size_t *pieces);

/* Append the text of `n` ids to `out` as the tokenizer's decoder makes it (byte fallback tokens
 * give their bytes; SentencePiece's leading space of the sequence is stripped); CLM_EINVALID for
 * an id outside the vocabulary. */
int clm_tok_decode(const struct clm_tokenizer *t, const int32_t *ids, size_t n, struct clm_strbuf *out);

/* The decoded bytes of token `id` alone (no sequence-start stripping), or NULL for a bad id;
 * streaming output appends these after the first token. */
const char *clm_tok_piece(const struct clm_tokenizer *t, int32_t id, size_t *len);

/* Bytes of token `id` as the vocabulary holds them (not NUL-terminated; character mode keeps
 * SentencePiece's U+2581 and <0xXX> spellings) and their count, or NULL for a bad id. */
const char *clm_tok_bytes(const struct clm_tokenizer *t, int32_t id, size_t *len);

/* The id of the ordinary token with these bytes, or -1. */
int32_t clm_tok_lookup(const struct clm_tokenizer *t, const void *bytes, size_t len);

/* The id of the added token spelled `text` (e.g. "<|endoftext|>", "<|fim_prefix|>"), or -1. */
int32_t clm_tok_special_id(const struct clm_tokenizer *t, const char *text);

#endif
