#include "update/update.h"
#include "store/stage.h"
#include "cl/evaluate.h"
#include "eval/cl_metrics.h"
#include "mine/mine.h"
#include "update/model_state.h"
#include "git/refs.h"
#include "git/repo.h"
#include "data/taskdir.h"
#include "nn/config.h"
#include "nn/tensormap.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clm_update_options_init(struct clm_update_options *o)
{
	memset(o, 0, sizeof(*o));
	clm_cl_train_defaults(&o->train);
	o->train.steps = 60;
	o->max_forgetting = 10.0;
	o->min_score = NAN;
	o->min_examples = 4;
	o->max_eval = 64;
}

/* A task the model has learned, with the examples it is scored on. */
struct learned_task {
	char *name;
	struct clm_dataset eval;
};

struct update_run {
	struct clm_store *store;
	const struct clm_update_options *opt;
	struct clm_progress *progress;
	struct clm_model_state st;
	struct clm_strategy *strategy;  /* st.strategy */
	struct clm_text_codec codec;
	git_oid head;
	struct learned_task *learned;
	size_t nlearned, learned_alloc;
	double *r;                      /* nlearned x nlearned, NAN where not measured */
	struct clm_strbuf tasks_dir;    /* <common dir>/clmodel/tasks */
	struct clm_dataset carried;     /* training examples of small tasks merged into the next */
	json_t *carried_ids;            /* their task ids */
};

/* A clm_task_split_reader for the task folder `dir` (a path) on disk. */
static int load_split_file(void *dir, const char *split, struct clm_dataset *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_strbuf_addf(&path, "%s/%s.jsonl", (const char *)dir, split);

	if (rc == 0 && clm_path_exists(path.buf))
		rc = clm_dataset_load_jsonl(out, path.buf);
	clm_strbuf_release(&path);
	return rc;
}

/* What the head version already knows: learned tasks with their evaluation sets, and R. */
static int load_learned(struct update_run *u)
{
	const char **names = NULL;
	size_t n = clm_model_state_tasks(&u->st, &names);
	json_t *rows = json_object_get(u->st.matrix, "R");
	int rc = 0;

	u->learned = calloc(n ? n : 1, sizeof(*u->learned));
	u->r = calloc(n ? n * n : 1, sizeof(*u->r));
	if (!u->learned || !u->r)
		rc = clm_error_oom();
	for (size_t i = 0; !rc && i < n; i++) {
		u->learned[i].name = strdup(names[i] ? names[i] : "");
		int on_train;
		rc = u->learned[i].name ? clm_model_state_eval_set(&u->st, names[i], u->opt->max_eval, &u->learned[i].eval,
								   &on_train)
					: clm_error_oom();
		u->nlearned = i + 1;
		for (size_t j = 0; j < n; j++) {
			json_t *v = json_array_get(json_array_get(rows, i), j);
			u->r[i * n + j] = json_is_number(v) ? json_number_value(v) : NAN;
		}
	}
	free(names);
	return rc;
}

static int consumed_has(const json_t *consumed, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(consumed, i, v)
		if (!strcmp(json_string_value(v) ? json_string_value(v) : "", id))
			return 1;
	return 0;
}

static int step_add(struct clm_update_result *out, const char *task, struct clm_update_step **step)
{
	if (CLM_ALLOC_GROW(out->steps, out->n + 1, out->alloc) < 0)
		return CLM_ENOMEM;
	*step = &out->steps[out->n++];
	memset(*step, 0, sizeof(**step));
	(*step)->task = strdup(task);
	(*step)->score = (*step)->average = (*step)->forgetting = NAN;
	return (*step)->task ? 0 : clm_error_oom();
}

/* Add one more row and column to R, fill the new row with the scores of every learned task. */
static int evaluate_all(struct update_run *u, double *row_out)
{
	size_t n = u->nlearned;
	for (size_t j = 0; j < n; j++) {
		struct clm_task_score sc;
		int rc = clm_cl_evaluate(u->strategy, &u->st.base.model, &u->codec, &u->learned[j].eval, j,
					 CLM_ROUTE_INFER_UNKNOWN, &u->opt->train, &sc);
		if (rc < 0)
			return clm_error_wrap(rc, "evaluating task %s", u->learned[j].name);
		row_out[j] = sc.score;
	}
	return 0;
}

