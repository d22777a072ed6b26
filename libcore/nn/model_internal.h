/* Engine internals shared by model.c, forward.c, block.c, decode.c and tensormap.c: where each
 * parameter sits, the projections that carry LoRA adapters, and one block's forward in two halves
 * (used by training and by cached decoding). Not part of the public API. */
#ifndef CLM_NN_MODEL_INTERNAL_H
#define CLM_NN_MODEL_INTERNAL_H

#include "nn/model.h"

/* Fill the layout of a config (sizes must be checked). */
void clm_layout_init(struct clm_layout *lay, const struct clm_gpt_config *c);

/* Index of block `l`'s parameter at offset `k`. */
static inline size_t clm_layer_param(const struct clm_gpt *m, int l, int k)
{
	return (size_t)m->lay.first_layer + (size_t)l * m->lay.per_layer + (size_t)k;
}

/* LoRA A of set s, block l, projection slot p (B is the next index). */
static inline size_t clm_lora_param(const struct clm_gpt *m, int s, int l, int p)
{
	return m->lora[s].first_param + ((size_t)l * m->lay.n_proj + (size_t)p) * 2;
}

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

/* 1 when some parameter is kept in its file encoding (the model then serves inference only). */
int clm_gpt_has_encoded(const struct clm_gpt *m);

/* Row r of a [rows][cols] parameter as f32 into out (decoded when the parameter is encoded). */
void clm_param_row(const struct clm_param *p, int64_t r, float *out);

/* Like clm_gpt_init with every parameter zero: for loading a checkpoint over it. */
int clm_gpt_alloc(struct clm_gpt *m, const struct clm_gpt_config *cfg);

/* Check a batch against the model (token ids, prefix rows, adapter sets, context length). */
int clm_gpt_check_batch(const struct clm_gpt *m, const struct clm_batch *b, int use_extras);

/* Free the activation workspace. */
void clm_gpt_work_release(struct clm_gpt_work *w);

/* One block's activations over N rows (pointers into caller-owned memory). `x` is the block
 * input, `out` its output (may equal x when x is not needed afterwards). Widths: x, ln1, mid,
 * ln2, out C; qkv clm_block_qkv_width; atty q width; fch clm_block_fch_width; fcg ffn; u
 * n_proj x N x rmax; ln*m / ln*r N each. */
struct clm_block_act {
	float *x, *ln1, *ln1m, *ln1r, *qkv, *atty, *mid, *ln2, *ln2m, *ln2r, *fch, *fcg, *out, *u;
};

/* Views of q, k and v inside a qkv (or d qkv) buffer of N rows: pointers and row strides. */
struct clm_qkv_view {
	float *q, *k, *v;
	int ldq, ldk, ldv;
};

/* Floats per row of the qkv buffer and of the MLP's hidden buffer fch. */
int clm_block_qkv_width(const struct clm_gpt_config *c);
int clm_block_fch_width(const struct clm_gpt_config *c);

/* q, k, v of a qkv buffer of N rows. */
struct clm_qkv_view clm_qkv_split(const struct clm_gpt_config *c, float *qkv, size_t N);

/* cos | sin table [N x head_dim] of the rotary embedding at positions pos[N] (RoPE models). */
void clm_rope_table(const struct clm_gpt_config *c, const int *pos, int N, float *cs);

/* Norm 1, the q/k/v projections with LoRA and RoPE (cs: table from clm_rope_table, NULL for
 * GPT-2): fills a->ln1*, a->qkv. */
void clm_block_attn_in(const struct clm_gpt *m, int l, int N, int n_ex, const int *row_off, const int *adapter,
		       const float *cs, struct clm_block_act *a);

/* Output projection, residual, norm 2, MLP, residual: from a->atty and a->x fills a->mid,
 * a->ln2*, a->fch, a->fcg and a->out. */
void clm_block_attn_out(const struct clm_gpt *m, int l, int N, int n_ex, const int *row_off, const int *adapter,
			struct clm_block_act *a);

/* Norm of `n` rows with parameters w, b (b NULL: RMSNorm, mean unused). */
void clm_norm_forward(const struct clm_gpt *m, float *y, float *mean, float *rstd, const float *x, const float *w,
		      const float *b, int n);

/* A projection of block l (slot p) applied to n rows: y = x W (+ bias). */
void clm_proj_forward(const struct clm_gpt *m, int l, int p, float *y, const float *x, int n);

#endif
