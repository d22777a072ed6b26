/* spt and tspt: soft prompts on a frozen backbone. spt trains one shared prompt of prompt_len
 * rows for every task; tspt gives task k its own rows [k * prompt_len, (k + 1) * prompt_len) of the
 * model's prompt table, chosen at inference by the task id or, without it, by the closest task
 * prototype. Old tasks' rows receive no gradient, so with a fresh optimizer per task they stay
 * bit-identical. */
#include "cl/strategy_internal.h"
#include "util/error.h"

#include <stdlib.h>

struct prompt {
	int per_task;
	int32_t *rows;  /* owned identity table 0 .. n_rows-1, routes point into it */
	int n_rows;
	struct clm_cl_prototypes protos;
};

static int ensure_rows(struct prompt *p, int n)
{
	int32_t *g;

	if (n <= p->n_rows)
		return 0;
	if (!(g = realloc(p->rows, (size_t)n * sizeof(*g))))
		return clm_error_oom();
	for (int i = p->n_rows; i < n; i++)
		g[i] = i;
	p->rows = g;
	p->n_rows = n;
	return 0;
}

static int impl_for(struct clm_strategy *s, int per_task, struct prompt **out)
{
	if (!s->impl) {
		struct prompt *p = calloc(1, sizeof(*p));
		if (!p)
			return clm_error_oom();
		p->per_task = per_task;
		s->impl = p;
	}
	*out = s->impl;
	return 0;
}

static int begin(struct clm_strategy *s, struct clm_gpt *m, int per_task)
{
	int rows = s->params.prompt_len * (per_task ? (int)s->ntasks + 1 : 1), rc;
	struct prompt *p = NULL;

	if ((rc = impl_for(s, per_task, &p)) < 0)
		return rc;
	if (s->params.prompt_len < 1)
		return clm_error_set(CLM_EINVALID, "%s: prompt length must be positive", s->name);
	if (m->n_prompt_rows < rows && (rc = clm_gpt_set_prompt_rows(m, rows, s->params.seed + s->ntasks)) < 0)
		return rc;
	if ((rc = ensure_rows(p, rows)) < 0)
		return rc;
	return clm_cl_train_only(m, "clm.prompt");
}

static int spt_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)train;
	return begin(s, m, 0);
}

static int tspt_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)train;
	return begin(s, m, 1);
}

static int prompt_route(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
			const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes)
{
	struct prompt *p = s->impl;
	int len = s->params.prompt_len, rc = 0;
	size_t *task = malloc((size_t)(bare->n ? bare->n : 1) * sizeof(*task));

	if (!task)
		return clm_error_oom();
	if (!p || p->n_rows < len)
		rc = clm_error_set(CLM_EINVALID, "%s: no prompt has been trained", s->name);
	else if (p->per_task && mode == CLM_ROUTE_INFER_UNKNOWN)
		rc = clm_cl_prototype_match(&p->protos, m, bare, task);
	else
		for (int i = 0; i < bare->n; i++)
			task[i] = p->per_task ? items[i].task : 0;
	for (int i = 0; !rc && i < bare->n; i++) {
		if ((task[i] + 1) * (size_t)len > (size_t)p->n_rows)
			task[i] = 0; /* a task without its own prompt (cannot happen when routed by id) */
		routes[i] = (struct clm_cl_route){ p->rows + task[i] * (size_t)len, len, -1 };
		if (p->per_task && mode != CLM_ROUTE_TRAIN)
			rc = clm_strategy_count_selection(s, 1, items[i].task, task[i]);
	}
	free(task);
	return rc;
}

static int tspt_end(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	struct prompt *p = s->impl;
	return clm_cl_prototype_add(&p->protos, s, m, train, s->params.fisher_samples);
}

static int prompt_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state)
{
	const struct prompt *p = s->impl;
	(void)state;
	return p ? clm_cl_prototype_save(&p->protos, "cl.prototypes", tensors) : 0;
}

static int load(struct clm_strategy *s, const struct clm_tensor_list *tensors, int per_task)
{
	int rows = s->params.prompt_len * (per_task ? (int)s->ntasks : 1), rc;
	struct prompt *p = NULL;

	if ((rc = impl_for(s, per_task, &p)) < 0)
		return rc;
	if (s->ntasks && (rc = ensure_rows(p, rows)) < 0)
		return rc;
	return clm_cl_prototype_load(&p->protos, "cl.prototypes", tensors);
}

static int spt_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	(void)state;
	return load(s, tensors, 0);
}

static int tspt_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	(void)state;
	return load(s, tensors, 1);
}

static void prompt_release(struct clm_strategy *s)
{
	struct prompt *p = s->impl;

	if (p) {
		free(p->rows);
		clm_cl_prototype_release(&p->protos);
	}
	free(p);
	s->impl = NULL;
}

const struct clm_strategy_ops clm_cl_spt_ops = {
	.name = "spt",
	.frozen_backbone = 1,
	.begin_task = spt_begin,
	.route = prompt_route,
	.save = prompt_save,
	.load = spt_load,
	.release = prompt_release,
};

const struct clm_strategy_ops clm_cl_tspt_ops = {
	.name = "tspt",
	.frozen_backbone = 1,
	.begin_task = tspt_begin,
	.route = prompt_route,
	.end_task = tspt_end,
	.save = prompt_save,
	.load = tspt_load,
	.release = prompt_release,
};
