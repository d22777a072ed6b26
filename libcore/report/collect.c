#include "report/collect.h"
#include "cl/trainer.h"
#include "data/taskdir.h"
#include "git/repo.h"
#include "rollout/monitor.h"
#include "store/notes.h"
#include "store/pins.h"
#include "store/which.h"
#include "update/model_state.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void clm_report_options_init(struct clm_report_options *o)
{
	memset(o, 0, sizeof(*o));
	o->examples = 3;
	o->max_tags = 50;
}

/* A number, or null for NaN and infinities (JSON has neither). */
static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* summary.{average,forgetting,bwt} of a version's eval/matrix.json into `o` (nulls when absent). */
static int add_scores(struct clm_store *s, const char *hex, json_t *o)
{
	static const char *const keys[] = { "average", "forgetting", "bwt" };
	struct clm_strbuf sb;
	json_t *m = NULL, *sum;
	git_oid id;
	int rc;

	clm_strbuf_init(&sb);
	git_oid_fromstr(&id, hex);
	rc = clm_store_read_file(s, &id, CLM_STATE_MATRIX_FILE, &sb);
	if (rc == 0 && !(m = clm_json_parse(sb.buf, sb.len, CLM_STATE_MATRIX_FILE)))
		rc = CLM_EINVALID;
	sum = json_object_get(m, "summary");
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(sum, keys[i]);
		json_object_set_new(o, keys[i], json_is_number(v) ? number(json_number_value(v)) : json_null());
	}
	json_decref(m);
	clm_strbuf_release(&sb);
	/* The base version has no matrix: its scores are simply absent. */
	return rc == CLM_ENOTFOUND ? 0 : rc;
}

/* What git clmodel monitor last noted on the version: suggestions kept in use. */
static void add_uptake(struct clm_store *s, const char *model, const char *hex, json_t *o)
{
	git_oid id;
	json_t *last = git_oid_fromstr(&id, hex) < 0 ? NULL : clm_monitor_last_note(s, model, &id);

	if (last)
		json_object_set_new(o, "monitor", last);
}

static int collect_versions(struct clm_store *s, const char *model, const git_oid *head, json_t *versions)
{
	char head_hex[GIT_OID_HEXSZ + 1];
	struct clm_version_info *items = NULL;
	size_t n = 0;
	int rc = clm_store_list(s, head, 0, &items, &n);

	git_oid_tostr(head_hex, sizeof(head_hex), head);
	for (size_t k = n; rc == 0 && k-- > 0;) {
		const struct clm_version_info *v = &items[k];
		json_t *o = json_pack("{s:s,s:I,s:s,s:o,s:o,s:b,s:[]}", "version", v->oid, "time", (json_int_t)v->time,
				      "summary", v->summary ? v->summary : "", "task", string_or_null(v->task), "strategy",
				      string_or_null(v->strategy), "head", !strcmp(v->oid, head_hex), "marks");
		if (!o || json_array_append_new(versions, o) < 0)
			rc = clm_error_oom();
		else
			rc = add_scores(s, v->oid, o);
		if (rc == 0)
			add_uptake(s, model, v->oid, o);
	}
	clm_version_infos_free(items, n);
	return rc;
}

static json_t *find_version(json_t *versions, const char *hex)
{
	size_t i;
	json_t *v;

	json_array_foreach(versions, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "version")), hex))
			return v;
	return NULL;
}

static int add_mark(json_t *versions, const char *hex, const char *kind, const char *name)
{
	json_t *v = find_version(versions, hex);

	if (!v)
		return 0; /* a pin of a version off this model's history (another model, the attic) */
	return json_array_append_new(json_object_get(v, "marks"), json_pack("{s:s,s:s}", "kind", kind, "name", name)) < 0
		       ? clm_error_oom()
		       : 0;
}

struct tag_time {
	char *name;
	int64_t time;
};

static int by_time_desc(const void *a, const void *b)
{
	const struct tag_time *x = a, *y = b;
	return x->time < y->time ? 1 : x->time > y->time ? -1 : strcmp(x->name, y->name);
}

