/* The training forward and backward pass over a packed batch, and the forward-only entry points
 * (loss, logits, pooled hidden state) built on it. Activations of every block are kept in one
 * grow-only arena owned by the model, so a training loop allocates nothing after its first step. */
#include "nn/model.h"
#include "nn/model_internal.h"
#include "nn/ops.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum pass_mode {
	PASS_TARGETS,    /* logits only where a weighted next token is predicted (loss, training) */
	PASS_ALL_LOGITS, /* logits at every token position */
	PASS_HIDDEN      /* final hidden states only, frozen backbone (no prefixes, no adapters) */
};

struct clm_gpt_work {
	float *arena;
	size_t arena_cap;
	int *ints; /* row_off, prefix, adapter, targets ... */
	size_t ints_cap;

	/* layout of the current batch */
	int n_ex, N, M, rmax, maxlen;
	int *row_off;       /* n_ex + 1 */
	int *prefix;        /* n_ex prefix lengths (0 in PASS_HIDDEN) */
	int *adapter;       /* n_ex adapter sets, or NULL when no example uses one */
	int *prob_off;      /* n_ex + 1, offsets of each example's H heads of len^2 weights */
	int *trow, *tex;    /* M target rows and their examples */
	int32_t *ttok;      /* M target tokens */
	float *tw;          /* M target weights */
	double sum_w;

	/* activations: per block l, pointer + l * stride */
	float *res;         /* (L + 1) x N x C: residual stream entering each block, then the final one */
	float *ln1, *ln1m, *ln1r, *qkv, *probs, *atty, *mid, *ln2, *ln2m, *ln2r, *fch, *fcg, *u;
	float *lnf, *lnfm, *lnfr, *hm, *logits;
	/* backward scratch */
	float *dres, *dln, *dqkv, *datty, *dfch, *dfcg, *du, *dscr, *dhm;
};

void clm_gpt_work_release(struct clm_gpt_work *w)
{
	if (!w)
		return;
	free(w->arena);
	free(w->ints);
	free(w);
}

static int ensure(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	void *q = realloc(*p, need * elem);
	if (!q)
		return clm_error_oom();
	*p = q;
	*cap = need;
	return 0;
}

/* Lay out the batch: rows, prefixes, adapters, attention offsets, target rows. */
static int plan(struct clm_gpt *m, const struct clm_batch *b, enum pass_mode mode)
{
	struct clm_gpt_work *w = m->work;
	int n = b->n, H = m->cfg.n_head, extras = mode != PASS_HIDDEN;
	int any_adapter = 0, ntok = b->tok_off[n];
	size_t need = (size_t)5 * n + 2 + (size_t)2 * ntok;

	if (ensure((void **)&w->ints, &w->ints_cap, need + (size_t)ntok, sizeof(int)))
		return CLM_ENOMEM;
	w->row_off = w->ints;
	w->prefix = w->row_off + n + 1;
	w->adapter = w->prefix + n;
	w->prob_off = w->adapter + n;
	w->trow = w->prob_off + n + 1;
	w->tex = w->trow + ntok;
	_Static_assert(sizeof(int) == sizeof(int32_t), "target tokens share the int arena");
	w->ttok = (int32_t *)(w->tex + ntok);
	w->n_ex = n;
	w->row_off[0] = w->prob_off[0] = 0;
	w->maxlen = 0;
	for (int e = 0; e < n; e++) {
		int len = clm_batch_len(b, e);
		w->prefix[e] = extras ? clm_batch_prefix_len(b, e) : 0;
		w->adapter[e] = extras ? b->adapter[e] : -1;
		any_adapter |= w->adapter[e] >= 0;
		int L = w->prefix[e] + len;
		w->row_off[e + 1] = w->row_off[e] + L;
		w->prob_off[e + 1] = w->prob_off[e] + H * L * L;
		w->maxlen = L > w->maxlen ? L : w->maxlen;
	}
	if (!any_adapter)
		w->adapter = NULL;
	w->N = w->row_off[n];
	w->rmax = w->adapter ? clm_lora_max_rank(m) : 0;
	w->M = 0;
	w->sum_w = 0;
	for (int e = 0; e < n && mode != PASS_HIDDEN; e++) {
		int t0 = b->tok_off[e], len = clm_batch_len(b, e), r0 = w->row_off[e] + w->prefix[e];
		for (int i = 0; i < len; i++) {
			int predicts = mode == PASS_ALL_LOGITS || (i + 1 < len && b->weight[t0 + i + 1] != 0.0f);
			if (!predicts)
				continue;
			w->trow[w->M] = r0 + i;
			w->tex[w->M] = e;
			w->ttok[w->M] = i + 1 < len ? b->tokens[t0 + i + 1] : 0;
			w->M++;
		}
	}
	return 0;
}

