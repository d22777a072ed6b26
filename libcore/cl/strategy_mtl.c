/* mtl: joint training on every task seen so far, sampling task t with probability proportional
 * to size_t^alpha (the upper bound the continual strategies are measured against). It keeps a
 * copy of every task's training set. */
#include "cl/strategy_internal.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct mtl {
	struct clm_dataset *tasks; /* owned, one per task begun */
	size_t n, alloc;
};

static int copy_into(struct clm_dataset *dst, const struct clm_dataset *src)
{
	int rc = 0;
	for (size_t i = 0; i < src->n && !rc; i++) {
		const struct clm_example *e = &src->items[i];
		rc = clm_dataset_add(dst, e->id, e->task, e->kind, e->lang, e->source, e->target, e->prov);
	}
	return rc;
}

static int grow(struct clm_strategy *s, struct mtl **out)
{
	struct mtl *t = s->impl;

	if (!t && !(t = s->impl = calloc(1, sizeof(*t))))
		return clm_error_oom();
	if (CLM_ALLOC_GROW(t->tasks, t->n + 1, t->alloc) < 0)
		return CLM_ENOMEM;
	memset(&t->tasks[t->n], 0, sizeof(*t->tasks));
	*out = t;
	return 0;
}

static int mtl_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	struct mtl *t;
	int rc = grow(s, &t);

	if (rc)
		return rc;
	if (t->n > s->ntasks) /* a retried begin: replace the copy */
		clm_dataset_release(&t->tasks[--t->n]);
	if ((rc = copy_into(&t->tasks[t->n], train)) < 0) {
		clm_dataset_release(&t->tasks[t->n]);
		return rc;
	}
	t->n++;
	return clm_cl_train_only(m, "");
}

static int mtl_compose(struct clm_strategy *s, const struct clm_dataset *train, struct clm_cl_item *items, size_t n)
{
	struct mtl *t = s->impl;
	double total = 0, r;
	size_t k;

	(void)train;
	for (k = 0; k < t->n; k++)
		total += pow((double)t->tasks[k].n, s->params.mtl_alpha);
	for (size_t i = 0; i < n; i++) {
		r = clm_rng_uniform(&s->rng) * total;
		for (k = 0; k + 1 < t->n; k++) {
			r -= pow((double)t->tasks[k].n, s->params.mtl_alpha);
			if (r < 0)
				break;
		}
		while (!t->tasks[k].n) /* an empty task has weight 0; fall back to an earlier one */
			k--;
		items[i] = (struct clm_cl_item){ &t->tasks[k].items[clm_rng_below(&s->rng, t->tasks[k].n)], k };
	}
	return 0;
}

static int mtl_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state)
{
	const struct mtl *t = s->impl;
	json_t *tasks = json_array();

	(void)tensors;
	for (size_t k = 0; tasks && t && k < t->n && k < s->ntasks; k++) {
		json_t *arr = json_array();
		if (!arr || json_array_append_new(tasks, arr) < 0)
			break;
		for (size_t i = 0; i < t->tasks[k].n; i++)
			json_array_append_new(arr, clm_example_to_json(&t->tasks[k].items[i]));
	}
	return tasks && !json_object_set_new(state, "tasks", tasks) ? 0 : clm_error_oom();
}

static int mtl_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	const json_t *tasks = json_object_get(state, "tasks");
	struct mtl *t;
	int rc = 0;

	(void)tensors;
	if (!json_is_array(tasks) || json_array_size(tasks) != s->ntasks)
		return clm_error_set(CLM_EINVALID, "mtl state: expected %zu task datasets", s->ntasks);
	for (size_t k = 0; k < s->ntasks && !rc; k++) {
		const json_t *arr = json_array_get(tasks, k);
		if ((rc = grow(s, &t)) < 0)
			break;
		t->n++;
		for (size_t i = 0; i < json_array_size(arr) && !rc; i++)
			rc = clm_dataset_add_json(&t->tasks[k], json_array_get(arr, i), "mtl state");
	}
	return rc;
}

static void mtl_release(struct clm_strategy *s)
{
	struct mtl *t = s->impl;

	for (size_t k = 0; t && k < t->n; k++)
		clm_dataset_release(&t->tasks[k]);
	if (t)
		free(t->tasks);
	free(t);
	s->impl = NULL;
}

const struct clm_strategy_ops clm_cl_mtl_ops = {
	.name = "mtl",
	.begin_task = mtl_begin,
	.compose = mtl_compose,
	.save = mtl_save,
	.load = mtl_load,
	.release = mtl_release,
};