/* Tags whose serving version comes from a note on the tagged history, newest first; a tag that
 * would only be served by the head says nothing about a version, and pins are listed apart. */
static int collect_tag_marks(struct clm_store *s, const struct clm_report_options *o, json_t *versions)
{
	git_strarray names = { 0 };
	struct tag_time *tags = NULL;
	size_t n = 0;
	int rc = git_tag_list(&names, s->repo);

	if (rc < 0)
		return clm_git_error(rc, "listing tags");
	tags = calloc(names.count ? names.count : 1, sizeof(*tags));
	if (!tags)
		rc = clm_error_oom();
	for (size_t i = 0; rc == 0 && i < names.count; i++) {
		git_oid commit_id;
		git_commit *c = NULL;
		if (clm_tag_commit(s, names.strings[i], &commit_id) < 0 || git_commit_lookup(&c, s->repo, &commit_id) < 0) {
			clm_error_clear();
			continue; /* a tag of a tree or blob has no place in a model's history */
		}
		tags[n].name = names.strings[i];
		tags[n++].time = git_commit_time(c);
		git_commit_free(c);
	}
	qsort(tags, n, sizeof(*tags), by_time_desc);
	for (size_t i = 0; rc == 0 && i < n && i < o->max_tags; i++) {
		struct clm_which w;
		char hex[GIT_OID_HEXSZ + 1];
		if (clm_store_which(s, o->model, NULL, tags[i].name, &w) < 0) {
			clm_error_clear();
			continue;
		}
		/* pins are marked from the pin list already */
		if (w.reason != CLM_WHICH_NOTE)
			continue;
		git_oid_tostr(hex, sizeof(hex), &w.version);
		rc = add_mark(versions, hex, "tag", tags[i].name);
	}
	free(tags);
	git_strarray_dispose(&names);
	return rc;
}

/* The gate's reason for a candidate: the "candidate" line naming it in its source commit's note. */
static json_t *candidate_reason(struct clm_store *s, const struct clm_version_info *info)
{
	json_t *events = NULL, *ev, *reason = NULL;
	git_oid src;
	size_t i;

	if (!info->source || git_oid_fromstr(&src, info->source) < 0 || clm_notes_events(s, &src, &events) < 0) {
		clm_error_clear();
		return json_null();
	}
	json_array_foreach(events, i, ev) {
		const char *kind = json_string_value(json_object_get(ev, "kind"));
		const char *version = json_string_value(json_object_get(ev, "version"));
		const char *why = json_string_value(json_object_get(ev, "reason"));
		if (kind && version && why && !strcmp(kind, "candidate") && !strcmp(version, info->oid))
			reason = json_string(why);
	}
	json_decref(events);
	return reason ? reason : json_null();
}

static int collect_candidates(struct clm_store *s, const char *model, json_t *out)
{
	char glob[256];
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc;

	snprintf(glob, sizeof(glob), "refs/clmodel/candidates/%s/*", model ? model : "default");
	if ((rc = git_reference_iterator_glob_new(&it, s->repo, glob)) < 0)
		return clm_git_error(rc, "listing candidates");
	while (rc == 0 && git_reference_next(&ref, it) == 0) {
		struct clm_version_info info = { 0 };
		const git_oid *id = git_reference_target(ref);
		git_commit *c = NULL;
		char parent[GIT_OID_HEXSZ + 1] = "";
		json_t *o;
		/* fetch refuses refs that are not commits, but a hand-made one is named, not fatal */
		if (!id || git_commit_lookup(&c, s->repo, id) < 0 || clm_store_describe(s, id, &info) < 0) {
			clm_error_clear();
			git_commit_free(c);
			git_reference_free(ref);
			continue;
		}
		if (git_commit_parentcount(c))
			git_oid_tostr(parent, sizeof(parent), git_commit_parent_id(c, 0));
		o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "ref", git_reference_name(ref), "version", info.oid, "parent",
			      parent, "task", string_or_null(info.task), "summary", string_or_null(info.summary), "reason",
			      candidate_reason(s, &info));
		if (!o || json_array_append_new(out, o) < 0)
			rc = clm_error_oom();
		else
			rc = add_scores(s, info.oid, o);
		clm_version_info_release(&info);
		git_commit_free(c);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return rc;
}

