#include "nn/model.h"
#include "nn/model_internal.h"
#include "nn/ops.h"
#include "nn/rng.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One block parameter: name suffix, shape (cols 0: a vector), weight decay, initial value kind. */
enum init_kind { INIT_ZERO, INIT_ONE, INIT_NORMAL, INIT_RESIDUAL };

struct block_spec {
	char name[48];
	int64_t rows, cols;
	int decay;
	enum init_kind init;
};

struct block_specs {
	struct block_spec s[3 * CLM_MAX_PROJ + 4];
	int n;
};

static int spec_add(struct block_specs *bs, const char *name, int64_t rows, int64_t cols, enum init_kind init)
{
	struct block_spec *sp = &bs->s[bs->n];
	snprintf(sp->name, sizeof(sp->name), "%s", name);
	sp->rows = rows;
	sp->cols = cols;
	sp->decay = cols != 0;
	sp->init = init;
	return bs->n++;
}

static int spec_norm(struct block_specs *bs, const char *module, int C, int bias, int *b)
{
	char name[48];
	snprintf(name, sizeof(name), "%s.weight", module);
	int w = spec_add(bs, name, C, 0, INIT_ONE);
	snprintf(name, sizeof(name), "%s.bias", module);
	*b = bias ? spec_add(bs, name, C, 0, INIT_ZERO) : -1;
	return w;
}

static void spec_proj(struct block_specs *bs, struct clm_layout *lay, enum clm_proj_role role, const char *module,
		      int in, int out, int bias, int hf, int residual)
{
	char name[48];
	struct clm_proj *p = &lay->proj[lay->n_proj];
	snprintf(name, sizeof(name), "%s.weight", module);
	p->w = spec_add(bs, name, hf ? out : in, hf ? in : out, residual ? INIT_RESIDUAL : INIT_NORMAL);
	snprintf(name, sizeof(name), "%s.bias", module);
	p->b = bias ? spec_add(bs, name, out, 0, INIT_ZERO) : -1;
	p->role = role;
	p->in = in;
	p->out = out;
	p->hf = hf;
	p->name = module;
	lay->slot[role] = lay->n_proj++;
}

/* The parameters of one block, in order, and the layout they give. */
static void block_layout(const struct clm_gpt_config *c, struct clm_layout *lay, struct block_specs *bs)
{
	int C = c->n_embd, F = clm_cfg_ffn(c), Q = clm_cfg_q_width(c), K = clm_cfg_kv_width(c);
	int sc2 = c->arch == CLM_ARCH_STARCODER2;

	memset(lay, 0, sizeof(*lay));
	bs->n = 0;
	for (int r = 0; r < R_COUNT; r++)
		lay->slot[r] = -1;
	if (c->arch == CLM_ARCH_GPT2) {
		lay->layer_prefix = "h.%d.";
		lay->ln1_w = spec_norm(bs, "ln_1", C, 1, &lay->ln1_b);
		spec_proj(bs, lay, R_QKV, "attn.c_attn", C, 3 * C, 1, 0, 0);
		spec_proj(bs, lay, R_O, "attn.c_proj", C, C, 1, 0, 1);
		lay->ln2_w = spec_norm(bs, "ln_2", C, 1, &lay->ln2_b);
		spec_proj(bs, lay, R_UP, "mlp.c_fc", C, F, 1, 0, 0);
		spec_proj(bs, lay, R_DOWN, "mlp.c_proj", F, C, 1, 0, 1);
		return;
	}
	lay->layer_prefix = "model.layers.%d.";
	lay->ln1_w = spec_norm(bs, "input_layernorm", C, sc2, &lay->ln1_b);
	spec_proj(bs, lay, R_Q, "self_attn.q_proj", C, Q, c->qkv_bias, 1, 0);
	spec_proj(bs, lay, R_K, "self_attn.k_proj", C, K, c->qkv_bias, 1, 0);
	spec_proj(bs, lay, R_V, "self_attn.v_proj", C, K, c->qkv_bias, 1, 0);
	spec_proj(bs, lay, R_O, "self_attn.o_proj", Q, C, c->o_bias, 1, 1);
	lay->ln2_w = spec_norm(bs, "post_attention_layernorm", C, sc2, &lay->ln2_b);
	if (sc2) {
		spec_proj(bs, lay, R_UP, "mlp.c_fc", C, F, c->mlp_bias, 1, 0);
		spec_proj(bs, lay, R_DOWN, "mlp.c_proj", F, C, c->mlp_bias, 1, 1);
	} else {
		spec_proj(bs, lay, R_GATE, "mlp.gate_proj", C, F, c->mlp_bias, 1, 0);
		spec_proj(bs, lay, R_UP, "mlp.up_proj", C, F, c->mlp_bias, 1, 0);
		spec_proj(bs, lay, R_DOWN, "mlp.down_proj", F, C, c->mlp_bias, 1, 1);
	}
}

