/* pp and pp-tf: a prompt pool (Learning to Prompt). pool_size keys, each owning pool_prompt_len
 * rows of the model's prompt table; the query of an example is the frozen backbone's mean-pooled
 * final hidden state over its source; the top_k keys by cosine similarity give the prefix (their
 * rows in order of similarity). Training adds -key_loss_weight * (sum of the selected keys'
 * cosines, averaged over the batch) and updates the keys with their own Adam at key_lr; the
 * prompts train through the model's optimizer; the backbone is frozen.
 * pp-tf (teacher forcing) assigns keys to tasks before training (clm_pptf_assign): while training
 * an example of task t only t's keys can be selected; inference chooses among all keys. */
#include "cl/key_select.h"
#include "cl/strategy_internal.h"
#include "util/error.h"
#include "util/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct pool {
	int teacher_forcing;
	size_t nkeys, dim, plen, k;
	float *keys, *key_m, *key_v; /* owned, nkeys x dim each: keys and their Adam moments */
	int64_t key_step;
	unsigned char *allowed;      /* pp-tf: planned_tasks x nkeys */
	/* the last training batch, for extra_loss */
	size_t nq;
	float *queries;              /* nq x dim */
	size_t *selected;            /* nq x k, (size_t)-1 where fewer were allowed */
	int32_t *prefix;             /* nq x k x plen prompt rows, routes point into it */
	size_t cap;                  /* examples the three buffers above hold */
};

static int pool_init(struct clm_strategy *s, size_t dim, int teacher_forcing)
{
	const struct clm_cl_params *pr = &s->params;
	struct pool *p = calloc(1, sizeof(*p));
	size_t n;

	if (!p)
		return clm_error_oom();
	s->impl = p;
	if (pr->pool_size < 1 || pr->pool_prompt_len < 1 || pr->top_k < 1 || pr->top_k > pr->pool_size)
		return clm_error_set(CLM_EINVALID, "%s: need 1 <= top_k <= pool_size and prompt tokens >= 1", s->name);
	p->teacher_forcing = teacher_forcing;
	p->nkeys = (size_t)pr->pool_size, p->dim = dim, p->plen = (size_t)pr->pool_prompt_len, p->k = (size_t)pr->top_k;
	n = p->nkeys * dim;
	p->keys = malloc(n * sizeof(float));
	p->key_m = calloc(n, sizeof(float));
	p->key_v = calloc(n, sizeof(float));
	if (!p->keys || !p->key_m || !p->key_v)
		return clm_error_oom();
	if (teacher_forcing) {
		if (pr->planned_tasks < 1)
			return clm_error_set(CLM_EINVALID, "pp-tf: planned_tasks must be positive");
		if (!(p->allowed = malloc((size_t)pr->planned_tasks * p->nkeys)))
			return clm_error_oom();
		return clm_pptf_assign((size_t)pr->planned_tasks, p->nkeys, (size_t)pr->pptf_shared, p->allowed);
	}
	return 0;
}

static int begin(struct clm_strategy *s, struct clm_gpt *m, int teacher_forcing)
{
	struct pool *p = s->impl;
	int rc;

	if (!p) {
		struct clm_rng r;
		if ((rc = pool_init(s, (size_t)m->cfg.n_embd, teacher_forcing)) < 0)
			return rc;
		p = s->impl;
		clm_rng_seed(&r, s->params.seed ^ 0x6b657973ULL);
		for (size_t i = 0; i < p->nkeys * p->dim; i++)
			p->keys[i] = (float)(2 * clm_rng_uniform(&r) - 1); /* uniform(-1, 1), as in L2P */
	}
	if (p->dim != (size_t)m->cfg.n_embd)
		return clm_error_set(CLM_EINVALID, "%s: keys have width %zu, the model %d", s->name, p->dim, m->cfg.n_embd);
	if (teacher_forcing && s->ntasks >= (size_t)s->params.planned_tasks)
		return clm_error_set(CLM_EINVALID, "pp-tf: keys were assigned to %d tasks; task %zu has none",
				     s->params.planned_tasks, s->ntasks + 1);
	if (m->n_prompt_rows < (int)(p->nkeys * p->plen) &&
	    (rc = clm_gpt_set_prompt_rows(m, (int)(p->nkeys * p->plen), s->params.seed)) < 0)
		return rc;
	return clm_cl_train_only(m, "clm.prompt");
}

