#include "cl/bench.h"
#include "cl/evaluate.h"
#include "util/hash.h"
#include "nn/tensormap.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A tensor's identity in a version: equal name and content hash means git stores no new blob. */
struct fingerprint {
	char *name;
	uint64_t hash;
	size_t nbytes;
};

struct version {
	struct fingerprint *fp;
	size_t n;
};

static void version_release(struct version *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->fp[i].name);
	free(v->fp);
	memset(v, 0, sizeof(*v));
}

/* Fingerprints of every tensor a model version stores: the model (backbone, prompts, adapters),
 * the strategy's tensors, and its JSON state as one more file. */
static int version_of(const struct clm_gpt *m, const struct clm_strategy *s, struct version *v)
{
	struct clm_tensor_list l = { 0 };
	struct clm_strbuf js = CLM_STRBUF_INIT;
	json_t *state = NULL;
	int rc = clm_gpt_export(m, CLM_EXPORT_ALL, &l);

	memset(v, 0, sizeof(*v));
	if (!rc && s)
		rc = clm_strategy_save(s, &l, &state);
	if (!rc && state)
		rc = clm_json_dump(state, &js);
	if (!rc && !(v->fp = calloc(l.n + 1, sizeof(*v->fp))))
		rc = clm_error_oom();
	for (size_t i = 0; !rc && i < l.n; i++) {
		v->fp[i] = (struct fingerprint){ strdup(l.items[i].name), clm_hash_bytes(l.items[i].data, l.items[i].nbytes),
						 l.items[i].nbytes };
		v->n++;
		if (!v->fp[i].name)
			rc = clm_error_oom();
	}
	if (!rc && state) {
		v->fp[v->n] = (struct fingerprint){ strdup("cl/state.json"), clm_hash_bytes(js.buf, js.len), js.len };
		if (!v->fp[v->n++].name)
			rc = clm_error_oom();
	}
	json_decref(state);
	clm_strbuf_release(&js);
	clm_tensor_list_release(&l);
	if (rc)
		version_release(v);
	return rc;
}

/* Bytes of `now` that `before` does not hold (new or changed tensors). */
static size_t bytes_added(const struct version *before, const struct version *now)
{
	size_t added = 0;

	for (size_t i = 0; i < now->n; i++) {
		int found = 0;
		for (size_t j = 0; j < before->n && !found; j++)
			found = before->fp[j].hash == now->fp[i].hash && !strcmp(before->fp[j].name, now->fp[i].name);
		if (!found)
			added += now->fp[i].nbytes;
	}
	return added;
}

static int copy_model(const struct clm_gpt *base, struct clm_gpt *m)
{
	struct clm_tensor_list l = { 0 };
	int rc = clm_gpt_export(base, CLM_EXPORT_ALL, &l);

	memset(m, 0, sizeof(*m));
	if (!rc)
		rc = clm_gpt_from_tensors(m, &base->cfg, &l);
	clm_tensor_list_release(&l);
	return rc;
}

static int row_init(struct clm_bench_row *row, const char *name, size_t n)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->score = malloc(n * n * sizeof(double));
	row->em = malloc(n * n * sizeof(double));
	if (!row->score || !row->em)
		return clm_error_oom();
	for (size_t i = 0; i < n * n; i++)
		row->score[i] = row->em[i] = NAN;
	return 0;
}

static void row_fail(struct clm_bench_row *row, struct clm_progress *p)
{
	row->error = strdup(clm_error());
	clm_progress_note(p, "%s failed: %s", row->name, clm_error());
}

static int run_strategy(const struct clm_gpt *base, struct clm_text_codec *codec, const struct clm_bench_task *tasks,
			size_t n, const struct clm_bench_config *cfg, const char *name, const struct clm_bench_result *res,
			struct clm_progress *p, struct clm_bench_row *row)
{
	struct clm_gpt m;
	struct clm_strategy s;
	struct version before = { 0 }, now;
	size_t bytes = 0;
	double start = clm_now();
	int rc;

