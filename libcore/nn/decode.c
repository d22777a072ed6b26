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
	size_t n = (size_t)cfg->n_layer * n_seq * cap * clm_cfg_kv_width(cfg);

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
	return (((size_t)l * kv->n_seq + s) * kv->cap) * clm_cfg_kv_width(cfg);
}

void clm_kv_cache_copy(struct clm_kv_cache *kv, const struct clm_gpt_config *cfg, int dst, int src)
{
	size_t n = (size_t)kv->len[src] * clm_cfg_kv_width(cfg) * sizeof(float);

	if (dst == src)
		return;
	for (int l = 0; l < cfg->n_layer; l++) {
		memcpy(kv->k + kv_at(kv, cfg, l, dst), kv->k + kv_at(kv, cfg, l, src), n);
		memcpy(kv->v + kv_at(kv, cfg, l, dst), kv->v + kv_at(kv, cfg, l, src), n);
	}
	kv->len[dst] = kv->len[src];
}

struct decode_buf {
	int *row_off, *adapter, *pos;
	float *x, *ln, *mid, *qkv, *atty, *fch, *fcg, *u, *probs, *last, *stats, *cs;
};

static void decode_buf_free(struct decode_buf *d)
{
	free(d->row_off), free(d->adapter), free(d->pos), free(d->x), free(d->ln), free(d->mid), free(d->qkv);
	free(d->atty), free(d->fch), free(d->fcg), free(d->u), free(d->probs), free(d->last), free(d->stats);
	free(d->cs);
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
	int C = cfg->n_embd, H = cfg->n_head, rc;
	struct decode_buf d = { 0 };

	if (n < 1)
		return clm_error_set(CLM_EINVALID, "decode: no sequences");
	if ((rc = decode_plan(m, kv, n, seq, prefix_off, prefix_ids, tok_off, tokens, adapter, &d))) {
		decode_buf_free(&d);
		return rc;
	}
	size_t N = d.row_off[n], nc = N * C;
	int rmax = clm_lora_max_rank(m), Q = clm_cfg_q_width(cfg), KW = clm_cfg_kv_width(cfg);
	int hd = clm_cfg_head_dim(cfg), grp = H / clm_cfg_kv_heads(cfg), rope = clm_cfg_rope(cfg);
	size_t max_probs = 1;
	for (int i = 0; i < n; i++) {
		size_t nq = (size_t)(d.row_off[i + 1] - d.row_off[i]), nk = kv->len[seq[i]] + nq;
		max_probs = nq * nk > max_probs ? nq * nk : max_probs;
	}
	d.x = malloc(nc * sizeof(float)), d.ln = malloc(nc * sizeof(float)), d.mid = malloc(nc * sizeof(float));
	d.qkv = malloc(N * clm_block_qkv_width(cfg) * sizeof(float)), d.atty = malloc(N * Q * sizeof(float));
	d.fch = malloc(N * clm_block_fch_width(cfg) * sizeof(float)), d.fcg = malloc(N * clm_cfg_ffn(cfg) * sizeof(float));
	d.u = malloc((N * rmax * m->lay.n_proj + 1) * sizeof(float)), d.probs = malloc(max_probs * sizeof(float));
	d.last = malloc((size_t)n * C * sizeof(float)), d.stats = malloc(4 * N * sizeof(float));
	d.pos = malloc(N * sizeof(int)), d.cs = malloc((rope ? N * hd : 1) * sizeof(float));
	if (!d.stats || !d.x || !d.ln || !d.mid || !d.qkv || !d.atty || !d.fch || !d.fcg || !d.u || !d.probs ||
	    !d.last || !d.pos || !d.cs) {
		decode_buf_free(&d);
		return clm_error_oom();
	}
	const float *wpe = m->lay.wpe >= 0 ? m->params[m->lay.wpe].w : NULL;
	for (int i = 0; i < n; i++) {
		int np = prefix_off ? prefix_off[i + 1] - prefix_off[i] : 0, base = kv->len[seq[i]];
		for (int j = 0; j < d.row_off[i + 1] - d.row_off[i]; j++) {
			float *dst = d.x + (size_t)(d.row_off[i] + j) * C;
			if (j < np)
				memcpy(dst, m->params[m->prompt_param].w + (size_t)prefix_ids[prefix_off[i] + j] * C,
				       C * sizeof(float));
			else
				clm_param_row(&m->params[m->lay.wte], tokens[tok_off[i] + j - np], dst);
			for (int c = 0; wpe && c < C; c++)
				dst[c] += wpe[(size_t)(base + j) * C + c];
			d.pos[d.row_off[i] + j] = base + j;
		}
	}
	if (rope)
		clm_rope_table(cfg, d.pos, (int)N, d.cs);
	struct clm_block_act a = { .x = d.x, .ln1 = d.ln, .ln1m = d.stats, .ln1r = d.stats + N, .qkv = d.qkv,
				   .atty = d.atty, .mid = d.mid, .ln2 = d.ln, .ln2m = d.stats + 2 * N,
				   .ln2r = d.stats + 3 * N, .fch = d.fch, .fcg = d.fcg, .out = d.x, .u = d.u };
	struct clm_qkv_view v = clm_qkv_split(cfg, d.qkv, N);
	for (int l = 0; l < cfg->n_layer; l++) {
		clm_block_attn_in(m, l, (int)N, n, d.row_off, d.adapter, rope ? d.cs : NULL, &a);
		for (int i = 0; i < n; i++) {
			int s = seq[i], r0 = d.row_off[i], nq = d.row_off[i + 1] - r0, base = kv->len[s];
			float *K = kv->k + kv_at(kv, cfg, l, s), *V = kv->v + kv_at(kv, cfg, l, s);
			for (int j = 0; j < nq; j++) {
				memcpy(K + (size_t)(base + j) * KW, v.k + (size_t)(r0 + j) * v.ldk, KW * sizeof(float));
				memcpy(V + (size_t)(base + j) * KW, v.v + (size_t)(r0 + j) * v.ldv, KW * sizeof(float));
			}
			for (int h = 0; h < H; h++)
				clm_attention_forward(d.atty + (size_t)r0 * Q + h * hd, Q, d.probs,
						      v.q + (size_t)r0 * v.ldq + h * hd, v.ldq, K + (h / grp) * hd, KW,
						      V + (h / grp) * hd, KW, nq, base + nq, hd);
		}
		clm_block_attn_out(m, l, (int)N, n, d.row_off, d.adapter, &a);
	}
	for (int i = 0; i < n; i++) {
		memcpy(d.last + (size_t)i * C, d.x + (size_t)(d.row_off[i + 1] - 1) * C, C * sizeof(float));
		kv->len[seq[i]] += d.row_off[i + 1] - d.row_off[i];
	}
	const struct clm_layout *lay = &m->lay;
	clm_norm_forward(m, d.ln, d.stats, d.stats + n, d.last, m->params[lay->lnf_w].w,
			 lay->lnf_b >= 0 ? m->params[lay->lnf_b].w : NULL, n);
	const struct clm_param *out = &m->params[lay->lm_head >= 0 ? lay->lm_head : lay->wte];
	if (out->q.data)
		clm_qmat_mul(&out->q, d.ln, n, logits);
	else
		clm_tied_logits_forward(logits, d.ln, out->w, n, C, cfg->vocab_size);
	decode_buf_free(&d);
	return 0;
}