/* Carve the float arena for the planned batch. */
static int carve(struct clm_gpt *m)
{
	struct clm_gpt_work *w = m->work;
	size_t L = m->cfg.n_layer, C = m->cfg.n_embd, V = m->cfg.vocab_size;
	size_t N = w->N, M = w->M, P = w->prob_off[w->n_ex], R = w->rmax, ml = w->maxlen;
	size_t nc = N * C, need = 0;
	struct {
		float **p;
		size_t n;
	} parts[] = {
		{ &w->res, (L + 1) * nc }, { &w->ln1, L * nc }, { &w->ln1m, L * N }, { &w->ln1r, L * N },
		{ &w->qkv, L * 3 * nc }, { &w->probs, L * P }, { &w->atty, L * nc }, { &w->mid, L * nc },
		{ &w->ln2, L * nc }, { &w->ln2m, L * N }, { &w->ln2r, L * N }, { &w->fch, L * 4 * nc },
		{ &w->fcg, L * 4 * nc }, { &w->u, L * PROJ_COUNT * N * R }, { &w->lnf, nc }, { &w->lnfm, N },
		{ &w->lnfr, N }, { &w->hm, M * C }, { &w->logits, M * V }, { &w->tw, M },
		{ &w->dres, nc }, { &w->dln, nc }, { &w->dqkv, 3 * nc }, { &w->datty, nc }, { &w->dfch, 4 * nc },
		{ &w->dfcg, 4 * nc }, { &w->du, N * R }, { &w->dscr, ml * ml }, { &w->dhm, M * C },
	};
	size_t nparts = sizeof(parts) / sizeof(parts[0]);

	for (size_t i = 0; i < nparts; i++)
		need += (parts[i].n + 15) & ~(size_t)15; /* 64-byte aligned parts */
	if (need > w->arena_cap) {
		free(w->arena);
		w->arena = aligned_alloc(64, need * sizeof(float));
		w->arena_cap = w->arena ? need : 0;
		if (!w->arena)
			return clm_error_oom();
	}
	float *p = w->arena;
	for (size_t i = 0; i < nparts; i++) {
		*parts[i].p = p;
		p += (parts[i].n + 15) & ~(size_t)15;
	}
	return 0;
}

static int prepare(struct clm_gpt *m, const struct clm_batch *b, enum pass_mode mode)
{
	if (clm_gpt_check_batch(m, b, mode != PASS_HIDDEN))
		return CLM_EINVALID;
	if (!m->work && !(m->work = calloc(1, sizeof(*m->work))))
		return clm_error_oom();
	if (plan(m, b, mode) || carve(m))
		return CLM_ENOMEM;
	for (int i = 0; i < m->work->M; i++) {
		int e = m->work->tex[i];
		int tok = m->work->trow[i] - m->work->row_off[e] - m->work->prefix[e] + 1;
		m->work->tw[i] = tok < clm_batch_len(b, e) ? b->weight[b->tok_off[e] + tok] : 0.0f;
		m->work->sum_w += m->work->tw[i];
	}
	return 0;
}

static float *W(struct clm_gpt *m, int l, int k)
{
	return m->params[clm_layer_param(l, k)].w;
}

static float *G(struct clm_gpt *m, int l, int k)
{
	return m->params[clm_layer_param(l, k)].g;
}

