/* One transformer block's forward for every architecture, in the two halves around attention that
 * training (forward.c) and cached decoding (decode.c) share: norm, q/k/v projections, rotary
 * embedding; then output projection, residual, norm, MLP (gelu or SwiGLU), residual. The layout
 * (model.c) says which projections a block has and how their weights are stored. */
#include "nn/model_internal.h"
#include "nn/ops.h"

#include <math.h>
#include <string.h>

int clm_block_qkv_width(const struct clm_gpt_config *c)
{
	return clm_cfg_q_width(c) + 2 * clm_cfg_kv_width(c);
}

int clm_block_fch_width(const struct clm_gpt_config *c)
{
	return (c->arch == CLM_ARCH_LLAMA || c->arch == CLM_ARCH_QWEN2 ? 2 : 1) * clm_cfg_ffn(c);
}

struct clm_qkv_view clm_qkv_split(const struct clm_gpt_config *c, float *qkv, size_t N)
{
	int Q = clm_cfg_q_width(c), K = clm_cfg_kv_width(c);

	if (c->arch == CLM_ARCH_GPT2) /* fused c_attn: [q k v] in each row */
		return (struct clm_qkv_view){ qkv, qkv + Q, qkv + Q + K, Q + 2 * K, Q + 2 * K, Q + 2 * K };
	/* separate projections: q rows, then k rows, then v rows */
	return (struct clm_qkv_view){ qkv, qkv + N * Q, qkv + N * (Q + K), Q, K, K };
}

/* inv_freq[j] = theta^(-2j/hd), then the config's scaling (linear: / factor; llama3: by wavelength,
 * long wavelengths / factor, short ones kept, a smooth blend between). */
static void rope_inv_freq(const struct clm_gpt_config *c, float *inv_freq)
{
	int hd = clm_cfg_head_dim(c);
	double lo_wl = 0, hi_wl = 0;

	if (c->rope_type == CLM_ROPE_LLAMA3) {
		lo_wl = c->rope_original_max_positions / (double)c->rope_low_freq_factor;
		hi_wl = c->rope_original_max_positions / (double)c->rope_high_freq_factor;
	}
	for (int j = 0; j < hd / 2; j++) {
		double f = 1.0 / pow((double)c->rope_theta, 2.0 * j / hd);
		if (c->rope_type == CLM_ROPE_LINEAR) {
			f /= c->rope_factor;
		} else if (c->rope_type == CLM_ROPE_LLAMA3) {
			double wl = 2.0 * M_PI / f;
			if (wl > lo_wl) {
				f /= c->rope_factor;
			} else if (wl >= hi_wl) {
				double s = (c->rope_original_max_positions / wl - c->rope_low_freq_factor) /
					   (c->rope_high_freq_factor - c->rope_low_freq_factor);
				f = (1.0 - s) * f / c->rope_factor + s * f;
			}
		}
		inv_freq[j] = (float)f;
	}
}

void clm_rope_table(const struct clm_gpt_config *c, const int *pos, int N, float *cs)
{
	float inv_freq[2048];
	int hd = clm_cfg_head_dim(c);

	rope_inv_freq(c, inv_freq);
	clm_rope_angles(cs, pos, N, inv_freq, hd);
}

void clm_norm_forward(const struct clm_gpt *m, float *y, float *mean, float *rstd, const float *x, const float *w,
		      const float *b, int n)
{
	if (b)
		clm_layernorm_forward(y, mean, rstd, x, w, b, n, m->cfg.n_embd, m->cfg.layer_norm_epsilon);
	else
		clm_rmsnorm_forward(y, rstd, x, w, n, m->cfg.n_embd, m->cfg.layer_norm_epsilon);
}

static const float *bw(const struct clm_gpt *m, int l, int k)
{
	return k >= 0 ? m->params[clm_layer_param(m, l, k)].w : NULL;
}

