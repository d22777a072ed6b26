#include "mine/task.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clm_mine_task_release(struct clm_mine_task *t)
{
	clm_task_writer_release(&t->writer);
	free(t->deps);
	json_decref(t->meta);
	memset(t, 0, sizeof(*t));
}

int clm_mine_task_finish(struct clm_mine_task *t, const struct clm_mine_task_ctx *c)
{
	json_t *window = json_pack("{s:s,s:I,s:I}", "last", t->last_commit, "commits",
				   (json_int_t)t->window_commits, "max", (json_int_t)c->window);

	if (!window || json_object_set_new(t->meta, "window", window) < 0)
		return clm_error_oom();
	return clm_task_writer_finish(&t->writer, t->meta);
}

/* The commit owning task `id`: from this run, else (unless rescanning) from the tasks folder;
 * NULL when none. Caller frees. */
static char *task_owner(const struct clm_mine_task_ctx *c, const char *id)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
	const char *run = json_string_value(json_object_get(c->ids, id));
	char *esc, *owner = NULL;
	json_t *old = NULL;

	if (run || c->stream || c->rescan)
		return run ? strdup(run) : NULL;
	esc = clm_task_id_escape(id);
	if (esc && clm_strbuf_addf(&path, "%s/%s/task.json", c->tasks_dir, esc) == 0 &&
	    clm_read_file(path.buf, 16 << 20, &data) == 0 && (old = clm_json_parse(data.buf, data.len, path.buf)) &&
	    json_string_value(json_object_get(old, "commit")))
		owner = strdup(json_string_value(json_object_get(old, "commit")));
	clm_error_clear();
	json_decref(old);
	free(esc);
	clm_strbuf_release(&path);
	clm_strbuf_release(&data);
	return owner;
}

/* A task id that no other commit's task uses: `id`, or `id@<commit>` on a clash. */
static char *unique_task_id(const struct clm_mine_task_ctx *c, const char *id, const char *commit_hex)
{
	char *owner = task_owner(c, id), *out = NULL;

	if (owner && strcmp(owner, commit_hex)) {
		out = clm_strfmt("%s@%.12s", id, commit_hex);
	} else {
		out = strdup(id);
	}
	free(owner);
	if (out && json_object_set_new(c->ids, out, json_string(commit_hex)) < 0) {
		free(out);
		out = NULL;
	}
	return out;
}

/* Point the task's dependency list at the ecosystem and package of each event in its meta. */
static int deps_from_meta(struct clm_mine_task *t)
{
	json_t *evs = json_object_get(t->meta, "events"), *e;
	size_t i;

	free(t->deps);
	t->ndeps = 0;
	t->deps = calloc(json_array_size(evs) + 1, sizeof(*t->deps));
	if (!t->deps)
		return clm_error_oom();
	json_array_foreach(evs, i, e) {
		const char *eco = json_string_value(json_object_get(e, "ecosystem"));
		const char *pkg = json_string_value(json_object_get(e, "package"));
		if (eco && pkg)
			t->deps[t->ndeps++] = (struct clm_task_dep){ eco, pkg };
	}
	return 0;
}

int clm_mine_task_resume(struct clm_mine_task *t, const struct clm_mine_task_ctx *c, git_repository *repo,
			 const struct clm_mine_state *state, const git_oid *tip)
{
	const char *id;
	int rc;

	if (!state->open_task || state->open_left == 0 ||
	    (!git_oid_equal(tip, &state->open_last) && git_graph_descendant_of(repo, tip, &state->open_last) != 1))
		return 0;
	rc = clm_task_writer_resume(&t->writer, c->tasks_dir, state->open_task, &t->meta);
	if (rc == CLM_ENOTFOUND) {
		clm_task_writer_release(&t->writer);
		clm_error_clear();
		return 0;
	}
	if (rc == 0)
		rc = deps_from_meta(t);
	id = json_string_value(json_object_get(t->meta, "id"));
	if (rc == 0 && id && json_object_set_new(c->ids, id, json_incref(json_object_get(t->meta, "commit"))) < 0)
		rc = clm_error_oom();
	if (rc < 0) {
		clm_mine_task_release(t);
		return rc;
	}
	t->active = 1;
	t->window_left = state->open_left;
	t->window_commits = state->open_commits;
	git_oid_tostr(t->last_commit, sizeof(t->last_commit), &state->open_last);
	return 1;
}

int clm_mine_task_open(struct clm_mine_task *t, const struct clm_mine_task_ctx *c, git_commit *commit,
		       const struct clm_dep_event_list *events)
{
	char hex[GIT_OID_HEXSZ + 1], *base = NULL, *id = NULL;
	json_t *evs = json_array();
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	base = clm_events_task_id(events);
	id = base ? unique_task_id(c, base, hex) : NULL;
	if (!evs || !id) {
		rc = clm_error_oom();
		goto cleanup;
	}
	for (size_t i = 0; i < events->n; i++) {
		if (json_array_append_new(evs, clm_event_to_json(&events->items[i])) < 0) {
			rc = clm_error_oom();
			goto cleanup;
		}
	}
	t->meta = json_pack("{s:s,s:s,s:I,s:O}", "id", id, "commit", hex, "time",
			    (json_int_t)git_commit_time(commit), "events", evs);
	if (!t->meta || deps_from_meta(t) < 0) {
		rc = clm_error_oom();
		goto cleanup;
	}
	rc = clm_task_writer_open(&t->writer, c->tasks_dir, id, c->stream);
	t->active = 1;
	t->window_left = c->window;
	t->window_commits = 0;
cleanup:
	json_decref(evs);
	free(base);
	free(id);
	return rc;
}
