/* Incremental (key/value-cached) forward pass for generation: new positions of several sequences
 * at once, attending to everything each sequence has cached. Uses the same ops as training. */
#include "nn/generate.h"
#include "nn/model_internal.h"
#include "nn/ops.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int clm_kv_cache_init(struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int n_seq, int cap)
{
	size_t n = (size_t)cfg->n_layer * n_seq * cap * cfg->n_embd;

	memset(kv, 0, sizeof(*kv));
	if (n_seq < 1 || cap < 1 || cap > cfg->n_positions)
		return clm_error_set(CLM_EINVALID, "key/value cache: %d sequences of %d positions is out of range",
				     n_seq, cap);
	kv->n_seq = n_seq;
	kv->cap = cap;
	kv->len = calloc(n_seq, sizeof(int));
	kv->k = malloc(n * sizeof(float));
	kv->v = malloc(n * sizeof(float));
	if (!kv->len || !kv->k || !kv->v) {
		clm_kv_cache_release(kv);
		return clm_error_oom();
	}
	return 0;
}

void clm_kv_cache_release(struct clm_kv_cache *kv)
{
	free(kv->len);
	free(kv->k);
	free(kv->v);
	memset(kv, 0, sizeof(*kv));
}

/* Start of sequence s's rows in block l. */
static size_t kv_at(const struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int l, int s)
{
	return (((size_t)l * kv->n_seq + s) * kv->cap) * cfg->n_embd;
}

void clm_kv_cache_copy(struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int dst, int src)
{
	size_t n = (size_t)kv->len[src] * cfg->n_embd * sizeof(float);

	if (dst == src)
		return;
	for (int l = 0; l < cfg->n_layer; l++) {
		memcpy(kv->k + kv_at(kv, cfg, l, dst), kv->k + kv_at(kv, cfg, l, src), n);
		memcpy(kv->v + kv_at(kv, cfg, l, dst), kv->v + kv_at(kv, cfg, l, src), n);
	}
	kv->len[dst] = kv->len[src];
}

struct decode_buf {
	int *row_off, *adapter;
	float *x, *ln, *qkv, *atty, *fch, *u, *probs, *last, *stats;
};

static const float *lw(const struct clm_gpt *m, int l, int k)
{
	return m->params[clm_layer_param(l, k)].w;
}

static void decode_buf_free(struct decode_buf *d)
{
	free(d->row_off), free(d->adapter), free(d->x), free(d->ln), free(d->qkv), free(d->atty);
	free(d->fch), free(d->u), free(d->probs), free(d->last), free(d->stats);
}

/* Check the step's inputs and lay out its rows. */
static int decode_plan(struct clm_gpt *m, struct clm_kv_cache *kv, int n, const int *seq, const int *prefix_off,
		       const int32_t *prefix_ids, const int *tok_off, const int32_t *tokens, const int *adapter,
		       struct decode_buf *d)
{
	d->row_off = malloc(sizeof(int) * (n + 1));
	d->adapter = malloc(sizeof(int) * n);
	if (!d->row_off || !d->adapter)
		return clm_error_oom();
	d->row_off[0] = 0;
	for (int i = 0; i < n; i++) {
		int s = seq[i], np = prefix_off ? prefix_off[i + 1] - prefix_off[i] : 0;
		int nt = tok_off[i + 1] - tok_off[i];
		if (s < 0 || s >= kv->n_seq || (i && seq[i - 1] >= s))
			return clm_error_set(CLM_EINVALID, "decode: sequence ids must be increasing and < %d", kv->n_seq);
		if (np < 0 || nt < 0 || np + nt < 1 || kv->len[s] + np + nt > kv->cap)
			return clm_error_set(CLM_EINVALID, "decode: sequence %d does not fit its cache of %d positions",
					     s, kv->cap);
		for (int j = 0; j < np; j++)
			if (prefix_ids[prefix_off[i] + j] < 0 || prefix_ids[prefix_off[i] + j] >= m->n_prompt_rows)
				return clm_error_set(CLM_EINVALID, "decode: soft-prompt row %d does not exist",
						     (int)prefix_ids[prefix_off[i] + j]);
		for (int j = 0; j < nt; j++)
			if (tokens[tok_off[i] + j] < 0 || tokens[tok_off[i] + j] >= m->cfg.vocab_size)
				return clm_error_set(CLM_EINVALID, "decode: token id %d is outside the vocabulary",
						     (int)tokens[tok_off[i] + j]);
		d->adapter[i] = adapter ? adapter[i] : -1;
		if (d->adapter[i] < -1 || d->adapter[i] >= m->n_lora)
			return clm_error_set(CLM_EINVALID, "decode: adapter set %d does not exist", d->adapter[i]);
		d->row_off[i + 1] = d->row_off[i] + np + nt;
	}
	return 0;
}

