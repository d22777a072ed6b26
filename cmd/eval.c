/* git clmodel eval: score a model version on every task it knows; show its accuracy matrix. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "cl/evaluate.h"
#include "update/model_state.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const eval_usage[] = {
	"git clmodel eval [--name <model>] [--max-examples <n>] [<version>]",
	NULL,
};

struct task_result {
	const char *name;
	struct clm_task_score score;
	size_t n;
	int on_train;
};

static void print_matrix(const json_t *matrix)
{
	const json_t *tasks = json_object_get(matrix, "tasks"), *rows = json_object_get(matrix, "R");
	const json_t *sum = json_object_get(matrix, "summary");
	size_t n = json_array_size(tasks);

	if (!n)
		return;
	printf("\nAccuracy matrix R[i][j] (score on task j after learning task i), as recorded:\n%-6s", "");
	for (size_t j = 0; j < n; j++)
		printf("      T%-2zu", j + 1);
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		printf("T%-5zu", i + 1);
		for (size_t j = 0; j < n; j++) {
			const json_t *v = json_array_get(json_array_get(rows, i), j);
			if (json_is_number(v))
				printf(" %8.2f", json_number_value(v));
			else
				printf(" %8s", "-");
		}
		printf("   %s\n", json_string_value(json_array_get(tasks, i)));
	}
	if (json_is_number(json_object_get(sum, "average")))
		printf("average %.2f  forgetting %.2f  backward transfer %.2f  (over %lld of %zu tasks)\n",
		       json_number_value(json_object_get(sum, "average")), json_number_value(json_object_get(sum, "forgetting")),
		       json_number_value(json_object_get(sum, "bwt")),
		       (long long)json_integer_value(json_object_get(sum, "scored")), n);
	else
		printf("average n/a: no task has a score\n");
	for (size_t i = 0; i < json_array_size(json_object_get(matrix, "excluded")); i++) {
		const json_t *e = json_array_get(json_object_get(matrix, "excluded"), i);
		printf("not averaged: %s (%s)\n", json_string_value(json_object_get(e, "task")),
		       json_string_value(json_object_get(e, "reason")));
	}
}

static json_t *results_json(const struct task_result *r, size_t n, const git_oid *id, const json_t *matrix)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	json_t *tasks = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s,s:s,s:I,s:b}", "task", r[i].name, "metric", r[i].score.metric, "examples",
				      (json_int_t)r[i].n, "scored_on_train", r[i].on_train);
		if (!isnan(r[i].score.score)) {
			json_object_set_new(o, "score", json_real(r[i].score.score));
			json_object_set_new(o, "exact_match", json_real(r[i].score.em));
		}
		json_array_append_new(tasks, o);
	}
	return json_pack("{s:s,s:o,s:O?}", "version", git_oid_tostr(hex, sizeof(hex), id), "tasks", tasks, "matrix", matrix);
}

int cmd_eval(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	const char *model = NULL;
	long max = 64;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_INT, 0, "max-examples", &max, "<n>", "examples scored per task (default 64, 0 = all)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_model_state st = { 0 };
	struct clm_text_codec codec;
	struct clm_cl_train_config tc;
	struct task_result *results = NULL;
	const char **names = NULL;
	struct clm_progress progress;
	struct clm_store s;
	size_t ntasks = 0;
	git_oid id;
	int code = CLM_EXIT_OK, n, rc;

	n = clm_parse_options(argc, argv, opts, eval_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 1 || max < 0)
		return clm_usage_error(eval_usage, opts, n > 1 ? "expected at most one version" : "--max-examples >= 0");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	clm_cl_train_defaults(&tc);
	clm_progress_begin(&progress, "eval", 0, ctx->quiet);
	rc = clm_store_resolve(&s, model, n ? argv[0] : NULL, &id);
	if (rc == 0)
		rc = clm_model_state_load(&s, &id, &st);
	if (rc == 0)
		rc = clm_model_state_for_inference(&st);
	if (rc == 0)
		rc = clm_tok_codec(&codec, &st.base.tok);
	if (rc == 0) {
		ntasks = clm_model_state_tasks(&st, &names);
		results = calloc(ntasks ? ntasks : 1, sizeof(*results));
		rc = results ? 0 : clm_error_oom();
	}
	for (size_t i = 0; rc == 0 && i < ntasks; i++) {
		struct clm_dataset ds = { 0 };
		results[i].name = names[i];
		rc = clm_model_state_eval_set(&st, names[i], (size_t)max, &ds, &results[i].on_train);
		results[i].n = ds.n;
		clm_progress_note(&progress, "scoring %s (%zu examples)", names[i], ds.n);
		if (rc == 0)
			rc = clm_cl_evaluate(&st.strategy, &st.base.model, &codec, &ds, i, CLM_ROUTE_INFER_UNKNOWN, &tc,
					     &results[i].score);
		clm_dataset_release(&ds);
	}
	if (rc == 0 && ctx->json) {
		clm_print_json(results_json(results, ntasks, &id, st.matrix));
	} else if (rc == 0) {
		printf("version %.12s: %zu task%s\n", git_oid_tostr(hex, sizeof(hex), &id), ntasks, ntasks == 1 ? "" : "s");
		if (!ntasks)
			printf("No tasks learned yet: run git clmodel update.\n");
		for (size_t i = 0; i < ntasks; i++) {
			if (isnan(results[i].score.score)) {
				printf("  %-40s %-11s    n/a  (nothing to score)\n", results[i].name,
				       results[i].score.metric[0] ? results[i].score.metric : "-");
				continue;
			}
			printf("  %-40s %-11s %6.2f  EM %6.2f  (%zu examples%s)\n", results[i].name, results[i].score.metric,
			       results[i].score.score, results[i].score.em, results[i].n,
			       results[i].on_train ? ", training split: none held out" : "");
		}
		print_matrix(st.matrix);
	}
	free(results);
	free(names);
	clm_model_state_release(&st);
	clm_store_close(&s);
	return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
}