	if ((rc = row_init(row, name, n)) < 0)
		return rc;
	if ((rc = clm_strategy_create(&s, name, &cfg->params)) < 0) {
		row_fail(row, p);
		return 0;
	}
	rc = copy_model(base, &m);
	if (!rc)
		rc = version_of(&m, NULL, &before);
	for (size_t i = 0; i < n && !rc; i++) {
		struct clm_cl_train_stats st;
		rc = clm_cl_train_task(&s, &m, codec, tasks[i].name, tasks[i].train, &cfg->train, p, &st);
		if (!rc)
			clm_progress_note(p, "%s: learned %s in %.0f s (loss %.3f -> %.3f)", name, tasks[i].name,
					  st.seconds, st.first_loss, st.last_loss);
		for (size_t j = 0; j < n && j <= i + 1 && !rc; j++) {
			struct clm_task_score sc;
			rc = clm_cl_evaluate(&s, &m, codec, tasks[j].eval, j, CLM_ROUTE_INFER_KNOWN, &cfg->train, &sc);
			row->score[i * n + j] = sc.score;
			row->em[i * n + j] = sc.em;
		}
		if (!rc)
			rc = version_of(&m, &s, &now);
		if (!rc) {
			bytes += bytes_added(&before, &now);
			version_release(&before);
			before = now;
		}
		if (!rc && i + 1 == n)
			row->trainable = clm_strategy_trainable(&s, &m);
	}
	if (rc) {
		row_fail(row, p);
	} else {
		clm_cl_summarize(row->score, n, res->base_score, &row->summary);
		row->bytes_per_version = (double)bytes / (double)n;
		if (s.hist_rows)
			row->histogram = clm_strategy_histogram_text(&s, 1);
	}
	row->seconds = clm_now() - start;
	version_release(&before);
	clm_strategy_release(&s);
	clm_gpt_release(&m);
	return 0;
}

/* Each task learned alone by a fresh copy of the base model: the last row holds the scores. */
static int run_individual(const struct clm_gpt *base, struct clm_text_codec *codec, const struct clm_bench_task *tasks,
			  size_t n, const struct clm_bench_config *cfg, struct clm_progress *p, struct clm_bench_row *row)
{
	double start = clm_now(), sum = 0;
	size_t bytes = 0;
	int rc = row_init(row, "individual", n);

	for (size_t i = 0; i < n && !rc; i++) {
		struct clm_gpt m;
		struct clm_strategy s;
		struct clm_cl_train_stats st;
		struct clm_task_score sc;
		struct version v0, v1;
		if ((rc = clm_strategy_create(&s, "seqft", &cfg->params)) < 0)
			break;
		rc = copy_model(base, &m);
		if (!rc)
			rc = version_of(&m, NULL, &v0);
		if (!rc)
			rc = clm_cl_train_task(&s, &m, codec, tasks[i].name, tasks[i].train, &cfg->train, p, &st);
		if (!rc)
			rc = clm_cl_evaluate(&s, &m, codec, tasks[i].eval, 0, CLM_ROUTE_INFER_KNOWN, &cfg->train, &sc);
		if (!rc) {
			row->score[(n - 1) * n + i] = sc.score;
			row->em[(n - 1) * n + i] = sc.em;
			sum += sc.score;
			row->trainable = clm_strategy_trainable(&s, &m);
			if (!(rc = version_of(&m, NULL, &v1))) {
				bytes += bytes_added(&v0, &v1);
				version_release(&v1);
			}
			version_release(&v0);
		}
		clm_strategy_release(&s);
		clm_gpt_release(&m);
	}
	if (rc) {
		row_fail(row, p);
	} else {
		row->summary.average = sum / (double)n;
		row->summary.forgetting = row->summary.bwt = row->summary.fwt = NAN;
		row->bytes_per_version = (double)bytes / (double)n;
	}
	row->seconds = clm_now() - start;
	return 0;
}

