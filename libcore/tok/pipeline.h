/* What a Hugging Face tokenizer does around its BPE model, compiled for encoding and decoding:
 * the normalizers (NFC/NFKC/NFD/NFKD through ICU, Prepend, Replace), the pre-tokenizer (Split
 * patterns in sequence, GPT-2's ByteLevel pattern, Metaspace), the post-processor's tokens around
 * a sequence (TemplateProcessing), the decoder's options, and a trie of added tokens. tok/bpe.c
 * runs it; tok/hf_json.c builds it from tokenizer.json. */
#ifndef CLM_TOK_PIPELINE_H
#define CLM_TOK_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include "tok/pretok.h"
#include "util/strbuf.h"

struct clm_tok_span {
	uint32_t off, len;
};

/* ---- added tokens: a byte trie, longest match at a position */

struct clm_tok_trie_node {
	uint32_t child, sibling; /* node indexes, 0 for none (node 0 is never a child) */
	int32_t id;              /* the token ending here, or -1 */
	unsigned char byte;
	unsigned char special;   /* the token is a special one (gated by CLM_TOK_ALLOW_SPECIAL) */
};

struct clm_tok_trie {
	struct clm_tok_trie_node *nodes; /* owned; nodes[0] is a placeholder */
	size_t n, alloc;
	uint32_t first[256]; /* node of each first byte, 0 for none */
};

/* Add `len` bytes (non-empty) as token `id`; the first token added for a string wins. 0 or
 * CLM_ENOMEM. */
int clm_tok_trie_add(struct clm_tok_trie *tr, const void *s, size_t len, int32_t id, int special);

/* The longest token that text[0..len) starts with (special ones only when `allow_special`): its
 * id with *mlen set, or -1. */
int32_t clm_tok_trie_longest(const struct clm_tok_trie *tr, const unsigned char *text, size_t len,
			     int allow_special, size_t *mlen);

/* Free the trie. */
void clm_tok_trie_release(struct clm_tok_trie *tr);

/* ---- the pipeline */

enum clm_tok_norm_kind {
	CLM_TOK_NORM_NFC,
	CLM_TOK_NORM_NFD,
	CLM_TOK_NORM_NFKC,
	CLM_TOK_NORM_NFKD,
	CLM_TOK_NORM_PREPEND, /* `to` before a non-empty text */
	CLM_TOK_NORM_REPLACE, /* every `from` by `to` */
};

struct clm_tok_norm {
	enum clm_tok_norm_kind kind;
	char *from, *to; /* owned */
	size_t from_len, to_len;
};

/* What a Split does with the pieces its pattern matches (Hugging Face's SplitDelimiterBehavior). */
enum clm_tok_split_behavior {
	CLM_TOK_SPLIT_ISOLATED,   /* matches and the text between are pieces */
	CLM_TOK_SPLIT_REMOVED,    /* matches are dropped */
	CLM_TOK_SPLIT_MERGED_WITH_PREVIOUS,
	CLM_TOK_SPLIT_MERGED_WITH_NEXT,
};

struct clm_tok_split {
	struct clm_pretok re; /* anchored: GPT-2's pattern, pieces tile the text (ByteLevel) */
	enum clm_tok_split_behavior behavior;
};

/* Metaspace's prepend_scheme. */
enum clm_tok_prepend { CLM_TOK_PREPEND_NEVER, CLM_TOK_PREPEND_FIRST, CLM_TOK_PREPEND_ALWAYS };

struct clm_tok_pipeline {
	int configured; /* set by the loader; otherwise clm_tok_finish gives GPT-2's pipeline */
	struct clm_tok_norm *norms; /* owned, applied in order */
	size_t n_norms, norms_alloc;
	int metaspace;              /* a Metaspace pre-tokenizer runs before the splits */
	char meta[8];               /* its replacement character (UTF-8) */
	size_t meta_len;
	enum clm_tok_prepend meta_prepend;
	int meta_split;             /* split before each replacement character */
	struct clm_tok_split *splits; /* owned, applied in sequence */
	size_t n_splits, splits_alloc;
	int32_t *prefix, *suffix;   /* owned: ids the post-processor puts around a sequence */
	size_t n_prefix, n_suffix, prefix_alloc, suffix_alloc;
	char dec_meta[8];           /* decoder: this character reads as a space (empty: none) */
	size_t dec_meta_len;
	int dec_meta_first;         /* decoder (Metaspace): ... but the first token's are dropped */
	int dec_bytes;              /* decoder (ByteFallback): <0xXX> tokens read as their byte */
	size_t dec_strip;           /* decoder (Strip): leading spaces dropped from a decoded sequence */
	struct clm_strbuf norm_buf, meta_buf; /* encode scratch */
};

/* Append a normalizer (strings copied); 0 or CLM_ENOMEM. */
int clm_tok_pipeline_add_norm(struct clm_tok_pipeline *p, enum clm_tok_norm_kind kind, const char *from,
			      size_t from_len, const char *to, size_t to_len);

/* Append a split step with `pattern` (a regular expression, or a literal string when `literal`);
 * anchored is for GPT-2's pattern only. 0 or CLM_EINVALID with PCRE2's message. */
int clm_tok_pipeline_add_split(struct clm_tok_pipeline *p, const char *pattern, size_t len, int literal,
			       int anchored, enum clm_tok_split_behavior behavior);

/* Append ids to the prefix (`suffix` 0) or suffix; 0 or CLM_ENOMEM. */
int clm_tok_pipeline_add_template(struct clm_tok_pipeline *p, int suffix, int32_t id);

/* Run the normalizers on `len` bytes of `text` into `out` (replacing its content). Bytes that are
 * not valid UTF-8 pass through unchanged. 0 or a negative code with a message. */
int clm_tok_pipeline_normalize(const struct clm_tok_pipeline *p, const char *text, size_t len, struct clm_strbuf *out);

/* Append `len` bytes of `s` to `out` with every `from` (non-empty) replaced by `to`; 0 or
 * CLM_ENOMEM. */
int clm_tok_replace(const char *s, size_t len, const char *from, size_t from_len, const char *to, size_t to_len,
		    struct clm_strbuf *out);

/* Free everything the pipeline owns. */
void clm_tok_pipeline_release(struct clm_tok_pipeline *p);

/* The length of the valid UTF-8 character at text[0..len), or 0 when it is not one. */
size_t clm_utf8_char_len(const unsigned char *text, size_t len);

#endif