static int grow_matrix(struct update_run *u, const double *row)
{
	size_t n = u->nlearned, old = n - 1;
	double *r = malloc(n * n * sizeof(*r));

	if (!r)
		return clm_error_oom();
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			r[i * n + j] = i < old && j < old ? u->r[i * old + j] : i == n - 1 ? row[j] : NAN;
	free(u->r);
	u->r = r;
	return 0;
}

static int add_file(struct clm_file_list *files, const char *path, const struct clm_strbuf *bytes)
{
	return clm_file_list_add(files, path, bytes->buf, bytes->len);
}

/* matrix.json's "excluded": the tasks left out of the means, each with why. */
static int add_excluded(const struct update_run *u, json_t *matrix)
{
	json_t *excluded = json_array();

	for (size_t j = 0; excluded && j < u->nlearned; j++)
		if (!u->learned[j].eval.n &&
		    json_array_append_new(excluded, json_pack("{s:s,s:s}", "task", u->learned[j].name, "reason",
							      "no examples to score")) < 0)
			break;
	if (!excluded || json_object_set_new(matrix, "excluded", excluded) < 0)
		return clm_error_oom();
	return 0;
}

/* Whether the strategy left the backbone as the head version has it: then the new version keeps
 * the head's backbone blobs (stored once, in the base's dtype) and adds only its own tensors. */
static int backbone_frozen(const struct update_run *u)
{
	const struct clm_gpt *m = &u->st.base.model;

	if (!u->strategy->ops->frozen_backbone)
		return 0;
	for (size_t i = 0; i < m->n_backbone; i++)
		if (m->params[i].trainable)
			return 0;
	return 1;
}

/* Everything of the new version besides config and tokenizer: weights (model and strategy; not the
 * backbone when it is frozen), the strategy state, the consumed list, the new task's folder and
 * the matrix. */
static int version_files(struct update_run *u, const char *task_dir, const char *escaped, const json_t *consumed,
			 struct clm_tensor_list *weights, struct clm_file_list *files, const char *const *names)
{
	static const char *const task_files[] = { "task.json", "train.jsonl", "valid.jsonl", "test.jsonl" };
	struct clm_strbuf sb = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT;
	json_t *state = NULL, *matrix = NULL;
	int rc = clm_gpt_export(&u->st.base.model, backbone_frozen(u) ? CLM_EXPORT_PROMPT | CLM_EXPORT_LORA : CLM_EXPORT_ALL,
				weights);

	if (rc == 0)
		rc = clm_strategy_save(u->strategy, weights, &state);
	if (rc == 0 && (rc = clm_json_dump_pretty(state, &sb)) == 0)
		rc = add_file(files, CLM_STATE_STRATEGY_FILE, &sb);
	clm_strbuf_reset(&sb);
	if (rc == 0 && (rc = clm_json_dump_pretty(consumed, &sb)) == 0)
		rc = add_file(files, CLM_STATE_CONSUMED_FILE, &sb);
	for (size_t i = 0; rc == 0 && i < sizeof(task_files) / sizeof(task_files[0]); i++) {
		clm_strbuf_reset(&sb);
		clm_strbuf_reset(&path);
		clm_strbuf_addf(&path, "%s/%s", task_dir, task_files[i]);
		rc = clm_read_file(path.buf, 0, &sb);
		if (rc == CLM_ENOTFOUND) {
			rc = 0;
			continue;
		}
		clm_strbuf_reset(&path);
		clm_strbuf_addf(&path, "tasks/%s/%s", escaped, task_files[i]);
		if (rc == 0)
			rc = add_file(files, path.buf, &sb);
	}
	matrix = rc == 0 ? clm_cl_matrix_json(names, u->r, u->nlearned, NULL) : NULL;
	clm_strbuf_reset(&sb);
	if (rc == 0 && !matrix)
		rc = clm_error_oom();
	if (rc == 0)
		rc = add_excluded(u, matrix);
	if (rc == 0 && (rc = clm_json_dump_pretty(matrix, &sb)) == 0)
		rc = add_file(files, CLM_STATE_MATRIX_FILE, &sb);
	json_decref(state);
	json_decref(matrix);
	clm_strbuf_release(&sb);
	clm_strbuf_release(&path);
	return rc;
}

