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
	int *pos;           /* N positions (RoPE) */
	float *res;         /* (L + 1) x N x C: residual stream entering each block, then the final one */
	float *ln1, *ln1m, *ln1r, *qkv, *probs, *atty, *mid, *ln2, *ln2m, *ln2r, *fch, *fcg, *u;
	float *lnf, *lnfm, *lnfr, *hm, *logits, *cs;
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
	size_t need = (size_t)5 * n + 2 + (size_t)3 * ntok, rows = 0;

	for (int e = 0; e < n; e++)
		rows += (size_t)(extras ? clm_batch_prefix_len(b, e) : 0) + clm_batch_len(b, e);
	if (ensure((void **)&w->ints, &w->ints_cap, need + rows, sizeof(int)))
		return CLM_ENOMEM;
	w->row_off = w->ints;
	w->prefix = w->row_off + n + 1;
	w->adapter = w->prefix + n;
	w->prob_off = w->adapter + n;
	w->trow = w->prob_off + n + 1;
	w->tex = w->trow + ntok;
	_Static_assert(sizeof(int) == sizeof(int32_t), "target tokens share the int arena");
	w->ttok = (int32_t *)(w->tex + ntok);
	w->pos = w->ttok + ntok;
	w->n_ex = n;
	w->row_off[0] = w->prob_off[0] = 0;
	w->maxlen = 0;
	for (int e = 0; e < n; e++) {
		int len = clm_batch_len(b, e);
		w->prefix[e] = extras ? clm_batch_prefix_len(b, e) : 0;
		w->adapter[e] = extras ? b->adapter[e] : -1;
		any_adapter |= w->adapter[e] >= 0;
		int L = w->prefix[e] + len;
		for (int j = 0; j < L; j++)
			w->pos[w->row_off[e] + j] = j;
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
	const struct clm_gpt_config *c = &m->cfg;
	size_t L = c->n_layer, C = c->n_embd, V = c->vocab_size, QKV = clm_block_qkv_width(c);
	size_t Q = clm_cfg_q_width(c), FH = clm_block_fch_width(c), F = clm_cfg_ffn(c), hd = clm_cfg_head_dim(c);
	size_t N = w->N, M = w->M, P = w->prob_off[w->n_ex], R = w->rmax, ml = w->maxlen, np = m->lay.n_proj;
	size_t nc = N * C, need = 0;
	struct {
		float **p;
		size_t n;
	} parts[] = {
		{ &w->res, (L + 1) * nc }, { &w->ln1, L * nc }, { &w->ln1m, L * N }, { &w->ln1r, L * N },
		{ &w->qkv, L * N * QKV }, { &w->probs, L * P }, { &w->atty, L * N * Q }, { &w->mid, L * nc },
		{ &w->ln2, L * nc }, { &w->ln2m, L * N }, { &w->ln2r, L * N }, { &w->fch, L * N * FH },
		{ &w->fcg, L * N * F }, { &w->u, L * np * N * R }, { &w->lnf, nc }, { &w->lnfm, N },
		{ &w->lnfr, N }, { &w->hm, M * C }, { &w->logits, M * V }, { &w->tw, M },
		{ &w->cs, clm_cfg_rope(c) ? N * hd : 0 },
		{ &w->dres, nc }, { &w->dln, nc }, { &w->dqkv, N * QKV }, { &w->datty, N * Q }, { &w->dfch, N * FH },
		{ &w->dfcg, N * F }, { &w->du, N * R }, { &w->dscr, ml * ml }, { &w->dhm, M * C },
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
	if (clm_gpt_has_encoded(m))
		return clm_error_set(CLM_EINVALID, "this model keeps its weights in their GGUF encoding, which serves "
				     "generation only; load it decoded to f32 to train or score it");
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

/* Block l's activations inside the arena. */
static struct clm_block_act block_act(struct clm_gpt *m, int l)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_gpt_config *c = &m->cfg;
	size_t N = w->N, nc = N * c->n_embd;
	return (struct clm_block_act){
		.x = w->res + l * nc, .ln1 = w->ln1 + l * nc, .ln1m = w->ln1m + l * N, .ln1r = w->ln1r + l * N,
		.qkv = w->qkv + l * N * clm_block_qkv_width(c), .atty = w->atty + l * N * clm_cfg_q_width(c),
		.mid = w->mid + l * nc, .ln2 = w->ln2 + l * nc, .ln2m = w->ln2m + l * N, .ln2r = w->ln2r + l * N,
		.fch = w->fch + l * N * clm_block_fch_width(c), .fcg = w->fcg + l * N * clm_cfg_ffn(c),
		.out = w->res + (l + 1) * nc, .u = w->u + (size_t)l * m->lay.n_proj * N * w->rmax,
	};
}

/* The output matrix: lm_head when untied, else the token embedding. */
static struct clm_param *output_param(struct clm_gpt *m)
{
	return &m->params[m->lay.lm_head >= 0 ? m->lay.lm_head : m->lay.wte];
}

/* Causal attention of every example and head (each key/value head serves n_head / n_kv_head
 * consecutive query heads). */
static void attention_forward(struct clm_gpt *m, int l, const struct clm_block_act *a)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_gpt_config *c = &m->cfg;
	int H = c->n_head, grp = H / clm_cfg_kv_heads(c), hd = clm_cfg_head_dim(c), Q = clm_cfg_q_width(c);
	struct clm_qkv_view v = clm_qkv_split(c, a->qkv, w->N);
	float *probs = w->probs + (size_t)l * w->prob_off[w->n_ex];

	for (int e = 0; e < w->n_ex; e++) {
		size_t r0 = w->row_off[e];
		int L = w->row_off[e + 1] - (int)r0;
		for (int h = 0; h < H; h++)
			clm_attention_forward(a->atty + r0 * Q + h * hd, Q, probs + w->prob_off[e] + (size_t)h * L * L,
					      v.q + r0 * v.ldq + h * hd, v.ldq, v.k + r0 * v.ldk + (h / grp) * hd, v.ldk,
					      v.v + r0 * v.ldv + (h / grp) * hd, v.ldv, L, L, hd);
	}
}