static void layout_build(const struct clm_gpt_config *c, struct clm_layout *lay, struct block_specs *bs)
{
	int gpt2 = c->arch == CLM_ARCH_GPT2;

	block_layout(c, lay, bs);
	lay->per_layer = bs->n;
	lay->wte = 0;
	lay->wpe = gpt2 ? 1 : -1;
	lay->first_layer = gpt2 ? 2 : 1;
	lay->lnf_w = lay->first_layer + c->n_layer * lay->per_layer;
	lay->lnf_b = gpt2 || c->arch == CLM_ARCH_STARCODER2 ? lay->lnf_w + 1 : -1;
	lay->lm_head = c->untied ? (lay->lnf_b >= 0 ? lay->lnf_b : lay->lnf_w) + 1 : -1;
}

void clm_layout_init(struct clm_layout *lay, const struct clm_gpt_config *c)
{
	struct block_specs bs;
	layout_build(c, lay, &bs);
}

int clm_lora_max_rank(const struct clm_gpt *m)
{
	int r = 0;
	for (int s = 0; s < m->n_lora; s++)
		r = m->lora[s].rank > r ? m->lora[s].rank : r;
	return r;
}

/* Append a parameter of shape rows x cols (cols 0: a vector), zero-filled. */
static int add_param(struct clm_gpt *m, const char *name, int64_t rows, int64_t cols, int decay)
{
	if (CLM_ALLOC_GROW(m->params, m->n_params + 1, m->params_alloc) < 0)
		return CLM_ENOMEM;
	struct clm_param *p = &m->params[m->n_params];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ndim = cols ? 2 : 1;
	p->shape[0] = rows;
	p->shape[1] = cols;
	p->n = (size_t)rows * (size_t)(cols ? cols : 1);
	p->decay = decay;
	p->w = calloc(p->n, sizeof(float));
	if (!p->w)
		return clm_error_oom();
	m->n_params++;
	return 0;
}

static void fill_normal(float *w, size_t n, double std, struct clm_rng *r)
{
	for (size_t i = 0; i < n; i++)
		w[i] = (float)(std * clm_rng_normal(r));
}

static void fill_const(float *w, size_t n, float v)
{
	for (size_t i = 0; i < n; i++)
		w[i] = v;
}

/* Allocate every backbone parameter; with `fill`, initialise them as GPT-2 does (from `seed`:
 * normal(0, 0.02), residual projections scaled by 1/sqrt(2 n_layer), unit norms, zero biases),
 * else leave them zero for a checkpoint to overwrite (random numbers nobody reads cost time). */
static int gpt_create(struct clm_gpt *m, const struct clm_gpt_config *cfg, int fill, uint64_t seed)
{
	struct clm_rng r;
	struct block_specs bs;
	char name[CLM_PARAM_NAME_MAX], prefix[32];
	int C = cfg->n_embd, gpt2 = cfg->arch == CLM_ARCH_GPT2;
	int rc;

	memset(m, 0, sizeof(*m));
	if (clm_gpt_config_check(cfg))
		return CLM_EINVALID;
	m->cfg = *cfg;
	m->prompt_param = -1;
	layout_build(cfg, &m->lay, &bs);
	clm_rng_seed(&r, seed);
	if ((rc = add_param(m, gpt2 ? "wte.weight" : "model.embed_tokens.weight", cfg->vocab_size, C, 0)) ||
	    (gpt2 && (rc = add_param(m, "wpe.weight", cfg->n_positions, C, 0))))
		goto fail;
	if (fill) {
		fill_normal(m->params[m->lay.wte].w, m->params[m->lay.wte].n, 0.02, &r);
		if (gpt2)
			fill_normal(m->params[m->lay.wpe].w, m->params[m->lay.wpe].n, 0.01, &r);
	}
	for (int l = 0; l < cfg->n_layer; l++) {
		snprintf(prefix, sizeof(prefix), m->lay.layer_prefix, l);
		for (int k = 0; k < bs.n; k++) {
			const struct block_spec *sp = &bs.s[k];
			snprintf(name, sizeof(name), "%s%s", prefix, sp->name);
			if ((rc = add_param(m, name, sp->rows, sp->cols, sp->decay)))
				goto fail;
			struct clm_param *p = &m->params[m->n_params - 1];
			if (!fill)
				continue;
			if (sp->init == INIT_ONE)
				fill_const(p->w, p->n, 1.0f);
			else if (sp->init == INIT_RESIDUAL)
				fill_normal(p->w, p->n, 0.02 / sqrt(2.0 * cfg->n_layer), &r);
			else if (sp->init == INIT_NORMAL)
				fill_normal(p->w, p->n, 0.02, &r);
		}
	}
	if ((rc = add_param(m, gpt2 ? "ln_f.weight" : "model.norm.weight", C, 0, 0)) ||
	    (m->lay.lnf_b >= 0 && (rc = add_param(m, gpt2 ? "ln_f.bias" : "model.norm.bias", C, 0, 0))) ||
	    (cfg->untied && (rc = add_param(m, "lm_head.weight", cfg->vocab_size, C, 1))))
		goto fail;
	if (fill) {
		fill_const(m->params[m->lay.lnf_w].w, C, 1.0f);
		if (cfg->untied)
			fill_normal(m->params[m->lay.lm_head].w, m->params[m->lay.lm_head].n, 0.02, &r);
	}
	m->n_backbone = m->n_params;
	clm_gpt_set_trainable(m, "", 1);
	return 0;
fail:
	clm_gpt_release(m);
	return rc;
}