/* The first free refs/clmodel/candidates/<model>/<n>. */
static int next_candidate_ref(struct update_run *u, char *out, size_t size)
{
	const char *model = u->opt->model ? u->opt->model : CLM_STORE_DEFAULT_MODEL;
	git_oid id;

	for (int n = 1; n < 100000; n++) {
		snprintf(out, size, "refs/clmodel/candidates/%s/%d", model, n);
		if (clm_ref_read(u->store->repo, out, &id) == CLM_ENOTFOUND)
			return 0;
	}
	return clm_error_set(CLM_EGENERIC, "too many candidates; remove some with git update-ref -d");
}

/* Why a version fails the gate, or NULL when it passes. A score that is not a number never
 * passes: a task with examples that has no score, or no task scored at all. */
static const char *gate_failure(const struct update_run *u, const struct clm_cl_summary *sum, char *buf,
				size_t size)
{
	const struct clm_update_options *o = u->opt;
	const double *last = u->r + (u->nlearned - 1) * u->nlearned;

	for (size_t j = 0; j < u->nlearned; j++)
		if (isnan(last[j]) && u->learned[j].eval.n) {
			snprintf(buf, size, "task %s has %zu examples but no score", u->learned[j].name,
				 u->learned[j].eval.n);
			return buf;
		}
	if (!sum->scored || isnan(sum->average) || isnan(sum->forgetting)) {
		snprintf(buf, size, "no task has a score to judge the version by");
		return buf;
	}
	if (!isnan(o->max_forgetting) && sum->forgetting > o->max_forgetting) {
		snprintf(buf, size, "forgetting %.2f is above clmodel.gate.maxForgetting %.2f", sum->forgetting,
			 o->max_forgetting);
		return buf;
	}
	if (!isnan(o->min_score) && !(sum->average >= o->min_score)) {
		snprintf(buf, size, "average score %.2f is below clmodel.gate.minScore %.2f", sum->average, o->min_score);
		return buf;
	}
	return NULL;
}

/* "12.34", or "n/a" for a value that is not a number (never "nan"). */
static const char *score_text(double v, char *buf, size_t size)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

/* Train, evaluate, gate and record one task. Returns 1 when the head moved, 0 when a candidate
 * was kept, negative on error. */
static int learn_task(struct update_run *u, const json_t *task, const char *task_dir, const char *escaped,
		      struct clm_dataset *train, struct clm_dataset *eval, struct clm_update_step *step)
{
	const char *id = json_string_value(json_object_get(task, "id"));
	const char *last = json_string_value(json_object_get(json_object_get(task, "window"), "last"));
	const char *source = last ? last : json_string_value(json_object_get(task, "commit"));
	struct clm_cl_train_stats stats;
	struct clm_tensor_list weights = { 0 };
	struct clm_file_list files = { 0 };
	struct clm_strbuf summary = CLM_STRBUF_INIT;
	struct clm_cl_summary sum;
	char head_hex[GIT_OID_HEXSZ + 1], candidate[256], why[256];
	const char **names = NULL;
	const char *failure, *canary = NULL;
	json_t *consumed = json_deep_copy(u->st.consumed);
	double *row = NULL;
	git_oid written;
	int rc;

	rc = clm_cl_train_task(u->strategy, &u->st.base.model, &u->codec, id, train, &u->opt->train, u->progress,
			       &stats);
	if (rc < 0)
		goto out;
	step->first_loss = stats.first_loss;
	step->last_loss = stats.last_loss;
	step->seconds = stats.seconds;
	if ((rc = CLM_ALLOC_GROW(u->learned, u->nlearned + 1, u->learned_alloc)) < 0)
		goto out;
	u->learned[u->nlearned].name = strdup(id);
	u->learned[u->nlearned].eval = *eval;
	memset(eval, 0, sizeof(*eval));
	u->nlearned++;
	row = calloc(u->nlearned, sizeof(*row));
	names = calloc(u->nlearned, sizeof(*names));
	if (!row || !names || !u->learned[u->nlearned - 1].name) {
		rc = clm_error_oom();
		goto out;
	}
	clm_progress_note(u->progress, "evaluating on %zu task%s", u->nlearned, u->nlearned == 1 ? "" : "s");
	if ((rc = evaluate_all(u, row)) < 0 || (rc = grow_matrix(u, row)) < 0)
		goto out;
	for (size_t i = 0; i < u->nlearned; i++)
		names[i] = u->learned[i].name;
	clm_cl_summarize(u->r, u->nlearned, NULL, &sum);
	step->score = row[u->nlearned - 1];
	step->average = sum.average;
	step->forgetting = sum.forgetting;

