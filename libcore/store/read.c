/* Reading model versions back: metadata, weights verified against their checksums, files. */
#include "git/refs.h"
#include "io/hf_dir.h"
#include "store/store.h"
#include "git/tree.h"
#include "store/weights.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Summary line and Clmodel-* trailers of a commit message. */
static int parse_message(const char *msg, struct clm_version_info *out)
{
	git_message_trailer_array tr = { 0 };
	size_t len = strcspn(msg, "\n");

	out->summary = strndup(msg, len);
	if (!out->summary)
		return clm_error_oom();
	if (git_message_trailers(&tr, msg) < 0)
		return 0;
	for (size_t i = 0; i < tr.count; i++) {
		char **slot = !strcmp(tr.trailers[i].key, "Clmodel-Strategy") ? &out->strategy
			    : !strcmp(tr.trailers[i].key, "Clmodel-Task")   ? &out->task
			    : !strcmp(tr.trailers[i].key, "Clmodel-Source") ? &out->source : NULL;
		if (slot && !*slot)
			*slot = strdup(tr.trailers[i].value);
	}
	git_message_trailer_array_free(&tr);
	return 0;
}

/* summary.average and summary.forgetting of eval/matrix.json, when present. */
static void read_scores(git_repository *repo, const git_tree *tree, struct clm_version_info *out)
{
	struct clm_strbuf text = CLM_STRBUF_INIT;
	json_t *m, *sum;

	out->forgetting = NAN;
	if (clm_tree_read_blob(repo, tree, "eval/matrix.json", &text) < 0) {
		clm_error_clear();
		clm_strbuf_release(&text);
		return;
	}
	m = json_loadb(text.buf, text.len, 0, NULL);
	sum = json_object_get(m, "summary");
	if (json_is_number(json_object_get(sum, "average"))) {
		out->has_scores = 1;
		out->average = json_number_value(json_object_get(sum, "average"));
		if (json_is_number(json_object_get(sum, "forgetting")))
			out->forgetting = json_number_value(json_object_get(sum, "forgetting"));
	}
	json_decref(m);
	clm_strbuf_release(&text);
}

int clm_store_describe(struct clm_store *s, const git_oid *id, struct clm_version_info *out)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int rc = git_commit_lookup(&c, s->repo, id);

	memset(out, 0, sizeof(*out));
	out->forgetting = NAN;
	if (rc < 0)
		return clm_git_error(rc, "cannot read version commit");
	git_oid_tostr(out->oid, sizeof(out->oid), id);
	out->time = (int64_t)git_commit_time(c);
	rc = parse_message(git_commit_message(c), out);
	if (rc == 0 && git_commit_tree(&t, c) == 0)
		read_scores(s->repo, t, out);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

void clm_version_info_release(struct clm_version_info *v)
{
	free(v->summary);
	free(v->strategy);
	free(v->task);
	free(v->source);
}

void clm_version_infos_free(struct clm_version_info *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		clm_version_info_release(&v[i]);
	free(v);
}

int clm_store_list(struct clm_store *s, const git_oid *from, size_t max, struct clm_version_info **out, size_t *n)
{
	struct clm_version_info *items = NULL;
	size_t count = 0, cap = 0;
	git_oid cur;
	int rc = 0;

	*out = NULL;
	*n = 0;
	git_oid_cpy(&cur, from);
	for (;;) {
		if (max && count == max)
			break;
		if ((rc = CLM_ALLOC_GROW(items, count + 1, cap)) < 0 || (rc = clm_store_describe(s, &cur, &items[count])) < 0)
			break;
		count++;
		if ((rc = clm_git_first_parent(s->repo, &cur)) <= 0)
			break;
	}
	rc = rc > 0 ? 0 : rc;
	if (rc < 0) {
		clm_version_infos_free(items, count);
		return rc;
	}
	*out = items;
	*n = count;
	return 0;
}

