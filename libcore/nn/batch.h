/* Training and inference batches: variable-length examples packed one after another (no padding
 * rows are ever computed), each with per-token loss weights, an optional soft-prompt prefix (rows
 * of the model's prompt table, prepended to the input embeddings) and an optional LoRA adapter
 * set. Inside the model, example b occupies positions 0 .. prefix_len(b) + len(b) - 1. */
#ifndef CLM_NN_BATCH_H
#define CLM_NN_BATCH_H

#include <stdint.h>

struct clm_batch {
	int n;               /* examples */
	int *tok_off;        /* n + 1 offsets into tokens/weight; example b is [tok_off[b], tok_off[b+1]) */
	int32_t *tokens;     /* token ids, packed */
	float *weight;       /* loss weight of predicting tokens[i] from the tokens before it (first token of an example: ignored) */
	int *prefix_off;     /* n + 1 offsets into prefix_ids */
	int32_t *prefix_ids; /* soft-prompt table rows, packed (empty when no example has a prefix) */
	int *adapter;        /* n adapter-set indices, -1 = none */
	long long truncated; /* source tokens cut from the left by clm_batch_add_pair since the last clear */
	int tok_alloc, ex_alloc, prefix_alloc;
};

/* An empty batch. All memory is owned by the batch; release with clm_batch_release. */
#define CLM_BATCH_INIT { 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0 }

/* Append an example: `len` tokens with loss weights `weight` (NULL: 1 for every token), a prefix
 * of `n_prefix` prompt-table rows (may be 0/NULL) and adapter set `adapter` (-1 none). Copies
 * everything. 0, CLM_EINVALID (len < 1) or CLM_ENOMEM. */
int clm_batch_add(struct clm_batch *b, const int32_t *tokens, int len, const float *weight,
		  const int32_t *prefix_ids, int n_prefix, int adapter);

/* Append "source then target": only target tokens carry loss weight 1. When n_prefix + n_source
 * + n_target exceeds `max_positions`, source tokens are cut from the left (counted in
 * b->truncated); if the prefix plus target alone do not fit, the target's end is cut as well.
 * Returns the number of tokens cut (>= 0) or a negative code. */
int clm_batch_add_pair(struct clm_batch *b, const int32_t *source, int n_source, const int32_t *target,
		       int n_target, const int32_t *prefix_ids, int n_prefix, int adapter, int max_positions);

/* Number of tokens of example `i` (without prefix). */
int clm_batch_len(const struct clm_batch *b, int i);

/* Number of soft-prompt rows of example `i`. */
int clm_batch_prefix_len(const struct clm_batch *b, int i);

/* Forget all examples (and the truncation count), keeping memory for reuse. */
void clm_batch_clear(struct clm_batch *b);

/* Free the batch's memory and leave it empty. */
void clm_batch_release(struct clm_batch *b);

#endif