	json_array_extend(consumed, u->carried_ids);
	json_array_append_new(consumed, json_string(id));
	if ((rc = version_files(u, task_dir, escaped, consumed, &weights, &files, names)) < 0)
		goto out;
	failure = gate_failure(u, &sum, why, sizeof(why));
	/* A staged roll-out writes the passing version aside, as a candidate, and lets it serve the
	 * canary branches; monitor or promote --stage full makes it the head. */
	if (!failure && u->opt->canary_branches) {
		snprintf(why, sizeof(why), "passed the gate; serves %.150s first (clmodel.rollout.auto)",
			 u->opt->canary_branches);
		canary = why;
	}
	{
		char a[32], b[32], c[32];
		clm_strbuf_addf(&summary, "Learn %s with %s: score %s, average %s, forgetting %s", id, u->strategy->name,
				score_text(step->score, a, sizeof(a)), score_text(sum.average, b, sizeof(b)),
				score_text(sum.forgetting, c, sizeof(c)));
	}
	git_oid_tostr(head_hex, sizeof(head_hex), &u->head);
	{
		struct clm_version_spec spec = {
			.model = u->opt->model,
			.config_json = u->st.version.config_json,
			.config_len = u->st.version.config_len,
			.tokenizer_json = u->st.version.tokenizer_json,
			.tokenizer_len = u->st.version.tokenizer_len,
			.weights = &weights,
			.files = &files,
			.keep_tasks = 1,
			.keep_backbone = backbone_frozen(u),
			.summary = summary.buf,
			.strategy = u->strategy->name,
			.task = id,
			.source = source,
			.expect_head = head_hex,
		};
		if (failure || canary) {
			if ((rc = next_candidate_ref(u, candidate, sizeof(candidate))) < 0)
				goto out;
			spec.ref = candidate;
			spec.reason = failure ? failure : canary;
		}
		rc = clm_store_write_version(u->store, &spec, &written);
	}
	if (rc == 0 && canary)
		rc = clm_stage_start(u->store, u->opt->model, &written, u->opt->canary_branches, canary);
	if (rc < 0)
		goto out;
	git_oid_tostr(step->version, sizeof(step->version), &written);
	if (failure || canary) {
		step->outcome = canary ? 2 : 0;
		step->candidate_ref = strdup(candidate);
		step->reason = strdup(failure ? failure : canary);
		rc = 0;
	} else {
		step->outcome = 1;
		git_oid_cpy(&u->head, &written);
		json_decref(u->st.consumed);
		u->st.consumed = consumed;
		consumed = NULL;
		rc = 1;
	}
out:
	json_decref(consumed);
	clm_tensor_list_release(&weights);
	clm_file_list_release(&files);
	clm_strbuf_release(&summary);
	free(row);
	free(names);
	return rc;
}

int clm_update_mine_cap(struct clm_store *s, const char *model, size_t *out)
{
	struct clm_strbuf config = CLM_STRBUF_INIT;
	struct clm_gpt_config cfg;
	json_t *obj = NULL;
	git_oid head;
	int rc = clm_store_head(s, model, &head);

	*out = 0;
	if (rc == CLM_ENOTFOUND)
		return 0;
	if (rc == 0)
		rc = clm_store_read_file(s, &head, "config.json", &config);
	if (rc == 0 && !(obj = json_loadb(config.buf, config.len, 0, NULL)))
		rc = clm_error_set(CLM_EINVALID, "config.json of the model is not JSON");
	if (rc == 0)
		rc = clm_gpt_config_from_json(obj, &cfg);
	if (rc == 0)
		*out = (size_t)cfg.n_positions * CLM_UPDATE_CONTEXT_FACTOR;
	json_decref(obj);
	clm_strbuf_release(&config);
	return rc;
}