static int read_files(struct clm_store *s, const git_tree *tree, struct clm_file_list *out)
{
	static const char *const dirs[] = { "cl", "tasks", "eval" };
	struct clm_tree_plan plan = { 0 };
	int rc = 0;

	for (size_t i = 0; i < 3 && rc == 0; i++)
		rc = clm_tree_plan_inherit(&plan, s->repo, tree, dirs[i]);
	for (int i = 0; rc == 0 && clm_hf_side_files[i]; i++)
		rc = clm_tree_plan_inherit_file(&plan, tree, clm_hf_side_files[i]);
	for (size_t i = 0; i < plan.n && rc == 0; i++) {
		git_blob *b = NULL;
		if ((rc = git_blob_lookup(&b, s->repo, &plan.items[i].blob)) < 0) {
			rc = clm_git_error(rc, "cannot read '%s' (missing or corrupted)", plan.items[i].path);
			break;
		}
		rc = clm_file_list_add(out, plan.items[i].path, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
	clm_tree_plan_release(&plan);
	return rc;
}

static int detach_blob(git_repository *repo, const git_tree *tree, const char *path, char **data, size_t *len)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = clm_tree_read_blob(repo, tree, path, &sb);

	if (rc < 0) {
		clm_strbuf_release(&sb);
		return rc;
	}
	*data = clm_strbuf_detach(&sb, len);
	return *data ? 0 : clm_error_oom();
}

int clm_store_read_version(struct clm_store *s, const git_oid *id, unsigned flags, struct clm_version *out)
{
	struct clm_version_info info;
	git_commit *c = NULL;
	git_tree *t = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = clm_store_describe(s, id, &info)) < 0)
		return rc;
	memcpy(out->oid, info.oid, sizeof(out->oid));
	out->time = info.time;
	out->summary = info.summary;
	out->strategy = info.strategy;
	out->task = info.task;
	out->source = info.source;
	if ((rc = git_commit_lookup(&c, s->repo, id)) < 0 || (rc = git_commit_tree(&t, c)) < 0) {
		rc = clm_git_error(rc, "cannot read version %.12s", out->oid);
		goto cleanup;
	}
	if (git_commit_parentcount(c) > 0)
		git_oid_tostr(out->parent, sizeof(out->parent), git_commit_parent_id(c, 0));
	if ((rc = detach_blob(s->repo, t, "config.json", &out->config_json, &out->config_len)) < 0 ||
	    (rc = detach_blob(s->repo, t, "tokenizer.json", &out->tokenizer_json, &out->tokenizer_len)) < 0 ||
	    (rc = clm_weights_index_read(s->repo, t, &out->index, &out->nindex)) < 0)
		goto cleanup;
	if ((flags & CLM_READ_WEIGHTS) && (rc = clm_weights_load(s->repo, out->index, out->nindex, &out->weights)) < 0)
		goto cleanup;
	if (flags & CLM_READ_FILES)
		rc = read_files(s, t, &out->files);
cleanup:
	if (rc < 0)
		clm_error_wrap(rc, "version %.12s", out->oid);
	git_tree_free(t);
	git_commit_free(c);
	if (rc < 0)
		clm_version_release(out);
	return rc;
}

int clm_store_read_file(struct clm_store *s, const git_oid *id, const char *path, struct clm_strbuf *out)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	int rc = git_commit_lookup(&c, s->repo, id);

	if (rc == 0)
		rc = git_commit_tree(&t, c);
	rc = rc < 0 ? clm_git_error(rc, "cannot read version") : clm_tree_read_blob(s->repo, t, path, out);
	git_tree_free(t);
	git_commit_free(c);
	return rc;
}

void clm_version_release(struct clm_version *v)
{
	free(v->summary);
	free(v->strategy);
	free(v->task);
	free(v->source);
	free(v->config_json);
	free(v->tokenizer_json);
	clm_tensor_entries_free(v->index, v->nindex);
	clm_tensor_list_release(&v->weights);
	clm_file_list_release(&v->files);
	memset(v, 0, sizeof(*v));
}
