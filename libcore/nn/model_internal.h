/* Engine internals shared by model.c, forward.c, generate.c and tensormap.c: parameter indices
 * and the per-example LoRA application. Not part of the public API. */
#ifndef CLM_NN_MODEL_INTERNAL_H
#define CLM_NN_MODEL_INTERNAL_H

#include "nn/model.h"

/* Per-block parameters, in the order of the block's 12 entries in params[]. */
enum {
	P_LN1_W, P_LN1_B, P_QKV_W, P_QKV_B, P_AO_W, P_AO_B,
	P_LN2_W, P_LN2_B, P_FC_W, P_FC_B, P_FP_W, P_FP_B,
	P_PER_LAYER
};

/* The four projections that carry LoRA adapters. */
enum { PROJ_QKV, PROJ_AO, PROJ_FC, PROJ_FP, PROJ_COUNT };

#define P_WTE 0
#define P_WPE 1

/* Index of block `l`'s parameter `k`. */
static inline size_t clm_layer_param(int l, int k)
{
	return 2 + (size_t)l * P_PER_LAYER + (size_t)k;
}

/* Index of ln_f.weight (ln_f.bias follows). */
static inline size_t clm_lnf_param(const struct clm_gpt_config *c)
{
	return 2 + (size_t)c->n_layer * P_PER_LAYER;
}

/* LoRA A of set s, block l, projection p (B is the next index). */
static inline size_t clm_lora_param(const struct clm_gpt *m, int s, int l, int p)
{
	return m->lora[s].first_param + ((size_t)l * PROJ_COUNT + (size_t)p) * 2;
}

/* Input and output widths of projection p. */
void clm_proj_dims(const struct clm_gpt_config *c, int p, int *in, int *out);

/* Largest LoRA rank among the sets (0 without sets). */
int clm_lora_max_rank(const struct clm_gpt *m);

/* y[rows] += LoRA(x[rows]) for every run of examples with an adapter: rows of example e are
 * [row_off[e], row_off[e+1]); u receives x A (per row, rmax wide) for the backward. */
void clm_lora_forward(const struct clm_gpt *m, int l, int p, int n_ex, const int *row_off, const int *adapter,
		      const float *x, float *y, float *u);

/* Backward of clm_lora_forward: dx += ..., and the A/B gradients of trainable sets; du is scratch
 * of rows x rmax floats. */
void clm_lora_backward(struct clm_gpt *m, int l, int p, int n_ex, const int *row_off, const int *adapter,
		       const float *x, const float *u, const float *dy, float *dx, float *du);

/* Like clm_gpt_init with every parameter zero: for loading a checkpoint over it. */
int clm_gpt_alloc(struct clm_gpt *m, const struct clm_gpt_config *cfg);

/* Check a batch against the model (token ids, prefix rows, adapter sets, context length). */
int clm_gpt_check_batch(const struct clm_gpt *m, const struct clm_batch *b, int use_extras);

/* Free the activation workspace. */
void clm_gpt_work_release(struct clm_gpt_work *w);

#endif