int clm_gpt_decode(struct clm_gpt *m, struct clm_kv_cache *kv, int n, const int *seq, const int *prefix_off,
		   const int32_t *prefix_ids, const int *tok_off, const int32_t *tokens, const int *adapter,
		   float *logits)
{
	const struct clm_gpt_config *cfg = &m->cfg;
	int C = cfg->n_embd, H = cfg->n_head, hd = C / H, rc;
	struct decode_buf d = { 0 };

	if (n < 1)
		return clm_error_set(CLM_EINVALID, "decode: no sequences");
	if ((rc = decode_plan(m, kv, n, seq, prefix_off, prefix_ids, tok_off, tokens, adapter, &d))) {
		decode_buf_free(&d);
		return rc;
	}
	size_t N = d.row_off[n], nc = N * C;
	int rmax = clm_lora_max_rank(m), maxk = 0;
	for (int i = 0; i < n; i++) {
		int nk = kv->len[seq[i]] + d.row_off[i + 1] - d.row_off[i];
		maxk = nk > maxk ? nk : maxk;
	}
	d.x = malloc(nc * sizeof(float)), d.ln = malloc(nc * sizeof(float)), d.qkv = malloc(3 * nc * sizeof(float));
	d.atty = malloc(nc * sizeof(float)), d.fch = malloc(8 * nc * sizeof(float));
	d.u = malloc((N * rmax + 1) * sizeof(float)), d.probs = malloc((size_t)maxk * maxk * sizeof(float));
	d.last = malloc((size_t)n * C * sizeof(float)), d.stats = malloc(2 * N * sizeof(float));
	if (!d.stats || !d.x || !d.ln || !d.qkv || !d.atty || !d.fch || !d.u || !d.probs || !d.last) {
		decode_buf_free(&d);
		return clm_error_oom();
	}
	const float *wte = m->params[P_WTE].w, *wpe = m->params[P_WPE].w;
	for (int i = 0; i < n; i++) {
		int np = prefix_off ? prefix_off[i + 1] - prefix_off[i] : 0, base = kv->len[seq[i]];
		for (int j = 0; j < d.row_off[i + 1] - d.row_off[i]; j++) {
			const float *src = j < np ? m->params[m->prompt_param].w + (size_t)prefix_ids[prefix_off[i] + j] * C
						  : wte + (size_t)tokens[tok_off[i] + j - np] * C;
			float *dst = d.x + (size_t)(d.row_off[i] + j) * C;
			for (int c = 0; c < C; c++)
				dst[c] = src[c] + wpe[(size_t)(base + j) * C + c];
		}
	}
	float eps = cfg->layer_norm_epsilon, *fcg = d.fch + 4 * nc;
	for (int l = 0; l < cfg->n_layer; l++) {
		clm_layernorm_forward(d.ln, d.stats, d.stats + N, d.x, lw(m, l, P_LN1_W), lw(m, l, P_LN1_B), (int)N, C, eps);
		clm_linear_forward(d.qkv, d.ln, lw(m, l, P_QKV_W), lw(m, l, P_QKV_B), (int)N, C, 3 * C);
		clm_lora_forward(m, l, PROJ_QKV, n, d.row_off, d.adapter, d.ln, d.qkv, d.u);
		for (int i = 0; i < n; i++) {
			int s = seq[i], r0 = d.row_off[i], nq = d.row_off[i + 1] - r0, base = kv->len[s];
			float *K = kv->k + kv_at(kv, cfg, l, s), *V = kv->v + kv_at(kv, cfg, l, s);
			for (int j = 0; j < nq; j++) {
				memcpy(K + (size_t)(base + j) * C, d.qkv + (size_t)(r0 + j) * 3 * C + C, C * sizeof(float));
				memcpy(V + (size_t)(base + j) * C, d.qkv + (size_t)(r0 + j) * 3 * C + 2 * C, C * sizeof(float));
			}
			for (int h = 0; h < H; h++)
				clm_attention_forward(d.atty + (size_t)r0 * C + h * hd, C, d.probs,
						      d.qkv + (size_t)r0 * 3 * C + h * hd, 3 * C, K + h * hd, C, V + h * hd, C,
						      nq, base + nq, hd);
		}
		clm_linear_forward(d.ln, d.atty, lw(m, l, P_AO_W), lw(m, l, P_AO_B), (int)N, C, C);
		clm_lora_forward(m, l, PROJ_AO, n, d.row_off, d.adapter, d.atty, d.ln, d.u);
		for (size_t i = 0; i < nc; i++)
			d.x[i] += d.ln[i];
		clm_layernorm_forward(d.ln, d.stats, d.stats + N, d.x, lw(m, l, P_LN2_W), lw(m, l, P_LN2_B), (int)N, C, eps);
		clm_linear_forward(d.fch, d.ln, lw(m, l, P_FC_W), lw(m, l, P_FC_B), (int)N, C, 4 * C);
		clm_lora_forward(m, l, PROJ_FC, n, d.row_off, d.adapter, d.ln, d.fch, d.u);
		clm_gelu_forward(fcg, d.fch, (long)(4 * nc));
		clm_linear_forward(d.ln, fcg, lw(m, l, P_FP_W), lw(m, l, P_FP_B), (int)N, 4 * C, C);
		clm_lora_forward(m, l, PROJ_FP, n, d.row_off, d.adapter, fcg, d.ln, d.u);
		for (size_t i = 0; i < nc; i++)
			d.x[i] += d.ln[i];
	}
	for (int i = 0; i < n; i++) {
		memcpy(d.last + (size_t)i * C, d.x + (size_t)(d.row_off[i + 1] - 1) * C, C * sizeof(float));
		kv->len[seq[i]] += d.row_off[i + 1] - d.row_off[i];
	}
	size_t f = clm_lnf_param(cfg);
	clm_layernorm_forward(d.ln, d.stats, d.stats + n, d.last, m->params[f].w, m->params[f + 1].w, n, C, eps);
	clm_tied_logits_forward(logits, d.ln, wte, n, C, cfg->vocab_size);
	decode_buf_free(&d);
	return 0;
}