/* "pypi/requests/2.31.0..3.0.0" -> package "pypi/requests", range "2.31.0..3.0.0". */
static void add_task_meta(json_t *t, const struct clm_model_state *st, const char *id)
{
	char *dir = clm_task_id_escape(id), path[1024];
	const struct clm_file *f;
	json_t *meta = NULL, *events, *ev, *commits = json_array(), *counts;
	const char *range = strrchr(id, '/');
	size_t i;

	json_object_set_new(t, "package", json_stringn(id, range ? (size_t)(range - id) : strlen(id)));
	json_object_set_new(t, "range", json_string(range ? range + 1 : ""));
	snprintf(path, sizeof(path), "tasks/%s/task.json", dir ? dir : "");
	f = clm_file_list_find(&st->version.files, path);
	if (f)
		meta = clm_json_parse(f->data, f->len, path);
	clm_error_clear(); /* a task without readable metadata is still shown, with what we know */
	counts = json_object_get(meta, "counts");
	json_object_set(t, "kinds", json_is_object(json_object_get(counts, "kind")) ? json_object_get(counts, "kind")
										 : json_object());
	json_object_set(t, "langs", json_is_object(json_object_get(counts, "lang")) ? json_object_get(counts, "lang")
										 : json_object());
	json_object_set_new(t, "counts", json_pack("{s:I,s:I,s:I}", "train", json_integer_value(json_object_get(counts, "train")),
						   "valid", json_integer_value(json_object_get(counts, "valid")), "test",
						   json_integer_value(json_object_get(counts, "test"))));
	events = json_object_get(meta, "events");
	json_array_foreach(events, i, ev) {
		const char *c = json_string_value(json_object_get(ev, "commit"));
		if (c && strlen(c) >= 12)
			json_array_append_new(commits, json_stringn(c, 12));
	}
	json_object_set_new(t, "commits", commits);
	json_decref(meta);
	free(dir);
}

/* Up to `max` evaluation examples of task `index`, each with the head's greedy prediction. */
static int add_examples(json_t *t, struct clm_model_state *st, struct clm_text_codec *codec, const char *id, size_t index,
			size_t max)
{
	struct clm_cl_train_config tc;
	struct clm_dataset ds = { 0 };
	json_t *arr = json_array();
	char **preds = NULL;
	int on_train = 0, rc;

	clm_cl_train_defaults(&tc);
	rc = arr ? clm_model_state_eval_set(st, id, max, &ds, &on_train) : clm_error_oom();
	if (rc == 0 && ds.n)
		rc = clm_cl_predict(&st->strategy, &st->base.model, codec, &ds, index, CLM_ROUTE_INFER_UNKNOWN, &tc, &preds);
	for (size_t i = 0; rc == 0 && i < ds.n; i++) {
		const struct clm_example *ex = &ds.items[i];
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", clm_task_kind_name(ex->kind), "lang",
						     ex->lang ? ex->lang : "", "source", ex->source, "target", ex->target,
						     "prediction", preds[i] ? preds[i] : ""));
	}
	for (size_t i = 0; preds && i < ds.n; i++)
		free(preds[i]);
	free(preds);
	clm_dataset_release(&ds);
	json_object_set_new(t, "examples", arr);
	json_object_set_new(t, "examples_from_training_split", json_boolean(on_train));
	return rc;
}

static json_t *count_matrix(const uint64_t *counts, size_t rows, size_t cols)
{
	json_t *m = json_array();

	for (size_t i = 0; m && i < rows; i++) {
		json_t *row = json_array();
		for (size_t j = 0; row && j < cols; j++)
			json_array_append_new(row, json_integer((json_int_t)counts[i * cols + j]));
		json_array_append_new(m, row);
	}
	return m;
}