static int prepare(struct update_run *u, json_t **tasks, struct clm_update_result *out)
{
	struct clm_mine_options mo;
	struct clm_mine_stats ms;
	int rc = clm_store_head(u->store, u->opt->model, &u->head);

	if (rc == 0)
		rc = clm_model_state_load(u->store, &u->head, &u->st);
	if (rc == 0)
		out->context = (size_t)u->st.base.model.cfg.n_positions;
	/* Functions much longer than the context are skipped; shorter ones are fitted to it. */
	if (rc == 0 && !u->opt->skip_mining) {
		clm_mine_options_init(&mo);
		mo.quiet = !u->progress || u->progress->quiet;
		mo.max_tokens = out->context * CLM_UPDATE_CONTEXT_FACTOR;
		rc = clm_mine(u->store->repo, &mo, &ms);
		out->too_long = ms.skipped_functions;
	}
	if (rc == 0)
		rc = clm_repo_state_path(u->store->repo, "tasks", &u->tasks_dir);
	if (rc == 0)
		rc = clm_tasks_load(u->tasks_dir.buf, tasks);
	if (rc == 0 && u->st.has_strategy && u->opt->strategy && strcmp(u->opt->strategy, u->st.strategy.name))
		rc = clm_error_set(CLM_EINVALID, "the model learns with %s; it cannot switch to %s (its state would not "
				   "carry over)", u->st.strategy.name, u->opt->strategy);
	if (rc == 0 && !u->st.has_strategy) {
		struct clm_cl_params params;
		clm_cl_params_defaults(&params);
		clm_cl_params_fit_context(&params, u->st.base.model.cfg.n_positions);
		/* pp-tf assigns its keys to tasks before the first one; a repository's history keeps
		 * bringing tasks, so plan for many (the last keys then serve every later task). */
		params.planned_tasks = CLM_UPDATE_PLANNED_TASKS;
		rc = clm_strategy_create(&u->st.strategy, u->opt->strategy ? u->opt->strategy : CLM_UPDATE_DEFAULT_STRATEGY,
					 &params);
		u->st.has_strategy = rc == 0;
	}
	u->strategy = &u->st.strategy;
	if (rc == 0)
		rc = clm_tok_codec(&u->codec, &u->st.base.tok);
	if (rc == 0)
		rc = load_learned(u);
	if (rc == 0 && !(u->carried_ids = json_array()))
		rc = clm_error_oom();
	return rc;
}

static void run_release(struct update_run *u)
{
	for (size_t i = 0; i < u->nlearned; i++) {
		free(u->learned[i].name);
		clm_dataset_release(&u->learned[i].eval);
	}
	free(u->learned);
	free(u->r);
	clm_model_state_release(&u->st);
	clm_strbuf_release(&u->tasks_dir);
	clm_dataset_release(&u->carried);
	json_decref(u->carried_ids);
}

/* Move the examples of `from` to the end of `to`. */
static int move_examples(struct clm_dataset *to, struct clm_dataset *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct clm_example *e = &from->items[i];
		int rc = clm_dataset_add(to, e->id, e->task, e->kind, e->lang, e->source, e->target, e->prov);
		if (rc < 0)
			return rc;
	}
	clm_dataset_release(from);
	memset(from, 0, sizeof(*from));
	return 0;
}

int clm_update_run(struct clm_store *s, const struct clm_update_options *o, struct clm_progress *p,
		   struct clm_update_result *out)
{
	struct update_run u = { .store = s, .opt = o, .progress = p };
	json_t *tasks = NULL, *task;
	size_t i, ntasks;
	int rc;