static int pp_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)train;
	return begin(s, m, 0);
}

static int pptf_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)train;
	return begin(s, m, 1);
}

static int reserve(struct pool *p, size_t n)
{
	float *q;
	size_t *sel;
	int32_t *pre;

	if (n <= p->cap)
		return 0;
	q = realloc(p->queries, n * p->dim * sizeof(float));
	if (q)
		p->queries = q;
	sel = realloc(p->selected, n * p->k * sizeof(size_t));
	if (sel)
		p->selected = sel;
	pre = realloc(p->prefix, n * p->k * p->plen * sizeof(int32_t));
	if (pre)
		p->prefix = pre;
	if (!q || !sel || !pre)
		return clm_error_oom();
	p->cap = n;
	return 0;
}

static int pool_route(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
		      const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes)
{
	struct pool *p = s->impl;
	size_t n = (size_t)bare->n;
	float *cos;
	int rc;

	if (!p)
		return clm_error_set(CLM_EINVALID, "%s: the prompt pool has not been trained", s->name);
	p->nq = 0;
	if (!n)
		return 0;
	if ((rc = reserve(p, n)) < 0 || (rc = clm_gpt_pooled_hidden(m, bare, p->queries)) < 0)
		return rc;
	if (!(cos = malloc(n * p->nkeys * sizeof(float))))
		return clm_error_oom();
	rc = clm_cosine_matrix(p->queries, n, p->keys, p->nkeys, p->dim, cos);
	for (size_t i = 0; i < n && !rc; i++) {
		const unsigned char *allowed = NULL;
		size_t *sel = p->selected + i * p->k, got;
		int32_t *pre = p->prefix + i * p->k * p->plen;
		if (p->teacher_forcing && mode == CLM_ROUTE_TRAIN) {
			if (items[i].task >= (size_t)s->params.planned_tasks) {
				rc = clm_error_set(CLM_EINVALID, "pp-tf: task %zu has no assigned keys", items[i].task + 1);
				break;
			}
			allowed = p->allowed + items[i].task * p->nkeys;
		}
		got = clm_topk_allowed(cos + i * p->nkeys, p->nkeys, allowed, p->k, sel);
		for (size_t j = 0; j < got; j++)
			for (size_t r = 0; r < p->plen; r++)
				pre[j * p->plen + r] = (int32_t)(sel[j] * p->plen + r);
		for (size_t j = got; j < p->k; j++)
			sel[j] = (size_t)-1;
		routes[i] = (struct clm_cl_route){ pre, (int)(got * p->plen), -1 };
		for (size_t j = 0; j < got && !rc; j++)
			rc = clm_strategy_count_selection(s, mode != CLM_ROUTE_TRAIN, items[i].task, sel[j]);
	}
	free(cos);
	if (!rc && mode == CLM_ROUTE_TRAIN)
		p->nq = n;
	return rc;
}

/* One Adam step (betas 0.9/0.999, eps 1e-8) of the keys from `grad`. */
static void key_adam(struct pool *p, const float *grad, double lr)
{
	const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
	double c1, c2;

	p->key_step++;
	c1 = 1 - pow(b1, (double)p->key_step);
	c2 = 1 - pow(b2, (double)p->key_step);
	for (size_t i = 0; i < p->nkeys * p->dim; i++) {
		p->key_m[i] = (float)(b1 * p->key_m[i] + (1 - b1) * grad[i]);
		p->key_v[i] = (float)(b2 * p->key_v[i] + (1 - b2) * grad[i] * grad[i]);
		p->keys[i] -= (float)(lr * (p->key_m[i] / c1) / (sqrt(p->key_v[i] / c2) + eps));
	}
}

