#include "store/show.h"
#include "git/refs.h"
#include "io/hf_dir.h"
#include "git/tree.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

static json_t *string_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static size_t blob_size(git_repository *repo, const git_oid *id)
{
	git_odb *odb = NULL;
	size_t len = 0;
	git_object_t type;

	if (git_repository_odb(&odb, repo) == 0 && git_odb_read_header(&len, &type, odb, id) < 0)
		len = 0;
	git_odb_free(odb);
	return len;
}

/* Tensor blobs of the parent version, to tell what this version adds. */
static int parent_blobs(struct clm_store *s, const struct clm_version *v, struct clm_version *parent)
{
	git_oid pid;

	memset(parent, 0, sizeof(*parent));
	if (!*v->parent || git_oid_fromstr(&pid, v->parent) < 0)
		return 0;
	if (clm_store_read_version(s, &pid, 0, parent) < 0) {
		clm_error_clear();
		return 0;
	}
	return 1;
}

static int blob_in_parent(const struct clm_version *parent, const char *blob)
{
	for (size_t i = 0; i < parent->nindex; i++)
		if (!strcmp(parent->index[i].blob, blob))
			return 1;
	return 0;
}

static json_t *weights_json(struct clm_store *s, const struct clm_version *v, json_t **tensors_out)
{
	struct clm_version parent;
	int have_parent = parent_blobs(s, v, &parent);
	json_t *tensors = json_array();
	uint64_t bytes = 0, new_bytes = 0, params = 0;
	size_t new_tensors = 0;

	for (size_t i = 0; i < v->nindex; i++) {
		const struct clm_tensor_entry *e = &v->index[i];
		json_t *shape = json_array();
		int is_new = !have_parent || !blob_in_parent(&parent, e->blob);
		for (int d = 0; d < e->ndim; d++)
			json_array_append_new(shape, json_integer(e->shape[d]));
		json_array_append_new(tensors, json_pack("{ss ss so sI sb}", "name", e->name, "dtype",
							 clm_dtype_name(e->dtype), "shape", shape, "bytes",
							 (json_int_t)e->nbytes, "new", is_new));
		bytes += e->nbytes;
		params += e->nbytes / clm_dtype_size(e->dtype);
		if (is_new) {
			new_bytes += e->nbytes;
			new_tensors++;
		}
	}
	if (have_parent)
		clm_version_release(&parent);
	*tensors_out = tensors;
	return json_pack("{sI sI sI sI sI}", "tensors", (json_int_t)v->nindex, "parameters", (json_int_t)params, "bytes",
			 (json_int_t)bytes, "new_bytes", (json_int_t)new_bytes, "new_tensors", (json_int_t)new_tensors);
}

/* tasks/<id>/task.json marks a task; its other files are listed with their sizes. */
static int tasks_json(struct clm_store *s, const git_tree *tree, const struct clm_tree_plan *plan, json_t *tasks)
{
	static const char suffix[] = "/task.json";
	int rc = 0;

	for (size_t i = 0; i < plan->n && rc == 0; i++) {
		const char *p = plan->items[i].path;
		size_t len = strlen(p), dir_len;
		struct clm_strbuf text = CLM_STRBUF_INIT;
		json_t *task, *files;
		if (strncmp(p, "tasks/", 6) || len < 6 + sizeof(suffix) || strcmp(p + len - (sizeof(suffix) - 1), suffix))
			continue;
		dir_len = len - (sizeof(suffix) - 1);
		rc = clm_tree_read_blob(s->repo, tree, p, &text);
		task = rc == 0 ? json_loadb(text.buf, text.len, 0, NULL) : NULL;
		clm_strbuf_release(&text);
		files = json_object();
		for (size_t j = 0; j < plan->n; j++) {
			const char *q = plan->items[j].path;
			if (!strncmp(q, p, dir_len + 1) && !strchr(q + dir_len + 1, '/'))
				json_object_set_new(files, q + dir_len + 1,
						    json_integer((json_int_t)blob_size(s->repo, &plan->items[j].blob)));
		}
		/* The id as task.json says it; the folder name is its escaped form. */
		if (json_is_string(json_object_get(task, "id")))
			json_array_append_new(tasks, json_pack("{sO ss# so so}", "id", json_object_get(task, "id"), "dir",
							       p + 6, (int)(dir_len - 6), "task", task, "files", files));
		else
			json_array_append_new(tasks, json_pack("{ss# ss# so so}", "id", p + 6, (int)(dir_len - 6), "dir",
							       p + 6, (int)(dir_len - 6), "task", task ? task : json_null(),
							       "files", files));
	}
	return rc;
}