void clm_proj_forward(const struct clm_gpt *m, int l, int p, float *y, const float *x, int n)
{
	const struct clm_proj *pr = &m->lay.proj[p];
	const struct clm_param *w = &m->params[clm_layer_param(m, l, pr->w)];
	const float *b = bw(m, l, pr->b);

	if (w->q.data) { /* kept in its file encoding: [out][in] like nn.Linear */
		clm_qmat_mul(&w->q, x, n, y);
		for (int i = 0; b && i < n; i++)
			for (int j = 0; j < pr->out; j++)
				y[(size_t)i * pr->out + j] += b[j];
	} else if (pr->hf)
		clm_linear_hf_forward(y, x, bw(m, l, pr->w), bw(m, l, pr->b), n, pr->in, pr->out);
	else
		clm_linear_forward(y, x, bw(m, l, pr->w), bw(m, l, pr->b), n, pr->in, pr->out);
}

/* Projection p with its LoRA sets; u is the block's LoRA scratch (slot p's part is used). */
static void proj_lora(const struct clm_gpt *m, int l, int p, float *y, const float *x, int N, int n_ex,
		      const int *row_off, const int *adapter, float *u)
{
	clm_proj_forward(m, l, p, y, x, N);
	clm_lora_forward(m, l, p, n_ex, row_off, adapter, x, y, u ? u + (size_t)p * N * clm_lora_max_rank(m) : NULL);
}

void clm_block_attn_in(const struct clm_gpt *m, int l, int N, int n_ex, const int *row_off, const int *adapter,
		       const float *cs, struct clm_block_act *a)
{
	const struct clm_layout *lay = &m->lay;
	struct clm_qkv_view v = clm_qkv_split(&m->cfg, a->qkv, (size_t)N);
	int hd = clm_cfg_head_dim(&m->cfg);

	clm_norm_forward(m, a->ln1, a->ln1m, a->ln1r, a->x, bw(m, l, lay->ln1_w), bw(m, l, lay->ln1_b), N);
	for (int p = 0; p < lay->n_proj; p++) {
		enum clm_proj_role r = lay->proj[p].role;
		float *y = r == R_QKV || r == R_Q ? v.q : r == R_K ? v.k : r == R_V ? v.v : NULL;
		if (y)
			proj_lora(m, l, p, y, a->ln1, N, n_ex, row_off, adapter, a->u);
	}
	if (cs) {
		clm_rope_forward(v.q, v.ldq, N, m->cfg.n_head, hd, cs);
		clm_rope_forward(v.k, v.ldk, N, clm_cfg_kv_heads(&m->cfg), hd, cs);
	}
}

void clm_block_attn_out(const struct clm_gpt *m, int l, int N, int n_ex, const int *row_off, const int *adapter,
			struct clm_block_act *a)
{
	const struct clm_layout *lay = &m->lay;
	size_t nc = (size_t)N * m->cfg.n_embd, nf = (size_t)N * clm_cfg_ffn(&m->cfg);

	proj_lora(m, l, lay->slot[R_O], a->mid, a->atty, N, n_ex, row_off, adapter, a->u);
	for (size_t i = 0; i < nc; i++)
		a->mid[i] += a->x[i];
	clm_norm_forward(m, a->ln2, a->ln2m, a->ln2r, a->mid, bw(m, l, lay->ln2_w), bw(m, l, lay->ln2_b), N);
	if (lay->slot[R_GATE] >= 0) {
		proj_lora(m, l, lay->slot[R_GATE], a->fch, a->ln2, N, n_ex, row_off, adapter, a->u);
		proj_lora(m, l, lay->slot[R_UP], a->fch + nf, a->ln2, N, n_ex, row_off, adapter, a->u);
		clm_swiglu_forward(a->fcg, a->fch, a->fch + nf, (long)nf);
	} else {
		proj_lora(m, l, lay->slot[R_UP], a->fch, a->ln2, N, n_ex, row_off, adapter, a->u);
		clm_gelu_forward(a->fcg, a->fch, (long)nf);
	}
	proj_lora(m, l, lay->slot[R_DOWN], a->out, a->fcg, N, n_ex, row_off, adapter, a->u);
	for (size_t i = 0; i < nc; i++)
		a->out[i] += a->mid[i];
}