/* Forward through all blocks and ln_f; then the logits of the target rows into w->logits. */
static void forward(struct clm_gpt *m, const struct clm_batch *b)
{
	struct clm_gpt_work *w = m->work;
	int C = m->cfg.n_embd, H = m->cfg.n_head, hd = C / H, V = m->cfg.vocab_size;
	size_t N = w->N, nc = N * C, P = w->prob_off[w->n_ex];
	float eps = m->cfg.layer_norm_epsilon;
	const float *wte = m->params[P_WTE].w, *wpe = m->params[P_WPE].w;
	const float *prompt = m->prompt_param >= 0 ? m->params[m->prompt_param].w : NULL;

	for (int e = 0; e < w->n_ex; e++) {
		int r0 = w->row_off[e], L = w->row_off[e + 1] - r0, p = w->prefix[e];
		for (int j = 0; j < L; j++) {
			const float *src = j < p ? prompt + (size_t)b->prefix_ids[b->prefix_off[e] + j] * C
						 : wte + (size_t)b->tokens[b->tok_off[e] + j - p] * C;
			float *dst = w->res + (size_t)(r0 + j) * C;
			for (int c = 0; c < C; c++)
				dst[c] = src[c] + wpe[(size_t)j * C + c];
		}
	}
	for (int l = 0; l < m->cfg.n_layer; l++) {
		float *x = w->res + l * nc, *ln1 = w->ln1 + l * nc, *qkv = w->qkv + l * 3 * nc;
		float *atty = w->atty + l * nc, *mid = w->mid + l * nc, *ln2 = w->ln2 + l * nc;
		float *fch = w->fch + l * 4 * nc, *fcg = w->fcg + l * 4 * nc, *out = w->res + (l + 1) * nc;
		float *probs = w->probs + l * P, *u = w->u + (size_t)l * PROJ_COUNT * N * w->rmax;
		size_t ustride = N * w->rmax;

		clm_layernorm_forward(ln1, w->ln1m + l * N, w->ln1r + l * N, x, W(m, l, P_LN1_W), W(m, l, P_LN1_B),
				      (int)N, C, eps);
		clm_linear_forward(qkv, ln1, W(m, l, P_QKV_W), W(m, l, P_QKV_B), (int)N, C, 3 * C);
		clm_lora_forward(m, l, PROJ_QKV, w->n_ex, w->row_off, w->adapter, ln1, qkv, u);
		for (int e = 0; e < w->n_ex; e++) {
			int r0 = w->row_off[e], L = w->row_off[e + 1] - r0;
			for (int h = 0; h < H; h++) {
				const float *q = qkv + (size_t)r0 * 3 * C + h * hd;
				clm_attention_forward(atty + (size_t)r0 * C + h * hd, C,
						      probs + w->prob_off[e] + (size_t)h * L * L, q, 3 * C, q + C,
						      3 * C, q + 2 * C, 3 * C, L, L, hd);
			}
		}
		clm_linear_forward(mid, atty, W(m, l, P_AO_W), W(m, l, P_AO_B), (int)N, C, C);
		clm_lora_forward(m, l, PROJ_AO, w->n_ex, w->row_off, w->adapter, atty, mid, u + ustride);
		for (size_t i = 0; i < nc; i++)
			mid[i] += x[i];
		clm_layernorm_forward(ln2, w->ln2m + l * N, w->ln2r + l * N, mid, W(m, l, P_LN2_W), W(m, l, P_LN2_B),
				      (int)N, C, eps);
		clm_linear_forward(fch, ln2, W(m, l, P_FC_W), W(m, l, P_FC_B), (int)N, C, 4 * C);
		clm_lora_forward(m, l, PROJ_FC, w->n_ex, w->row_off, w->adapter, ln2, fch, u + 2 * ustride);
		clm_gelu_forward(fcg, fch, (long)(4 * nc));
		clm_linear_forward(out, fcg, W(m, l, P_FP_W), W(m, l, P_FP_B), (int)N, 4 * C, C);
		clm_lora_forward(m, l, PROJ_FP, w->n_ex, w->row_off, w->adapter, fcg, out, u + 3 * ustride);
		for (size_t i = 0; i < nc; i++)
			out[i] += mid[i];
	}
	size_t f = clm_lnf_param(&m->cfg);
	clm_layernorm_forward(w->lnf, w->lnfm, w->lnfr, w->res + m->cfg.n_layer * nc, m->params[f].w,
			      m->params[f + 1].w, (int)N, C, eps);
	for (int i = 0; i < w->M; i++)
		memcpy(w->hm + (size_t)i * C, w->lnf + (size_t)w->trow[i] * C, sizeof(float) * C);
	clm_tied_logits_forward(w->logits, w->hm, wte, w->M, C, V);
}