/* Forward through all blocks and the final norm; then the logits of the target rows into w->logits. */
static void forward(struct clm_gpt *m, const struct clm_batch *b)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_layout *lay = &m->lay;
	int C = m->cfg.n_embd, V = m->cfg.vocab_size;
	size_t N = w->N, nc = N * C;
	const float *wte = m->params[lay->wte].w, *wpe = lay->wpe >= 0 ? m->params[lay->wpe].w : NULL;
	const float *prompt = m->prompt_param >= 0 ? m->params[m->prompt_param].w : NULL;

	for (int e = 0; e < w->n_ex; e++) {
		int r0 = w->row_off[e], L = w->row_off[e + 1] - r0, p = w->prefix[e];
		for (int j = 0; j < L; j++) {
			const float *src = j < p ? prompt + (size_t)b->prefix_ids[b->prefix_off[e] + j] * C
						 : wte + (size_t)b->tokens[b->tok_off[e] + j - p] * C;
			float *dst = w->res + (size_t)(r0 + j) * C;
			for (int c = 0; c < C; c++)
				dst[c] = src[c] + (wpe ? wpe[(size_t)j * C + c] : 0.0f);
		}
	}
	if (clm_cfg_rope(&m->cfg))
		clm_rope_table(&m->cfg, w->pos, (int)N, w->cs);
	for (int l = 0; l < m->cfg.n_layer; l++) {
		struct clm_block_act a = block_act(m, l);
		clm_block_attn_in(m, l, (int)N, w->n_ex, w->row_off, w->adapter, clm_cfg_rope(&m->cfg) ? w->cs : NULL, &a);
		attention_forward(m, l, &a);
		clm_block_attn_out(m, l, (int)N, w->n_ex, w->row_off, w->adapter, &a);
	}
	clm_norm_forward(m, w->lnf, w->lnfm, w->lnfr, w->res + m->cfg.n_layer * nc, m->params[lay->lnf_w].w,
			 lay->lnf_b >= 0 ? m->params[lay->lnf_b].w : NULL, (int)N);
	for (int i = 0; i < w->M; i++)
		memcpy(w->hm + (size_t)i * C, w->lnf + (size_t)w->trow[i] * C, sizeof(float) * C);
	clm_tied_logits_forward(w->logits, w->hm, output_param(m)->w, w->M, C, V);
}