static int files_json(struct clm_store *s, const git_tree *tree, json_t *desc)
{
	struct clm_tree_plan plan = { 0 };
	json_t *tasks = json_array(), *files = json_array();
	struct clm_strbuf text = CLM_STRBUF_INIT;
	int rc = clm_tree_plan_inherit(&plan, s->repo, tree, "tasks");

	if (rc == 0)
		rc = clm_tree_plan_inherit(&plan, s->repo, tree, "cl");
	if (rc == 0)
		rc = clm_tree_plan_inherit(&plan, s->repo, tree, "eval");
	for (int i = 0; rc == 0 && clm_hf_side_files[i]; i++)
		rc = clm_tree_plan_inherit_file(&plan, tree, clm_hf_side_files[i]);
	if (rc == 0)
		rc = tasks_json(s, tree, &plan, tasks);
	for (size_t i = 0; i < plan.n && rc == 0; i++)
		if (strncmp(plan.items[i].path, "tasks/", 6))
			json_array_append_new(files, json_pack("{ss sI}", "path", plan.items[i].path, "bytes",
							       (json_int_t)blob_size(s->repo, &plan.items[i].blob)));
	json_object_set_new(desc, "tasks", tasks);
	json_object_set_new(desc, "files", files);
	if (rc == 0 && clm_tree_read_blob(s->repo, tree, "eval/matrix.json", &text) == 0) {
		json_t *m = clm_json_parse(text.buf, text.len, "eval/matrix.json");
		json_object_set_new(desc, "matrix", m ? m : json_null());
	} else {
		json_object_set_new(desc, "matrix", json_null());
		if (rc == 0) /* no matrix is no error; a bad entry above keeps its message */
			clm_error_clear();
	}
	clm_strbuf_release(&text);
	clm_tree_plan_release(&plan);
	return rc;
}

int clm_store_show(struct clm_store *s, const git_oid *id, json_t **out)
{
	struct clm_version v;
	git_commit *c = NULL;
	git_tree *t = NULL;
	json_t *desc = NULL, *tensors = NULL, *config;
	int rc = clm_store_read_version(s, id, 0, &v);

	*out = NULL;
	if (rc < 0)
		return rc;
	config = clm_json_parse(v.config_json, v.config_len, "config.json");
	desc = json_pack("{ss so sI ss so so so so}", "version", v.oid, "parent", string_or_null(v.parent), "time",
			 (json_int_t)v.time, "summary", v.summary, "strategy", string_or_null(v.strategy), "task",
			 string_or_null(v.task), "source", string_or_null(v.source), "config",
			 config ? config : json_null());
	json_object_set_new(desc, "weights", weights_json(s, &v, &tensors));
	json_object_set_new(desc, "tensors", tensors);
	json_object_set_new(desc, "tokenizer_bytes", json_integer((json_int_t)v.tokenizer_len));
	if ((rc = git_commit_lookup(&c, s->repo, id)) < 0 || (rc = git_commit_tree(&t, c)) < 0)
		rc = clm_git_error(rc, "cannot read version %.12s", v.oid);
	else
		rc = files_json(s, t, desc);
	git_tree_free(t);
	git_commit_free(c);
	clm_version_release(&v);
	if (rc < 0) {
		json_decref(desc);
		return rc;
	}
	*out = desc;
	return 0;
}
