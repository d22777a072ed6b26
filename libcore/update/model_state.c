#include "update/model_state.h"
#include "data/taskdir.h"
#include "nn/config.h"
#include "nn/model.h"
#include "nn/tensormap.h"
#include "store/weights.h"
#include "util/error.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split the version's weights: "cl." tensors belong to the strategy, the rest to the model. */
static int split_weights(const struct clm_tensor_list *all, struct clm_tensor_list *model,
			 struct clm_tensor_list *strategy)
{
	for (size_t i = 0; i < all->n; i++) {
		const struct clm_named_tensor *t = &all->items[i];
		struct clm_tensor_list *to = strncmp(t->name, "cl.", 3) ? model : strategy;
		int rc = clm_tensor_list_add(to, t->name, t->dtype, t->ndim, t->shape, t->data, t->nbytes);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static json_t *file_json(const struct clm_version *v, const char *path)
{
	const struct clm_file *f = clm_file_list_find(&v->files, path);
	return f ? clm_json_parse(f->data, f->len, path) : NULL;
}

/* Every tensor of the index outside the strategy ("cl.") and the adapters and prompts ("clm.")
 * is a backbone parameter of the model config.json describes, with its shape, or a tensor its
 * loader skips (clm_gpt_checkpoint_shape): checked before any blob is read, so an index cannot make us load tensors the model would refuse afterwards. */
static int check_names(const struct clm_version *v)
{
	struct clm_gpt_config cfg;
	json_t *config = clm_json_parse(v->config_json, v->config_len, "config.json");
	int rc = config ? clm_gpt_config_from_json(config, &cfg) : CLM_EINVALID;

	json_decref(config);
	for (size_t i = 0; i < v->nindex && rc == 0; i++) {
		const struct clm_tensor_entry *e = &v->index[i];
		int64_t shape[2];
		int ndim;
		if (!strncmp(e->name, "cl.", 3) || !strncmp(e->name, "clm.", 4))
			continue;
		int known = clm_gpt_checkpoint_shape(&cfg, e->name, &ndim, shape);
		if (known < 0)
			rc = clm_error_set(CLM_EINVALID, "tensor '%s' is no parameter of the model config.json describes",
					   e->name);
		else if (known && (ndim != e->ndim || shape[0] != e->shape[0] || (ndim == 2 && shape[1] != e->shape[1])))
			rc = clm_error_set(CLM_EINVALID, "tensor '%s' does not have the shape config.json gives it",
					   e->name);
	}
	return rc;
}

int clm_model_state_load(struct clm_store *s, const git_oid *id, struct clm_model_state *out)
{
	struct clm_tensor_list model = { 0 }, strategy = { 0 };
	json_t *state = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = clm_store_read_version(s, id, CLM_READ_FILES, &out->version);
	if (rc == 0)
		rc = check_names(&out->version);
	if (rc == 0)
		rc = clm_weights_load(s->repo, out->version.index, out->version.nindex, &out->version.weights);
	if (rc == 0)
		rc = split_weights(&out->version.weights, &model, &strategy);
	if (rc == 0)
		rc = clm_base_model_from_parts(git_oid_tostr_s(id), out->version.config_json, out->version.config_len,
					       out->version.tokenizer_json, out->version.tokenizer_len, &model,
					       &out->base);
	if (rc == 0 && clm_file_list_find(&out->version.files, CLM_STATE_STRATEGY_FILE)) {
		state = file_json(&out->version, CLM_STATE_STRATEGY_FILE);
		rc = state ? clm_strategy_load(&out->strategy, &strategy, state) : CLM_EINVALID;
		out->has_strategy = rc == 0;
	}
	if (rc == 0 && clm_file_list_find(&out->version.files, CLM_STATE_MATRIX_FILE) &&
	    !(out->matrix = file_json(&out->version, CLM_STATE_MATRIX_FILE)))
		rc = CLM_EINVALID;
	if (rc == 0 && clm_file_list_find(&out->version.files, CLM_STATE_CONSUMED_FILE)) {
		out->consumed = file_json(&out->version, CLM_STATE_CONSUMED_FILE);
		if (!json_is_array(out->consumed))
			rc = clm_error_set(CLM_EINVALID, "%s is not a JSON array", CLM_STATE_CONSUMED_FILE);
	}
	if (rc == 0 && !out->consumed && !(out->consumed = json_array()))
		rc = clm_error_oom();
	if (rc < 0)
		clm_error_wrap(rc, "model version %.12s", git_oid_tostr_s(id));
	json_decref(state);
	clm_tensor_list_release(&model);
	clm_tensor_list_release(&strategy);
	return rc;
}

int clm_model_state_for_inference(struct clm_model_state *st)
{
	struct clm_cl_params params;
	int rc;

	if (st->has_strategy)
		return 0;
	clm_cl_params_defaults(&params);
	rc = clm_strategy_create(&st->strategy, "seqft", &params);
	st->has_strategy = rc == 0;
	return rc;
}

void clm_model_state_release(struct clm_model_state *st)
{
	clm_version_release(&st->version);
	clm_base_model_release(&st->base);
	if (st->has_strategy)
		clm_strategy_release(&st->strategy);
	json_decref(st->matrix);
	json_decref(st->consumed);
	memset(st, 0, sizeof(*st));
}

size_t clm_model_state_tasks(const struct clm_model_state *st, const char ***names)
{
	json_t *tasks = json_object_get(st->matrix, "tasks");
	size_t n = json_array_size(tasks);
	const char **v = n ? calloc(n, sizeof(*v)) : NULL;

	*names = v;
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(tasks, i));
	return n;
}

int clm_model_state_task_split(const struct clm_model_state *st, const char *dir, const char *split,
			       struct clm_dataset *out)
{
	char path[1024];
	const struct clm_file *f;
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "tasks/%s/%s.jsonl", dir, split);
	f = clm_file_list_find(&st->version.files, path);
	if (!f || !f->len)
		return 0;
	fp = fmemopen(f->data, f->len, "r");
	if (!fp)
		return clm_error_oom();
	rc = clm_dataset_read_jsonl(out, fp, path);
	fclose(fp);
	return rc < 0 ? rc : 0;
}

/* A task folder in a version's tree, as a clm_task_split_reader reads it. */
struct version_task {
	const struct clm_model_state *st;
	char *dir; /* escaped task id; owned */
};

static int read_version_split(void *ctx, const char *split, struct clm_dataset *out)
{
	const struct version_task *t = ctx;
	return clm_model_state_task_split(t->st, t->dir, split, out);
}

int clm_model_state_eval_set(const struct clm_model_state *st, const char *id, size_t max, struct clm_dataset *out,
			     int *on_train)
{
	struct version_task t = { st, clm_task_id_escape(id) };
	int rc;

	*on_train = 0;
	if (!t.dir)
		return clm_error_oom();
	rc = clm_task_eval_set(read_version_split, &t, 1, max, out, on_train);
	free(t.dir);
	return rc;
}