int clm_bench_run(const struct clm_gpt *base, struct clm_text_codec *codec, const struct clm_bench_task *tasks,
		  size_t ntasks, const struct clm_bench_config *cfg, struct clm_progress *progress,
		  struct clm_bench_result *out)
{
	struct clm_strategy none;
	struct clm_gpt m;
	double start = clm_now();
	int rc;

	memset(out, 0, sizeof(*out));
	out->ntasks = ntasks;
	out->task_names = calloc(ntasks, sizeof(char *));
	out->metrics = calloc(ntasks, sizeof(char *));
	out->base_score = calloc(ntasks, sizeof(double));
	out->base_em = calloc(ntasks, sizeof(double));
	out->rows = calloc(cfg->n_strategies + 1, sizeof(*out->rows));
	if (!out->task_names || !out->metrics || !out->base_score || !out->base_em || !out->rows)
		return clm_error_oom();
	for (size_t i = 0; i < ntasks; i++) {
		if (!(out->task_names[i] = strdup(tasks[i].name)))
			return clm_error_oom();
		out->metrics[i] = clm_task_metric_name(tasks[i].kind, tasks[i].lang);
	}
	/* The base model's own scores: the forward-transfer baseline. */
	if ((rc = clm_strategy_create(&none, "seqft", &cfg->params)) < 0)
		return rc;
	rc = copy_model(base, &m);
	for (size_t j = 0; j < ntasks && !rc; j++) {
		struct clm_task_score sc;
		rc = clm_cl_evaluate(&none, &m, codec, tasks[j].eval, j, CLM_ROUTE_INFER_KNOWN, &cfg->train, &sc);
		out->base_score[j] = sc.score;
		out->base_em[j] = sc.em;
	}
	clm_strategy_release(&none);
	clm_gpt_release(&m);
	if (rc)
		return rc;
	clm_progress_note(progress, "base model evaluated in %.0f s", clm_now() - start);
	for (size_t k = 0; k < cfg->n_strategies && !rc; k++) {
		rc = run_strategy(base, codec, tasks, ntasks, cfg, cfg->strategies[k], out, progress, &out->rows[out->nrows]);
		out->nrows++;
		if (!rc)
			clm_progress_note(progress, "%s done in %.0f s: average %.2f, forgetting %.2f", cfg->strategies[k],
					  out->rows[out->nrows - 1].seconds, out->rows[out->nrows - 1].summary.average,
					  out->rows[out->nrows - 1].summary.forgetting);
	}
	if (!rc && cfg->individual) {
		rc = run_individual(base, codec, tasks, ntasks, cfg, progress, &out->rows[out->nrows]);
		out->nrows++;
	}
	out->seconds = clm_now() - start;
	return rc;
}

static json_t *num(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *matrix(const double *v, size_t n)
{
	json_t *rows = json_array();

	for (size_t i = 0; rows && i < n; i++) {
		json_t *row = json_array();
		for (size_t j = 0; row && j < n; j++)
			json_array_append_new(row, num(v[i * n + j]));
		json_array_append_new(rows, row);
	}
	return rows;
}

static json_t *vector(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t j = 0; a && j < n; j++)
		json_array_append_new(a, num(v[j]));
	return a;
}