int clm_gpt_init(struct clm_gpt *m, const struct clm_gpt_config *cfg, uint64_t seed)
{
	return gpt_create(m, cfg, 1, seed);
}

int clm_gpt_alloc(struct clm_gpt *m, const struct clm_gpt_config *cfg)
{
	return gpt_create(m, cfg, 0, 0);
}

void clm_gpt_release(struct clm_gpt *m)
{
	for (size_t i = 0; i < m->n_params; i++) {
		free(m->params[i].w);
		free(m->params[i].g);
	}
	free(m->params);
	free(m->lora);
	clm_gpt_work_release(m->work);
	memset(m, 0, sizeof(*m));
	m->prompt_param = -1;
}

int clm_gpt_set_prompt_rows(struct clm_gpt *m, int rows, uint64_t seed)
{
	int C = m->cfg.n_embd, old = m->n_prompt_rows;
	struct clm_rng r;

	if (rows < 1 || rows > 1 << 20)
		return clm_error_set(CLM_EINVALID, "soft prompt: %d rows is out of range", rows);
	if (rows <= old)
		return 0;
	if (m->prompt_param < 0) {
		if (add_param(m, "clm.prompt.weight", rows, C, 0))
			return CLM_ENOMEM;
		m->prompt_param = (int)m->n_params - 1;
		m->params[m->prompt_param].trainable = 1;
	} else {
		struct clm_param *p = &m->params[m->prompt_param];
		size_t n = (size_t)rows * C;
		float *w = realloc(p->w, n * sizeof(float));
		if (!w)
			return clm_error_oom();
		p->w = w;
		if (p->g) {
			float *g = realloc(p->g, n * sizeof(float));
			if (!g)
				return clm_error_oom();
			memset(g + p->n, 0, (n - p->n) * sizeof(float));
			p->g = g;
		}
		p->n = n;
		p->shape[0] = rows;
	}
	struct clm_param *p = &m->params[m->prompt_param];
	clm_rng_seed(&r, seed);
	for (int i = old; i < rows; i++) {
		uint64_t tok = clm_rng_below(&r, (uint64_t)m->cfg.vocab_size);
		clm_param_row(&m->params[m->lay.wte], (int64_t)tok, p->w + (size_t)i * C);
	}
	m->n_prompt_rows = rows;
	return 0;
}

int clm_gpt_has_encoded(const struct clm_gpt *m)
{
	for (size_t i = 0; i < m->n_backbone; i++)
		if (m->params[i].q.data)
			return 1;
	return 0;
}

void clm_param_row(const struct clm_param *p, int64_t r, float *out)
{
	if (p->q.data)
		clm_qmat_rows(&p->q, r, 1, out);
	else
		memcpy(out, p->w + (size_t)r * p->shape[1], (size_t)p->shape[1] * sizeof(float));
}