static json_t *selection_json(const struct clm_strategy *st)
{
	json_t *tasks = json_array();

	if (!st->hist[0] || !st->hist_cols || !st->hist_rows)
		return NULL;
	for (size_t i = 0; i < st->hist_rows; i++)
		json_array_append_new(tasks, json_string(i < st->n_task_names ? st->task_names[i] : ""));
	return json_pack("{s:I,s:o,s:o,s:o}", "keys", (json_int_t)st->hist_cols, "tasks", tasks, "train",
			 count_matrix(st->hist[0], st->hist_rows, st->hist_cols), "infer",
			 count_matrix(st->hist[1], st->hist_rows, st->hist_cols));
}

static int collect_head(struct clm_store *s, const struct clm_report_options *o, const git_oid *head,
			struct clm_progress *p, json_t *report)
{
	struct clm_model_state st = { 0 };
	struct clm_text_codec codec;
	json_t *tasks = json_array(), *sel;
	const char **names = NULL;
	size_t n = 0;
	int rc = tasks ? clm_model_state_load(s, head, &st) : clm_error_oom();

	if (rc == 0)
		rc = clm_model_state_for_inference(&st);
	if (rc == 0 && o->examples)
		rc = clm_tok_codec(&codec, &st.base.tok);
	if (rc == 0)
		n = clm_model_state_tasks(&st, &names);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		json_t *t = json_pack("{s:s}", "id", names[i]);
		if (!t || json_array_append_new(tasks, t) < 0) {
			rc = clm_error_oom();
			break;
		}
		add_task_meta(t, &st, names[i]);
		if (o->examples) {
			clm_progress_note(p, "predicting %zu examples of %s (%zu/%zu)", o->examples, names[i], i + 1, n);
			rc = add_examples(t, &st, &codec, names[i], i, o->examples);
		}
	}
	if (rc == 0) {
		json_object_set(report, "matrix", st.matrix ? st.matrix : json_null());
		json_object_set(report, "tasks", tasks);
		if ((sel = selection_json(&st.strategy)))
			json_object_set_new(report, "selection", sel);
	}
	json_decref(tasks);
	free(names);
	clm_model_state_release(&st);
	return rc;
}

int clm_report_collect(struct clm_store *s, const struct clm_report_options *o, struct clm_progress *p, json_t **out)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct clm_pin *pins = NULL;
	size_t npins = 0;
	json_t *report = NULL, *versions = json_array(), *candidates = json_array();
	git_oid head;
	int rc = versions && candidates ? clm_store_head(s, o->model, &head) : clm_error_oom();

	if (rc == 0)
		rc = collect_versions(s, o->model ? o->model : CLM_STORE_DEFAULT_MODEL, &head, versions);
	if (rc == 0)
		rc = clm_pins_list(s, &pins, &npins);
	for (size_t i = 0; rc == 0 && i < npins; i++)
		rc = add_mark(versions, pins[i].version, "pin", pins[i].tag);
	if (rc == 0 && o->max_tags)
		rc = collect_tag_marks(s, o, versions);
	if (rc == 0)
		rc = collect_candidates(s, o->model, candidates);
	if (rc == 0) {
		report = json_pack("{s:s,s:s,s:O,s:O}", "model", o->model ? o->model : "default", "head",
				   git_oid_tostr(hex, sizeof(hex), &head), "versions", versions, "candidates", candidates);
		rc = report ? collect_head(s, o, &head, p, report) : clm_error_oom();
	}
	if (rc == 0 && o->bench_path) {
		struct clm_strbuf sb;
		json_t *bench;
		clm_strbuf_init(&sb);
		rc = clm_read_file(o->bench_path, 64u << 20, &sb);
		if (rc == 0 && !(bench = clm_json_parse(sb.buf, sb.len, o->bench_path)))
			rc = CLM_EINVALID;
		else if (rc == 0 && !json_is_array(json_object_get(bench, "rows"))) {
			json_decref(bench);
			rc = clm_error_set(CLM_EINVALID, "%s: not a bench codetask result (no \"rows\")", o->bench_path);
		} else if (rc == 0)
			json_object_set_new(report, "bench", bench);
		clm_strbuf_release(&sb);
	}
	clm_pins_free(pins, npins);
	json_decref(versions);
	json_decref(candidates);
	if (rc < 0) {
		json_decref(report);
		return rc;
	}
	*out = report;
	return 0;
}
