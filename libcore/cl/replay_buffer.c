#include "cl/replay_buffer.h"
#include "data/codetask.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

void clm_replay_init(struct clm_replay_buffer *b, size_t capacity)
{
	memset(b, 0, sizeof(*b));
	b->capacity = capacity;
}

static size_t share_of(const struct clm_replay_buffer *b, size_t task)
{
	return b->capacity / b->ntasks + (task < b->capacity % b->ntasks);
}

/* Keep the `keep` rank-lowest examples (subsampling treats 0 as "all", so empty explicitly). */
static int shrink_to(struct clm_dataset *ds, size_t keep)
{
	if (keep)
		return clm_dataset_subsample(ds, keep);
	for (size_t i = 0; i < ds->n; i++)
		clm_example_release(&ds->items[i]);
	ds->n = 0;
	return 0;
}

int clm_replay_add_task(struct clm_replay_buffer *b, const struct clm_dataset *train)
{
	struct clm_dataset *mine;
	int rc = CLM_ALLOC_GROW(b->per_task, b->ntasks + 1, b->per_task_alloc);

	if (rc < 0)
		return rc;
	mine = &b->per_task[b->ntasks];
	memset(mine, 0, sizeof(*mine));
	b->ntasks++;
	for (size_t i = 0; i < train->n && !rc; i++) {
		const struct clm_example *e = &train->items[i];
		rc = clm_dataset_add(mine, e->id, e->task, e->kind, e->lang, e->source, e->target, e->prov);
	}
	/* Older tasks, kept at a larger share, shrink to the rank-lowest subset of what they hold. */
	for (size_t t = 0; t < b->ntasks && !rc; t++)
		rc = shrink_to(&b->per_task[t], share_of(b, t));
	return rc;
}

size_t clm_replay_size(const struct clm_replay_buffer *b)
{
	size_t n = 0;
	for (size_t t = 0; t < b->ntasks; t++)
		n += b->per_task[t].n;
	return n;
}

const struct clm_example *clm_replay_draw(const struct clm_replay_buffer *b, struct clm_rng *rng, size_t *task)
{
	size_t nonempty = 0, pick;

	for (size_t t = 0; t < b->ntasks; t++)
		nonempty += b->per_task[t].n > 0;
	if (!nonempty)
		return NULL;
	pick = clm_rng_below(rng, nonempty);
	for (size_t t = 0; t < b->ntasks; t++) {
		if (!b->per_task[t].n)
			continue;
		if (pick-- == 0) {
			*task = t;
			return &b->per_task[t].items[clm_rng_below(rng, b->per_task[t].n)];
		}
	}
	return NULL;
}

json_t *clm_replay_to_json(const struct clm_replay_buffer *b)
{
	json_t *o = json_object(), *tasks = json_array();
	int bad = !o || !tasks;

	for (size_t t = 0; t < b->ntasks && !bad; t++) {
		json_t *arr = json_array();
		bad |= !arr || json_array_append_new(tasks, arr) < 0;
		for (size_t i = 0; !bad && i < b->per_task[t].n; i++)
			bad |= json_array_append_new(arr, clm_example_to_json(&b->per_task[t].items[i])) < 0;
	}
	if (!bad)
		bad |= json_object_set_new(o, "capacity", json_integer((json_int_t)b->capacity)) < 0;
	if (!bad && json_object_set_new(o, "tasks", tasks) == 0)
		return o;
	json_decref(o);
	if (bad)
		json_decref(tasks);
	return NULL;
}

int clm_replay_from_json(struct clm_replay_buffer *b, const json_t *j)
{
	struct clm_replay_buffer nb;
	const json_t *tasks = json_object_get(j, "tasks");
	int64_t cap;
	int rc;

	if ((rc = clm_json_get_int(j, "capacity", 0, INT64_MAX, &cap, "replay buffer")) < 0)
		return rc;
	if (!json_is_array(tasks))
		return clm_error_set(CLM_EINVALID, "replay buffer: field 'tasks' is not an array");
	clm_replay_init(&nb, (size_t)cap);
	nb.per_task = calloc(json_array_size(tasks) + 1, sizeof(*nb.per_task));
	if (!nb.per_task)
		return clm_error_oom();
	nb.ntasks = json_array_size(tasks);
	for (size_t t = 0; t < nb.ntasks && !rc; t++) {
		const json_t *arr = json_array_get(tasks, t);
		if (!json_is_array(arr)) {
			rc = clm_error_set(CLM_EINVALID, "replay buffer: task %zu is not an array", t);
			break;
		}
		for (size_t i = 0; i < json_array_size(arr) && !rc; i++)
			rc = clm_dataset_add_json(&nb.per_task[t], json_array_get(arr, i), "replay buffer");
	}
	if (rc) {
		clm_replay_release(&nb);
		return rc;
	}
	clm_replay_release(b);
	*b = nb;
	return 0;
}

void clm_replay_release(struct clm_replay_buffer *b)
{
	for (size_t t = 0; t < b->ntasks; t++)
		clm_dataset_release(&b->per_task[t]);
	free(b->per_task);
	b->per_task = NULL;
	b->ntasks = b->per_task_alloc = 0;
}
