/* Text generation from a model: incremental decoding with a key/value cache (batch 1 or several
 * sequences at once), greedy, temperature, top-k and top-p sampling from a seed, beam search with a
 * length penalty, stop tokens and a length cap. Soft-prompt prefixes and LoRA sets are honoured. */
#ifndef CLM_NN_GENERATE_H
#define CLM_NN_GENERATE_H

#include <stdint.h>
#include "nn/model.h"

struct clm_gen_config {
	int max_new_tokens;     /* length cap on generated tokens (also bounded by n_positions) */
	float temperature;      /* <= 0: greedy (argmax) */
	int top_k;              /* > 0: sample only among the k most likely tokens */
	float top_p;            /* in (0, 1): nucleus sampling; >= 1 disables */
	uint64_t seed;          /* sampling seed; each request r uses seed + r */
	int beam_width;         /* > 1: beam search (deterministic; ignores the sampling fields) */
	float length_penalty;   /* beam score = sum log p / len^length_penalty (1.0 typical) */
	const int32_t *stop;    /* tokens that end a sequence (not included in the output); not owned */
	int n_stop;
	int no_cache;           /* 1: recompute the whole sequence at every step (for tests) */
	/* Sampling (not beam search) calls this, when set, after choosing each token of request `req`,
	 * with the logits row it was chosen from (V values, before temperature): streaming, top-k
	 * log-probabilities. A stop token is reported too. */
	void (*on_token)(void *arg, int req, const float *logits, int vocab, int32_t tok);
	void *on_token_arg;
};

/* Defaults: 64 new tokens, greedy, no top-k/top-p, seed 0, beam 1, length penalty 1, no stops. */
void clm_gen_defaults(struct clm_gen_config *c);

struct clm_gen_request {
	const int32_t *prompt;     /* input tokens (at least 1); not owned */
	int n_prompt;
	const int32_t *prefix_ids; /* soft-prompt table rows prepended before the prompt; may be NULL */
	int n_prefix;
	int adapter;               /* LoRA set index, -1 none */
	int32_t *out;              /* result: generated tokens only; owned by the caller after the call (free) */
	int n_out;
	float score;               /* sum of log-probabilities of the generated tokens (beam: penalised score) */
};

/* Generate for `n` requests at once (one batched cached forward per step); fills each request's
 * out/n_out/score. A prompt longer than the context is cut from the left. 0 or a negative code
 * (on error no request owns memory). */
int clm_generate(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *reqs, int n);

/* The key/value cache behind clm_generate, for callers that drive decoding themselves. */
struct clm_kv_cache {
	int n_seq;    /* sequences */
	int cap;      /* positions per sequence (<= n_positions) */
	int *len;     /* n_seq filled positions */
	float *k, *v; /* [n_layer][n_seq][cap][n_embd] each; owned */
};

/* Allocate a cache for `n_seq` sequences of up to `cap` positions. 0 or a negative code. */
int clm_kv_cache_init(struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int n_seq, int cap);

/* Free the cache. */
void clm_kv_cache_release(struct clm_kv_cache *kv);

/* Copy sequence `src`'s cache onto sequence `dst` (beam reordering). */
void clm_kv_cache_copy(struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int dst, int src);

/* Append new positions to sequences and return next-token logits: for each i < n_seq_step
 * (seq[] strictly increasing), sequence seq[i] gets prefix rows prefix_ids[prefix_off[i]..prefix_off[i+1]) then tokens
 * tokens[tok_off[i]..tok_off[i+1]) (prefix_off may be NULL), with LoRA set adapter[i] (NULL: none);
 * logits[i * V ...] receive the logits after its last new position. 0 or a negative code. */
int clm_gpt_decode(struct clm_gpt *m, struct clm_kv_cache *kv, int n_seq_step, const int *seq,
		   const int *prefix_off, const int32_t *prefix_ids, const int *tok_off, const int32_t *tokens,
		   const int *adapter, float *logits);

#endif