	memset(out, 0, sizeof(*out));
	/* One staged change at a time: the next waits until the canary is promoted or rolled back. */
	if (o->canary_branches && !o->dry_run) {
		struct clm_stage st;
		if (clm_stage_get(s, o->model, &st) == 0)
			return clm_error_set(CLM_ECONFLICT, "canary %.12s is still in its stage: git clmodel monitor promotes "
					     "or rolls it back (or promote --stage full / rollback --stage); update waits until then",
					     git_oid_tostr_s(&st.version));
		clm_error_clear();
	}
	rc = prepare(&u, &tasks, out);
	ntasks = json_array_size(tasks);
	json_array_foreach(tasks, i, task) {
		const char *id = json_string_value(json_object_get(task, "id"));
		struct clm_dataset train = { 0 }, eval = { 0 };
		struct clm_update_step *step = NULL;
		char *escaped = NULL, task_dir[4096];

		if (rc < 0)
			break;
		if (!id || consumed_has(u.st.consumed, id))
			continue;
		escaped = clm_task_id_escape(id);
		if (!escaped || (rc = step_add(out, id, &step)) < 0) {
			free(escaped);
			rc = rc < 0 ? rc : clm_error_oom();
			break;
		}
		snprintf(task_dir, sizeof(task_dir), "%s/%s", u.tasks_dir.buf, escaped);
		rc = load_split_file(task_dir, "train", &train);
		/* A task too small to train on is merged into the next, so it is never scored on its
		 * training examples. */
		if (rc == 0)
			rc = clm_task_eval_set(load_split_file, task_dir, train.n >= o->min_examples, o->max_eval, &eval,
					       &step->eval_on_train);
		if (rc == 0)
			rc = move_examples(&train, &u.carried);
		step->train_examples = train.n;
		step->eval_examples = eval.n;
		if (rc == 0 && train.n < o->min_examples) {
			int last = i + 1 == ntasks;
			char why[160];
			snprintf(why, sizeof(why), "%zu training example%s, fewer than %zu", train.n, train.n == 1 ? "" : "s",
				 o->min_examples);
			step->reason = strdup(why);
			step->outcome = last ? -2 : -1;
			clm_progress_note(p, "%s: %s; %s", id, why,
					  last ? "waiting for more examples" : "merged into the next task");
			if (last)
				out->pending++;
			else
				json_array_append_new(u.carried_ids, json_string(id));
			rc = last ? 0 : move_examples(&u.carried, &train);
		} else if (rc == 0 && o->dry_run) {
			step->outcome = 1;
			json_array_clear(u.carried_ids);
			clm_dataset_release(&u.carried);
			memset(&u.carried, 0, sizeof(u.carried));
		} else if (rc == 0) {
			clm_progress_note(p, "learning %s (%zu examples) with %s", id, train.n, u.strategy->name);
			rc = learn_task(&u, task, task_dir, escaped, &train, &eval, step);
			json_array_clear(u.carried_ids);
			if (rc == 0) {
				clm_progress_note(p, "%s: %s %s: %s", id, step->outcome == 2 ? "canary stage for" : "kept as candidate",
						  step->candidate_ref, step->reason);
				clm_dataset_release(&train);
				clm_dataset_release(&eval);
				free(escaped);
				break;
			}
			rc = rc > 0 ? 0 : rc;
		}
		clm_dataset_release(&train);
		clm_dataset_release(&eval);
		free(escaped);
	}
	out->fitted = u.codec.fitted;
	out->fitted_tokens = u.codec.fitted_tokens;
	json_decref(tasks);
	run_release(&u);
	return rc;
}

json_t *clm_update_result_json(const struct clm_update_result *r)
{
	static const char *const outcomes[] = { "skipped", "merged", "candidate", "promoted", "canary" };
	json_t *steps = json_array();

	for (size_t i = 0; steps && i < r->n; i++) {
		const struct clm_update_step *s = &r->steps[i];
		json_t *o = json_pack("{s:s,s:s,s:I,s:I}", "task", s->task, "outcome", outcomes[s->outcome + 2], "train_examples",
				      (json_int_t)s->train_examples, "eval_examples", (json_int_t)s->eval_examples);
		if (!o)
			continue;
		if (s->version[0])
			json_object_set_new(o, "version", json_string(s->version));
		if (s->candidate_ref)
			json_object_set_new(o, "candidate", json_string(s->candidate_ref));
		if (s->reason)
			json_object_set_new(o, "reason", json_string(s->reason));
		if (!isnan(s->score))
			json_object_set_new(o, "score", json_real(s->score));
		if (!isnan(s->average))
			json_object_set_new(o, "average", json_real(s->average));
		if (!isnan(s->forgetting))
			json_object_set_new(o, "forgetting", json_real(s->forgetting));
		if (s->eval_on_train)
			json_object_set_new(o, "eval_split", json_string("train"));
		if (s->seconds > 0) {
			json_object_set_new(o, "first_loss", json_real(s->first_loss));
			json_object_set_new(o, "last_loss", json_real(s->last_loss));
			json_object_set_new(o, "seconds", json_real(s->seconds));
		}
		json_array_append_new(steps, o);
	}
	return json_pack("{s:o,s:I,s:I,s:I,s:I,s:I}", "steps", steps, "pending", (json_int_t)r->pending, "context",
			 (json_int_t)r->context, "too_long", (json_int_t)r->too_long, "fitted", (json_int_t)r->fitted,
			 "fitted_tokens", (json_int_t)r->fitted_tokens);
}

void clm_update_result_release(struct clm_update_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->steps[i].task);
		free(r->steps[i].candidate_ref);
		free(r->steps[i].reason);
	}
	free(r->steps);
	memset(r, 0, sizeof(*r));
}