static float *pg(struct clm_gpt *m, int l, int k)
{
	return k >= 0 ? m->params[clm_layer_param(m, l, k)].g : NULL;
}

static const float *pw(struct clm_gpt *m, int l, int k)
{
	return k >= 0 ? m->params[clm_layer_param(m, l, k)].w : NULL;
}

/* dx += d norm(x) given dy; the norm's parameter gradients too (absolute indices wi, bi; bi -1:
 * RMSNorm). */
static void norm_backward(struct clm_gpt *m, float *dx, const float *dy, const float *x, const float *mean,
			  const float *rstd, struct clm_param *wp, struct clm_param *bp, int n)
{
	if (bp)
		clm_layernorm_backward(dx, wp->g, bp->g, dy, x, mean, rstd, wp->w, n, m->cfg.n_embd);
	else
		clm_rmsnorm_backward(dx, wp->g, dy, x, rstd, wp->w, n, m->cfg.n_embd);
}

static struct clm_param *layer_param(struct clm_gpt *m, int l, int k)
{
	return k >= 0 ? &m->params[clm_layer_param(m, l, k)] : NULL;
}

/* Backward of projection p (slot) and its LoRA sets: dx += ..., weight and adapter gradients. */
static void proj_backward(struct clm_gpt *m, int l, int p, float *dx, const float *dy, const float *x,
			  const float *u)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_proj *pr = &m->lay.proj[p];

	if (pr->hf)
		clm_linear_hf_backward(dx, pg(m, l, pr->w), pg(m, l, pr->b), dy, x, pw(m, l, pr->w), w->N, pr->in,
				       pr->out);
	else
		clm_linear_backward(dx, pg(m, l, pr->w), pg(m, l, pr->b), dy, x, pw(m, l, pr->w), w->N, pr->in, pr->out);
	clm_lora_backward(m, l, p, w->n_ex, w->row_off, w->adapter, x, u + (size_t)p * w->N * w->rmax, dy, dx, w->du);
}

static void attention_backward(struct clm_gpt *m, int l, const struct clm_block_act *a)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_gpt_config *c = &m->cfg;
	int H = c->n_head, grp = H / clm_cfg_kv_heads(c), hd = clm_cfg_head_dim(c), Q = clm_cfg_q_width(c);
	struct clm_qkv_view v = clm_qkv_split(c, a->qkv, w->N), d = clm_qkv_split(c, w->dqkv, w->N);
	const float *probs = w->probs + (size_t)l * w->prob_off[w->n_ex];

	for (int e = 0; e < w->n_ex; e++) {
		size_t r0 = w->row_off[e];
		int L = w->row_off[e + 1] - (int)r0;
		for (int h = 0; h < H; h++) {
			size_t qo = h * hd, ko = (h / grp) * hd;
			clm_attention_backward(d.q + r0 * d.ldq + qo, d.k + r0 * d.ldk + ko, d.v + r0 * d.ldv + ko,
					       w->datty + r0 * Q + qo, Q, probs + w->prob_off[e] + (size_t)h * L * L,
					       v.q + r0 * v.ldq + qo, v.ldq, v.k + r0 * v.ldk + ko, v.ldk,
					       v.v + r0 * v.ldv + ko, v.ldv, L, L, hd, w->dscr);
		}
	}
	if (clm_cfg_rope(c)) {
		clm_rope_backward(d.q, d.ldq, (int)w->N, H, hd, w->cs);
		clm_rope_backward(d.k, d.ldk, (int)w->N, clm_cfg_kv_heads(c), hd, w->cs);
	}
}