int clm_gpt_add_lora(struct clm_gpt *m, int rank, float alpha, uint64_t seed)
{
	char name[CLM_PARAM_NAME_MAX], prefix[32];
	struct clm_rng r;
	int s = m->n_lora;

	if (rank < 1 || rank > m->cfg.n_embd)
		return clm_error_set(CLM_EINVALID, "LoRA rank %d is out of range 1..%d", rank, m->cfg.n_embd);
	if (CLM_ALLOC_GROW(m->lora, (size_t)s + 1, m->lora_alloc) < 0)
		return CLM_ENOMEM;
	m->lora[s] = (struct clm_lora_set){ rank, alpha, m->n_params };
	clm_rng_seed(&r, seed);
	for (int l = 0; l < m->cfg.n_layer; l++)
		for (int p = 0; p < m->lay.n_proj; p++) {
			int in = m->lay.proj[p].in, out = m->lay.proj[p].out;
			snprintf(prefix, sizeof(prefix), m->lay.layer_prefix, l);
			snprintf(name, sizeof(name), "clm.lora.%d.%s%s.A", s, prefix, m->lay.proj[p].name);
			if (add_param(m, name, in, rank, 1))
				return CLM_ENOMEM;
			struct clm_param *a = &m->params[m->n_params - 1];
			fill_normal(a->w, a->n, 1.0 / sqrt((double)in), &r);
			a->trainable = 1;
			snprintf(name, sizeof(name), "clm.lora.%d.%s%s.B", s, prefix, m->lay.proj[p].name);
			if (add_param(m, name, rank, out, 1))
				return CLM_ENOMEM;
			m->params[m->n_params - 1].trainable = 1;
		}
	m->n_lora = s + 1;
	return s;
}

struct clm_param *clm_gpt_param(struct clm_gpt *m, const char *name)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (!strcmp(m->params[i].name, name))
			return &m->params[i];
	return NULL;
}

int clm_gpt_set_trainable(struct clm_gpt *m, const char *prefix, int trainable)
{
	size_t len = strlen(prefix);
	int matched = 0;

	for (size_t i = 0; i < m->n_params; i++) {
		struct clm_param *p = &m->params[i];
		if (strncmp(p->name, prefix, len))
			continue;
		matched++;
		p->trainable = trainable != 0;
		if (!trainable) {
			free(p->g);
			p->g = NULL;
		}
	}
	return matched;
}

int clm_gpt_ensure_grads(struct clm_gpt *m)
{
	for (size_t i = 0; i < m->n_params; i++) {
		struct clm_param *p = &m->params[i];
		if (p->trainable && !p->g && !(p->g = calloc(p->n, sizeof(float))))
			return clm_error_oom();
	}
	return 0;
}

size_t clm_gpt_trainable_count(const struct clm_gpt *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->n_params; i++)
		n += m->params[i].trainable ? m->params[i].n : 0;
	return n;
}

void clm_gpt_zero_grad(struct clm_gpt *m)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (m->params[i].g)
			memset(m->params[i].g, 0, m->params[i].n * sizeof(float));
}

void clm_lora_forward(const struct clm_gpt *m, int l, int p, int n_ex, const int *row_off, const int *adapter,
		      const float *x, float *y, float *u)
{
	int in = m->lay.proj[p].in, out = m->lay.proj[p].out, rmax = clm_lora_max_rank(m);

	if (!adapter || !m->n_lora)
		return;
	for (int e0 = 0, e1; e0 < n_ex; e0 = e1) {
		for (e1 = e0 + 1; e1 < n_ex && adapter[e1] == adapter[e0]; e1++)
			;
		int s = adapter[e0];
		if (s < 0)
			continue;
		const struct clm_lora_set *set = &m->lora[s];
		size_t a = clm_lora_param(m, s, l, p);
		int r0 = row_off[e0], n = row_off[e1] - r0;
		float *ur = u + (size_t)r0 * rmax;
		clm_matmul_forward(ur, x + (size_t)r0 * in, m->params[a].w, n, in, set->rank, 1.0f, 0);
		clm_matmul_forward(y + (size_t)r0 * out, ur, m->params[a + 1].w, n, set->rank, out,
				   set->alpha / set->rank, 1);
	}
}

void clm_lora_backward(struct clm_gpt *m, int l, int p, int n_ex, const int *row_off, const int *adapter,
		       const float *x, const float *u, const float *dy, float *dx, float *du)
{
	int in = m->lay.proj[p].in, out = m->lay.proj[p].out, rmax = clm_lora_max_rank(m);

	if (!adapter || !m->n_lora)
		return;
	for (int e0 = 0, e1; e0 < n_ex; e0 = e1) {
		for (e1 = e0 + 1; e1 < n_ex && adapter[e1] == adapter[e0]; e1++)
			;
		int s = adapter[e0];
		if (s < 0)
			continue;
		const struct clm_lora_set *set = &m->lora[s];
		size_t a = clm_lora_param(m, s, l, p);
		int r0 = row_off[e0], n = row_off[e1] - r0;
		const float *ur = u + (size_t)r0 * rmax;
		memset(du, 0, sizeof(float) * (size_t)n * set->rank);
		clm_matmul_backward(du, m->params[a + 1].g, dy + (size_t)r0 * out, ur, m->params[a + 1].w, n,
				    set->rank, out, set->alpha / set->rank);
		clm_matmul_backward(dx ? dx + (size_t)r0 * in : NULL, m->params[a].g, du, x + (size_t)r0 * in,
				    m->params[a].w, n, in, set->rank, 1.0f);
	}
}