/* Backward from w->logits (already holding d loss / d logits) to every trainable parameter. */
static void backward(struct clm_gpt *m, const struct clm_batch *b)
{
	struct clm_gpt_work *w = m->work;
	int C = m->cfg.n_embd, H = m->cfg.n_head, hd = C / H, V = m->cfg.vocab_size;
	size_t N = w->N, nc = N * C, P = w->prob_off[w->n_ex];
	struct clm_param *wte = &m->params[P_WTE], *wpe = &m->params[P_WPE];
	struct clm_param *prompt = m->prompt_param >= 0 ? &m->params[m->prompt_param] : NULL;
	size_t f = clm_lnf_param(&m->cfg);

	memset(w->dhm, 0, sizeof(float) * (size_t)w->M * C);
	clm_tied_logits_backward(w->dhm, wte->g, w->logits, w->hm, wte->w, w->M, C, V);
	memset(w->dln, 0, sizeof(float) * nc);
	for (int i = 0; i < w->M; i++) {
		float *dst = w->dln + (size_t)w->trow[i] * C;
		const float *src = w->dhm + (size_t)i * C;
		for (int c = 0; c < C; c++)
			dst[c] += src[c];
	}
	memset(w->dres, 0, sizeof(float) * nc);
	clm_layernorm_backward(w->dres, m->params[f].g, m->params[f + 1].g, w->dln, w->res + m->cfg.n_layer * nc,
			       w->lnfm, w->lnfr, m->params[f].w, (int)N, C);
	for (int l = m->cfg.n_layer - 1; l >= 0; l--) {
		float *x = w->res + l * nc, *ln1 = w->ln1 + l * nc, *qkv = w->qkv + l * 3 * nc;
		float *atty = w->atty + l * nc, *mid = w->mid + l * nc, *ln2 = w->ln2 + l * nc;
		float *fch = w->fch + l * 4 * nc, *fcg = w->fcg + l * 4 * nc;
		float *probs = w->probs + l * P, *u = w->u + (size_t)l * PROJ_COUNT * N * w->rmax;
		size_t ustride = N * w->rmax;

		/* out = mid + fcg Wfp: dres flows to mid unchanged and through the MLP */
		memset(w->dfcg, 0, sizeof(float) * 4 * nc);
		clm_linear_backward(w->dfcg, G(m, l, P_FP_W), G(m, l, P_FP_B), w->dres, fcg, W(m, l, P_FP_W), (int)N,
				    4 * C, C);
		clm_lora_backward(m, l, PROJ_FP, w->n_ex, w->row_off, w->adapter, fcg, u + 3 * ustride, w->dres,
				  w->dfcg, w->du);
		memset(w->dfch, 0, sizeof(float) * 4 * nc);
		clm_gelu_backward(w->dfch, fch, w->dfcg, (long)(4 * nc));
		memset(w->dln, 0, sizeof(float) * nc);
		clm_linear_backward(w->dln, G(m, l, P_FC_W), G(m, l, P_FC_B), w->dfch, ln2, W(m, l, P_FC_W), (int)N, C,
				    4 * C);
		clm_lora_backward(m, l, PROJ_FC, w->n_ex, w->row_off, w->adapter, ln2, u + 2 * ustride, w->dfch,
				  w->dln, w->du);
		clm_layernorm_backward(w->dres, G(m, l, P_LN2_W), G(m, l, P_LN2_B), w->dln, mid, w->ln2m + l * N,
				       w->ln2r + l * N, W(m, l, P_LN2_W), (int)N, C);
		/* mid = x + atty Wao: dres (now d mid) flows to x unchanged and through attention */
		memset(w->datty, 0, sizeof(float) * nc);
		clm_linear_backward(w->datty, G(m, l, P_AO_W), G(m, l, P_AO_B), w->dres, atty, W(m, l, P_AO_W), (int)N,
				    C, C);
		clm_lora_backward(m, l, PROJ_AO, w->n_ex, w->row_off, w->adapter, atty, u + ustride, w->dres,
				  w->datty, w->du);
		memset(w->dqkv, 0, sizeof(float) * 3 * nc);
		for (int e = 0; e < w->n_ex; e++) {
			int r0 = w->row_off[e], L = w->row_off[e + 1] - r0;
			for (int h = 0; h < H; h++) {
				size_t qo = (size_t)r0 * 3 * C + h * hd;
				clm_attention_backward(w->dqkv + qo, w->dqkv + qo + C, w->dqkv + qo + 2 * C,
						       w->datty + (size_t)r0 * C + h * hd, C,
						       probs + w->prob_off[e] + (size_t)h * L * L, qkv + qo, 3 * C,
						       qkv + qo + C, 3 * C, qkv + qo + 2 * C, 3 * C, L, L, hd, w->dscr);
			}
		}
		memset(w->dln, 0, sizeof(float) * nc);
		clm_linear_backward(w->dln, G(m, l, P_QKV_W), G(m, l, P_QKV_B), w->dqkv, ln1, W(m, l, P_QKV_W), (int)N,
				    C, 3 * C);
		clm_lora_backward(m, l, PROJ_QKV, w->n_ex, w->row_off, w->adapter, ln1, u, w->dqkv, w->dln, w->du);
		clm_layernorm_backward(w->dres, G(m, l, P_LN1_W), G(m, l, P_LN1_B), w->dln, x, w->ln1m + l * N,
				       w->ln1r + l * N, W(m, l, P_LN1_W), (int)N, C);
	}
	for (int e = 0; e < w->n_ex; e++) {
		int r0 = w->row_off[e], L = w->row_off[e + 1] - r0, p = w->prefix[e];
		for (int j = 0; j < L; j++) {
			const float *d = w->dres + (size_t)(r0 + j) * C;
			float *dst = j < p ? (prompt && prompt->g ? prompt->g + (size_t)b->prefix_ids[b->prefix_off[e] + j] * C
								  : NULL)
					   : (wte->g ? wte->g + (size_t)b->tokens[b->tok_off[e] + j - p] * C : NULL);
			if (dst)
				for (int c = 0; c < C; c++)
					dst[c] += d[c];
			if (wpe->g)
				for (int c = 0; c < C; c++)
					wpe->g[(size_t)j * C + c] += d[c];
		}
	}
}