static int pool_extra_loss(struct clm_strategy *s, struct clm_gpt *m, float *loss)
{
	struct pool *p = s->impl;
	float *grad, *cos, w;
	double sum = 0;
	int rc;

	(void)m;
	if (!p || !p->nq)
		return 0;
	grad = calloc(p->nkeys * p->dim, sizeof(float));
	cos = malloc(p->nq * p->nkeys * sizeof(float));
	rc = grad && cos ? clm_cosine_matrix(p->queries, p->nq, p->keys, p->nkeys, p->dim, cos) : clm_error_oom();
	w = (float)(s->params.key_loss_weight / (double)p->nq);
	for (size_t i = 0; !rc && i < p->nq; i++)
		for (size_t j = 0; j < p->k; j++) {
			size_t key = p->selected[i * p->k + j];
			if (key == (size_t)-1)
				continue;
			sum += cos[i * p->nkeys + key];
			clm_cosine_grad_key(p->queries + i * p->dim, p->keys + key * p->dim, p->dim, -w,
					    grad + key * p->dim);
		}
	if (!rc) {
		*loss -= (float)(s->params.key_loss_weight * sum / (double)p->nq);
		key_adam(p, grad, s->params.key_lr);
	}
	p->nq = 0;
	free(grad);
	free(cos);
	return rc;
}

static size_t pool_own_params(const struct clm_strategy *s)
{
	const struct pool *p = s->impl;
	return p ? p->nkeys * p->dim : 0;
}

static int pool_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state)
{
	const struct pool *p = s->impl;
	int64_t shape[2];
	int rc;

	if (!p)
		return 0;
	shape[0] = (int64_t)p->nkeys, shape[1] = (int64_t)p->dim;
	rc = clm_tensor_list_add(tensors, "cl.pool.keys", CLM_DTYPE_F32, 2, shape, p->keys, p->nkeys * p->dim * sizeof(float));
	if (!rc)
		rc = clm_tensor_list_add(tensors, "cl.pool.keys_adam_m", CLM_DTYPE_F32, 2, shape, p->key_m,
					 p->nkeys * p->dim * sizeof(float));
	if (!rc)
		rc = clm_tensor_list_add(tensors, "cl.pool.keys_adam_v", CLM_DTYPE_F32, 2, shape, p->key_v,
					 p->nkeys * p->dim * sizeof(float));
	if (!rc && (json_object_set_new(state, "key_step", json_integer(p->key_step)) < 0 ||
		    json_object_set_new(state, "key_width", json_integer((json_int_t)p->dim)) < 0))
		rc = clm_error_oom();
	return rc;
}

static int load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state, int tf)
{
	int64_t step, width;
	const float *k, *km, *kv;
	struct pool *p;
	size_t n;
	int rc;

	if (!json_object_get(state, "key_width"))
		return 0; /* saved before the first task began */
	if ((rc = clm_json_get_int(state, "key_width", 1, 1 << 20, &width, "prompt pool state")) < 0 ||
	    (rc = clm_json_get_int(state, "key_step", 0, INT64_MAX, &step, "prompt pool state")) < 0)
		return rc;
	if ((rc = pool_init(s, (size_t)width, tf)) < 0)
		return rc;
	p = s->impl;
	n = p->nkeys * p->dim;
	if (!(k = clm_cl_tensor_f32(tensors, "cl.pool.keys", n)) ||
	    !(km = clm_cl_tensor_f32(tensors, "cl.pool.keys_adam_m", n)) ||
	    !(kv = clm_cl_tensor_f32(tensors, "cl.pool.keys_adam_v", n)))
		return CLM_EINVALID;
	memcpy(p->keys, k, n * sizeof(float));
	memcpy(p->key_m, km, n * sizeof(float));
	memcpy(p->key_v, kv, n * sizeof(float));
	p->key_step = step;
	return 0;
}

static int pp_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	return load(s, tensors, state, 0);
}

static int pptf_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	return load(s, tensors, state, 1);
}

static void pool_release(struct clm_strategy *s)
{
	struct pool *p = s->impl;

	if (p) {
		free(p->keys), free(p->key_m), free(p->key_v), free(p->allowed);
		free(p->queries), free(p->selected), free(p->prefix);
	}
	free(p);
	s->impl = NULL;
}

const struct clm_strategy_ops clm_cl_pp_ops = {
	.name = "pp",
	.frozen_backbone = 1,
	.begin_task = pp_begin,
	.route = pool_route,
	.extra_loss = pool_extra_loss,
	.own_params = pool_own_params,
	.save = pool_save,
	.load = pp_load,
	.release = pool_release,
};

const struct clm_strategy_ops clm_cl_pptf_ops = {
	.name = "pp-tf",
	.frozen_backbone = 1,
	.begin_task = pptf_begin,
	.route = pool_route,
	.extra_loss = pool_extra_loss,
	.own_params = pool_own_params,
	.save = pool_save,
	.load = pptf_load,
	.release = pool_release,
};