json_t *clm_bench_result_json(const struct clm_bench_result *r)
{
	json_t *o = json_object(), *tasks = json_array(), *metrics = json_array(), *rows = json_array();

	if (!o || !tasks || !metrics || !rows) {
		json_decref(o), json_decref(tasks), json_decref(metrics), json_decref(rows);
		return NULL;
	}
	for (size_t i = 0; i < r->ntasks; i++) {
		json_array_append_new(tasks, json_string(r->task_names[i]));
		json_array_append_new(metrics, json_string(r->metrics[i]));
	}
	for (size_t k = 0; k < r->nrows; k++) {
		const struct clm_bench_row *w = &r->rows[k];
		json_t *row = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:f, s:f}", "strategy", w->name, "R",
					matrix(w->score, r->ntasks), "EM", matrix(w->em, r->ntasks), "average",
					num(w->summary.average), "forgetting", num(w->summary.forgetting), "bwt",
					num(w->summary.bwt), "fwt", num(w->summary.has_fwt ? w->summary.fwt : NAN),
					"trainable", (json_int_t)w->trainable, "bytes_per_version", w->bytes_per_version,
					"seconds", w->seconds);
		if (row && w->histogram)
			json_object_set_new(row, "selection_histogram", json_string(w->histogram));
		if (row && w->error)
			json_object_set_new(row, "error", json_string(w->error));
		json_array_append_new(rows, row);
	}
	json_object_set_new(o, "tasks", tasks);
	json_object_set_new(o, "metrics", metrics);
	json_object_set_new(o, "base", json_pack("{s:o, s:o}", "score", vector(r->base_score, r->ntasks), "em",
						 vector(r->base_em, r->ntasks)));
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "seconds", json_real(r->seconds));
	return o;
}

static void cell(struct clm_strbuf *sb, double v, const char *fmt)
{
	if (isnan(v))
		clm_strbuf_addstr(sb, " - |");
	else
		clm_strbuf_addf(sb, fmt, v);
}

char *clm_bench_result_markdown(const struct clm_bench_result *r)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	size_t n = r->ntasks;
	double base_avg = 0;

	clm_strbuf_addstr(&sb, "| strategy |");
	for (size_t j = 0; j < n; j++)
		clm_strbuf_addf(&sb, " %s (%s / EM) |", r->task_names[j], r->metrics[j]);
	clm_strbuf_addstr(&sb, " average | forgetting | BWT | FWT | trainable params | bytes/version | time (s) |\n|---|");
	for (size_t j = 0; j < n + 7; j++)
		clm_strbuf_addstr(&sb, "---:|");
	clm_strbuf_addstr(&sb, "\n| base model |");
	for (size_t j = 0; j < n; j++) {
		clm_strbuf_addf(&sb, " %.2f / %.1f |", r->base_score[j], r->base_em[j]);
		base_avg += r->base_score[j] / (double)n;
	}
	clm_strbuf_addf(&sb, " %.2f | - | - | - | - | - | - |\n", base_avg);
	for (size_t k = 0; k < r->nrows; k++) {
		const struct clm_bench_row *w = &r->rows[k];
		const double *last = w->score + (n - 1) * n, *last_em = w->em + (n - 1) * n;
		clm_strbuf_addf(&sb, "| %s |", w->name);
		if (w->error) {
			clm_strbuf_addf(&sb, " failed: %s |\n", w->error);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			cell(&sb, last[j], " %.2f");
			if (!isnan(last[j]))
				clm_strbuf_addf(&sb, " / %.1f |", last_em[j]);
		}
		cell(&sb, w->summary.average, " %.2f |");
		cell(&sb, w->summary.forgetting, " %.2f |");
		cell(&sb, w->summary.bwt, " %.2f |");
		cell(&sb, w->summary.has_fwt ? w->summary.fwt : NAN, " %.2f |");
		clm_strbuf_addf(&sb, " %zu | %.0f | %.0f |\n", w->trainable, w->bytes_per_version, w->seconds);
	}
	for (size_t k = 0; k < r->nrows; k++)
		if (r->rows[k].histogram)
			clm_strbuf_addf(&sb, "\nInference selections of %s (key:count per task):\n\n```\n%s```\n",
					r->rows[k].name, r->rows[k].histogram);
	return clm_strbuf_detach(&sb, NULL);
}

void clm_bench_result_release(struct clm_bench_result *r)
{
	for (size_t i = 0; r->task_names && i < r->ntasks; i++)
		free(r->task_names[i]);
	for (size_t k = 0; r->rows && k < r->nrows; k++) {
		free(r->rows[k].score), free(r->rows[k].em);
		free(r->rows[k].histogram), free(r->rows[k].error);
	}
	free(r->task_names), free(r->metrics), free(r->base_score), free(r->base_em), free(r->rows);
	memset(r, 0, sizeof(*r));
}
