/* lora: one LoRA adapter set per task on a frozen backbone. Adapter k belongs to task k; at
 * inference the task's adapter is used when the task is known, otherwise the task whose
 * prototype (mean frozen-backbone query over its training sources) is closest by cosine. */
#include "cl/strategy_internal.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>

static int lora_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	char prefix[48];
	int idx = m->n_lora;

	(void)train;
	if (!s->impl && !(s->impl = calloc(1, sizeof(struct clm_cl_prototypes))))
		return clm_error_oom();
	if ((size_t)m->n_lora < s->ntasks)
		return clm_error_set(CLM_EINVALID, "lora: the model has %d adapter sets for %zu learned tasks",
				     m->n_lora, s->ntasks);
	if ((size_t)m->n_lora == s->ntasks)
		idx = clm_gpt_add_lora(m, s->params.lora_rank, s->params.lora_alpha, s->params.seed + s->ntasks);
	else
		idx = (int)s->ntasks; /* a retried begin reuses the set it added */
	if (idx < 0)
		return idx;
	snprintf(prefix, sizeof(prefix), "clm.lora.%d.", idx);
	return clm_cl_train_only(m, prefix);
}

static int lora_route(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
		      const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes)
{
	size_t *task = malloc((size_t)(bare->n ? bare->n : 1) * sizeof(*task));
	int rc = 0;

	if (!task)
		return clm_error_oom();
	if (mode == CLM_ROUTE_INFER_UNKNOWN)
		rc = clm_cl_prototype_match(s->impl, m, bare, task);
	else
		for (int i = 0; i < bare->n; i++)
			task[i] = items[i].task;
	for (int i = 0; !rc && i < bare->n; i++) {
		routes[i] = (struct clm_cl_route){ NULL, 0, task[i] < (size_t)m->n_lora ? (int)task[i] : -1 };
		if (mode != CLM_ROUTE_TRAIN)
			rc = clm_strategy_count_selection(s, 1, items[i].task, task[i]);
	}
	free(task);
	return rc;
}

static int lora_end(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	return clm_cl_prototype_add(s->impl, s, m, train, s->params.fisher_samples);
}

static int lora_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state)
{
	(void)state;
	return s->impl ? clm_cl_prototype_save(s->impl, "cl.prototypes", tensors) : 0;
}

static int lora_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	(void)state;
	if (!(s->impl = calloc(1, sizeof(struct clm_cl_prototypes))))
		return clm_error_oom();
	return clm_cl_prototype_load(s->impl, "cl.prototypes", tensors);
}

static void lora_release(struct clm_strategy *s)
{
	if (s->impl)
		clm_cl_prototype_release(s->impl);
	free(s->impl);
	s->impl = NULL;
}

const struct clm_strategy_ops clm_cl_lora_ops = {
	.name = "lora",
	.frozen_backbone = 1,
	.begin_task = lora_begin,
	.route = lora_route,
	.end_task = lora_end,
	.save = lora_save,
	.load = lora_load,
	.release = lora_release,
};