/* Backward of block l: w->dres holds d(block output) on entry and d(block input) on return. */
static void block_backward(struct clm_gpt *m, int l)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_layout *lay = &m->lay;
	const struct clm_gpt_config *c = &m->cfg;
	struct clm_block_act a = block_act(m, l);
	size_t N = w->N, nc = N * c->n_embd, nf = N * clm_cfg_ffn(c);
	struct clm_qkv_view d = clm_qkv_split(c, w->dqkv, N);

	/* out = mid + down(act): dres flows to mid unchanged and through the MLP */
	memset(w->dfcg, 0, sizeof(float) * nf);
	proj_backward(m, l, lay->slot[R_DOWN], w->dfcg, w->dres, a.fcg, a.u);
	memset(w->dfch, 0, sizeof(float) * N * clm_block_fch_width(c));
	memset(w->dln, 0, sizeof(float) * nc);
	if (lay->slot[R_GATE] >= 0) {
		clm_swiglu_backward(w->dfch, w->dfch + nf, w->dfcg, a.fch, a.fch + nf, (long)nf);
		proj_backward(m, l, lay->slot[R_GATE], w->dln, w->dfch, a.ln2, a.u);
		proj_backward(m, l, lay->slot[R_UP], w->dln, w->dfch + nf, a.ln2, a.u);
	} else {
		clm_gelu_backward(w->dfch, a.fch, w->dfcg, (long)nf);
		proj_backward(m, l, lay->slot[R_UP], w->dln, w->dfch, a.ln2, a.u);
	}
	norm_backward(m, w->dres, w->dln, a.mid, a.ln2m, a.ln2r, layer_param(m, l, lay->ln2_w),
		      layer_param(m, l, lay->ln2_b), (int)N);
	/* mid = x + o(atty): dres (now d mid) flows to x unchanged and through attention */
	memset(w->datty, 0, sizeof(float) * N * clm_cfg_q_width(c));
	proj_backward(m, l, lay->slot[R_O], w->datty, w->dres, a.atty, a.u);
	memset(w->dqkv, 0, sizeof(float) * N * clm_block_qkv_width(c));
	attention_backward(m, l, &a);
	memset(w->dln, 0, sizeof(float) * nc);
	for (int p = 0; p < lay->n_proj; p++) {
		enum clm_proj_role r = lay->proj[p].role;
		const float *dy = r == R_QKV || r == R_Q ? d.q : r == R_K ? d.k : r == R_V ? d.v : NULL;
		if (dy)
			proj_backward(m, l, p, w->dln, dy, a.ln1, a.u);
	}
	norm_backward(m, w->dres, w->dln, a.x, a.ln1m, a.ln1r, layer_param(m, l, lay->ln1_w),
		      layer_param(m, l, lay->ln1_b), (int)N);
}

/* Backward from w->logits (already holding d loss / d logits) to every trainable parameter. */
static void backward(struct clm_gpt *m, const struct clm_batch *b)
{
	struct clm_gpt_work *w = m->work;
	const struct clm_layout *lay = &m->lay;
	int C = m->cfg.n_embd, V = m->cfg.vocab_size;
	size_t N = w->N, nc = N * C;
	struct clm_param *wte = &m->params[lay->wte], *wpe = lay->wpe >= 0 ? &m->params[lay->wpe] : NULL;
	struct clm_param *out = output_param(m);
	struct clm_param *prompt = m->prompt_param >= 0 ? &m->params[m->prompt_param] : NULL;

	memset(w->dhm, 0, sizeof(float) * (size_t)w->M * C);
	clm_tied_logits_backward(w->dhm, out->g, w->logits, w->hm, out->w, w->M, C, V);
	memset(w->dln, 0, sizeof(float) * nc);
	for (int i = 0; i < w->M; i++) {
		float *dst = w->dln + (size_t)w->trow[i] * C;
		const float *src = w->dhm + (size_t)i * C;
		for (int c = 0; c < C; c++)
			dst[c] += src[c];
	}
	memset(w->dres, 0, sizeof(float) * nc);
	norm_backward(m, w->dres, w->dln, w->res + m->cfg.n_layer * nc, w->lnfm, w->lnfr, &m->params[lay->lnf_w],
		      lay->lnf_b >= 0 ? &m->params[lay->lnf_b] : NULL, (int)N);
	for (int l = m->cfg.n_layer - 1; l >= 0; l--)
		block_backward(m, l);
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
			if (wpe && wpe->g)
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
	double C = c->n_embd, L = c->n_layer, Q = clm_cfg_q_width(c), K = clm_cfg_kv_width(c), F = clm_cfg_ffn(c);
	double mlp = (c->arch == CLM_ARCH_LLAMA || c->arch == CLM_ARCH_QWEN2 ? 3.0 : 2.0) * C * F;
	double per_token = 2.0 * L * (C * (Q + 2 * K) + Q * C + mlp) + 2.0 * C * c->vocab_size + 4.0 * L * seq_len * Q;
	return 3.0 * per_token * (double)n_tokens;
}
