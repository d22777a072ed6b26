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

static const char *const layer_param_names[P_PER_LAYER] = {
	"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
	"attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
	"mlp.c_proj.weight", "mlp.c_proj.bias",
};

static const char *const proj_names[PROJ_COUNT] = { "attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj" };

void clm_proj_dims(const struct clm_gpt_config *c, int p, int *in, int *out)
{
	static const int ins[PROJ_COUNT] = { 1, 1, 1, 4 }, outs[PROJ_COUNT] = { 3, 1, 4, 1 };
	*in = ins[p] * c->n_embd;
	*out = outs[p] * c->n_embd;
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

/* Allocate every backbone parameter; with `fill`, initialise them as GPT-2 does (from `seed`),
 * else leave them zero for a checkpoint to overwrite (random numbers nobody reads cost time). */
static int gpt_create(struct clm_gpt *m, const struct clm_gpt_config *cfg, int fill, uint64_t seed)
{
	struct clm_rng r;
	char name[CLM_PARAM_NAME_MAX];
	int C = cfg->n_embd;
	int rc;

	memset(m, 0, sizeof(*m));
	if (clm_gpt_config_check(cfg))
		return CLM_EINVALID;
	m->cfg = *cfg;
	m->prompt_param = -1;
	clm_rng_seed(&r, seed);
	if ((rc = add_param(m, "wte.weight", cfg->vocab_size, C, 0)) ||
	    (rc = add_param(m, "wpe.weight", cfg->n_positions, C, 0)))
		goto fail;
	if (fill) {
		fill_normal(m->params[P_WTE].w, m->params[P_WTE].n, 0.02, &r);
		fill_normal(m->params[P_WPE].w, m->params[P_WPE].n, 0.01, &r);
	}
	for (int l = 0; l < cfg->n_layer; l++) {
		static const int64_t rows[P_PER_LAYER] = { 1, 1, 1, 3, 1, 1, 1, 1, 1, 4, 4, 1 };
		static const int64_t cols[P_PER_LAYER] = { 0, 0, 3, 0, 1, 0, 0, 0, 4, 0, 1, 0 };
		for (int k = 0; k < P_PER_LAYER; k++) {
			snprintf(name, sizeof(name), "h.%d.%s", l, layer_param_names[k]);
			if ((rc = add_param(m, name, rows[k] * C, cols[k] * C, cols[k] != 0)))
				goto fail;
			struct clm_param *p = &m->params[m->n_params - 1];
			if (!fill)
				continue;
			if (k == P_LN1_W || k == P_LN2_W)
				fill_const(p->w, p->n, 1.0f);
			else if (k == P_AO_W || k == P_FP_W)
				fill_normal(p->w, p->n, 0.02 / sqrt(2.0 * cfg->n_layer), &r);
			else if (cols[k])
				fill_normal(p->w, p->n, 0.02, &r);
		}
	}
	if ((rc = add_param(m, "ln_f.weight", C, 0, 0)) || (rc = add_param(m, "ln_f.bias", C, 0, 0)))
		goto fail;
	if (fill)
		fill_const(m->params[clm_lnf_param(cfg)].w, C, 1.0f);
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
	const float *wte = m->params[P_WTE].w;
	clm_rng_seed(&r, seed);
	for (int i = old; i < rows; i++) {
		uint64_t tok = clm_rng_below(&r, (uint64_t)m->cfg.vocab_size);
		memcpy(p->w + (size_t)i * C, wte + tok * C, sizeof(float) * C);
	}
	m->n_prompt_rows = rows;
	return 0;
}

int clm_gpt_add_lora(struct clm_gpt *m, int rank, float alpha, uint64_t seed)
{
	char name[CLM_PARAM_NAME_MAX];
	struct clm_rng r;
	int s = m->n_lora;

	if (rank < 1 || rank > m->cfg.n_embd)
		return clm_error_set(CLM_EINVALID, "LoRA rank %d is out of range 1..%d", rank, m->cfg.n_embd);
	if (CLM_ALLOC_GROW(m->lora, (size_t)s + 1, m->lora_alloc) < 0)
		return CLM_ENOMEM;
	m->lora[s] = (struct clm_lora_set){ rank, alpha, m->n_params };
	clm_rng_seed(&r, seed);
	for (int l = 0; l < m->cfg.n_layer; l++)
		for (int p = 0; p < PROJ_COUNT; p++) {
			int in, out;
			clm_proj_dims(&m->cfg, p, &in, &out);
			snprintf(name, sizeof(name), "clm.lora.%d.h.%d.%s.A", s, l, proj_names[p]);
			if (add_param(m, name, in, rank, 1))
				return CLM_ENOMEM;
			struct clm_param *a = &m->params[m->n_params - 1];
			fill_normal(a->w, a->n, 1.0 / sqrt((double)in), &r);
			a->trainable = 1;
			snprintf(name, sizeof(name), "clm.lora.%d.h.%d.%s.B", s, l, proj_names[p]);
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
	int in, out, rmax = clm_lora_max_rank(m);

	if (!adapter || !m->n_lora)
		return;
	clm_proj_dims(&m->cfg, p, &in, &out);
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
	int in, out, rmax = clm_lora_max_rank(m);

	if (!adapter || !m->n_lora)
		return;
	clm_proj_dims(&m->cfg, p, &in, &out);
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