int clm_gpt_check_batch(const struct clm_gpt *m, const struct clm_batch *b, int use_extras)
{
	if (b->n < 1)
		return clm_error_set(CLM_EINVALID, "batch is empty");
	for (int e = 0; e < b->n; e++) {
		int len = clm_batch_len(b, e), np = use_extras ? clm_batch_prefix_len(b, e) : 0;
		if (len < 1 || len + np > m->cfg.n_positions)
			return clm_error_set(CLM_EINVALID, "batch example %d: %d positions do not fit a context of %d",
					     e, len + np, m->cfg.n_positions);
		for (int i = b->tok_off[e]; i < b->tok_off[e + 1]; i++)
			if (b->tokens[i] < 0 || b->tokens[i] >= m->cfg.vocab_size)
				return clm_error_set(CLM_EINVALID, "batch example %d: token id %d is outside the "
						     "vocabulary of %d", e, (int)b->tokens[i], m->cfg.vocab_size);
		if (!use_extras)
			continue;
		for (int i = b->prefix_off[e]; i < b->prefix_off[e + 1]; i++)
			if (b->prefix_ids[i] < 0 || b->prefix_ids[i] >= m->n_prompt_rows)
				return clm_error_set(CLM_EINVALID, "batch example %d: soft-prompt row %d does not exist "
						     "(table has %d)", e, (int)b->prefix_ids[i], m->n_prompt_rows);
		if (b->adapter[e] < -1 || b->adapter[e] >= m->n_lora)
			return clm_error_set(CLM_EINVALID, "batch example %d: adapter set %d does not exist (%d loaded)",
					     e, b->adapter[e], m->n_lora);
	}
	return 0;
}

/* Set `ndim` and `shape` for a parameter of rows x cols (cols 0: a vector); 1. */
static int shape_of(int64_t rows, int64_t cols, int *ndim, int64_t shape[2])
{
	*ndim = cols ? 2 : 1;
	shape[0] = rows;
	shape[1] = cols;
	return 1;
}

/* The layer whose block prefix (`fmt`, "h.%d." or "model.layers.%d.") starts `name`, written
 * exactly as the model writes it ("h.01." is none); its length in `at`. -1 when there is none. */
static int layer_of(const char *fmt, const char *name, int n_layer, size_t *at)
{
	char prefix[32];
	size_t head = (size_t)(strstr(fmt, "%d") - fmt);
	long l;

	if (strncmp(name, fmt, head) || name[head] < '0' || name[head] > '9')
		return -1;
	l = strtol(name + head, NULL, 10);
	if (l >= n_layer)
		return -1;
	snprintf(prefix, sizeof(prefix), fmt, (int)l);
	*at = strlen(prefix);
	return strncmp(name, prefix, *at) ? -1 : (int)l;
}

int clm_gpt_backbone_shape(const struct clm_gpt_config *cfg, const char *name, int *ndim, int64_t shape[2])
{
	struct clm_layout lay;
	struct block_specs bs;
	int64_t C = cfg->n_embd;
	int gpt2 = cfg->arch == CLM_ARCH_GPT2;
	size_t at;

	layout_build(cfg, &lay, &bs);
	if (!strcmp(name, gpt2 ? "wte.weight" : "model.embed_tokens.weight") ||
	    (cfg->untied && !strcmp(name, "lm_head.weight")))
		return shape_of(cfg->vocab_size, C, ndim, shape);
	if (gpt2 && !strcmp(name, "wpe.weight"))
		return shape_of(cfg->n_positions, C, ndim, shape);
	if (!strcmp(name, gpt2 ? "ln_f.weight" : "model.norm.weight") ||
	    (lay.lnf_b >= 0 && !strcmp(name, gpt2 ? "ln_f.bias" : "model.norm.bias")))
		return shape_of(C, 0, ndim, shape);
	if (layer_of(lay.layer_prefix, name, cfg->n_layer, &at) < 0)
		return 0;
	for (int k = 0; k < bs.n; k++)
		if (!strcmp(name + at, bs.s[k].name))
			return shape_of(bs.s[k].rows, bs.s[k].cols, ndim, shape);
	return 0;
}