int clm_gpt_forward_backward(struct clm_gpt *m, const struct clm_batch *b, float *loss)
{
	int rc = prepare(m, b, PASS_TARGETS);
	struct clm_gpt_work *w = m->work;

	*loss = 0.0f;
	if (rc || (rc = clm_gpt_ensure_grads(m)))
		return rc;
	if (w->sum_w == 0.0)
		return 0;
	forward(m, b);
	double total = clm_xent_forward_backward(w->logits, w->ttok, w->tw, w->M, m->cfg.vocab_size,
						 (float)(1.0 / w->sum_w), NULL);
	*loss = (float)(total / w->sum_w);
	backward(m, b);
	return 0;
}

int clm_gpt_loss(struct clm_gpt *m, const struct clm_batch *b, float *loss, double *sum_weight,
		 float *per_example)
{
	int rc = prepare(m, b, PASS_TARGETS);
	struct clm_gpt_work *w = m->work;

	if (rc)
		return rc;
	*loss = 0.0f;
	if (per_example)
		memset(per_example, 0, sizeof(float) * b->n);
	if (sum_weight)
		*sum_weight = w->sum_w;
	if (w->sum_w == 0.0)
		return 0;
	forward(m, b);
	float *row_loss = w->dhm; /* free during a forward-only pass; M x C >= M floats */
	double total = clm_xent_forward_backward(w->logits, w->ttok, w->tw, w->M, m->cfg.vocab_size, 0.0f, row_loss);
	*loss = (float)(total / w->sum_w);
	if (per_example) {
		double *sum = calloc((size_t)b->n * 2, sizeof(double));
		if (!sum)
			return clm_error_oom();
		for (int i = 0; i < w->M; i++) {
			sum[2 * w->tex[i]] += (double)w->tw[i] * row_loss[i];
			sum[2 * w->tex[i] + 1] += w->tw[i];
		}
		for (int e = 0; e < b->n; e++)
			per_example[e] = sum[2 * e + 1] != 0.0 ? (float)(sum[2 * e] / sum[2 * e + 1]) : 0.0f;
		free(sum);
	}
	return 0;
}

int clm_gpt_logits(struct clm_gpt *m, const struct clm_batch *b, float **logits)
{
	int rc = prepare(m, b, PASS_ALL_LOGITS);

	*logits = NULL;
	if (rc)
		return rc;
	forward(m, b);
	size_t n = (size_t)m->work->M * m->cfg.vocab_size;
	if (!(*logits = malloc(n * sizeof(float))))
		return clm_error_oom();
	memcpy(*logits, m->work->logits, n * sizeof(float));
	return 0;
}

int clm_gpt_pooled_hidden(struct clm_gpt *m, const struct clm_batch *b, float *out)
{
	int rc = prepare(m, b, PASS_HIDDEN), C = m->cfg.n_embd;
	struct clm_gpt_work *w = m->work;

	if (rc)
		return rc;
	forward(m, b);
	for (int e = 0; e < b->n; e++) {
		int t0 = b->tok_off[e], len = clm_batch_len(b, e), any_source = 0, count = 0;
		float *o = out + (size_t)e * C;
		for (int i = 0; i < len; i++)
			any_source |= b->weight[t0 + i] == 0.0f;
		memset(o, 0, sizeof(float) * C);
		for (int i = 0; i < len; i++) {
			if (any_source && b->weight[t0 + i] != 0.0f)
				continue;
			const float *h = w->lnf + (size_t)(w->row_off[e] + i) * C;
			for (int c = 0; c < C; c++)
				o[c] += h[c];
			count++;
		}
		for (int c = 0; c < C; c++)
			o[c] /= (float)count;
	}
	return 0;
}

double clm_gpt_train_flops(const struct clm_gpt_config *c, long long n_tokens, int seq_len)
{
	double C = c->n_embd, L = c->n_layer;
	double per_token = 24.0 * L * C * C + 2.0 * C * c->vocab_size + 4.0 * L * seq_len * C;
	return 3.0 * per_token * (double)n_tokens;
}
