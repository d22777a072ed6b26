/* The CodeTask continual-learning benchmark: every strategy learns the same task stream from the
 * same base model with the same budget; after each task it is scored on the tasks learned so far
 * and the next one (for forward transfer), giving the matrix R; individual fine-tuning (one copy
 * of the base model per task) gives each task's reference score. */
#ifndef CLM_CL_BENCH_H
#define CLM_CL_BENCH_H

#include <stddef.h>
#include <jansson.h>
#include "cl/strategy.h"
#include "cl/trainer.h"
#include "eval/cl_metrics.h"
#include "eval/task_score.h"

struct clm_bench_task {
	const char *name;          /* borrowed */
	enum clm_task_kind kind;
	const char *lang;          /* borrowed */
	const struct clm_dataset *train, *eval; /* borrowed */
};

struct clm_bench_config {
	struct clm_cl_train_config train;
	struct clm_cl_params params;
	const char *const *strategies; /* names as clm_strategy_create takes them; borrowed */
	size_t n_strategies;
	int individual;                /* also fine-tune a copy of the base model on each task alone */
};

/* One strategy's results (or individual fine-tuning's, named "individual"). */
struct clm_bench_row {
	char name[32];
	double *score;        /* owned, ntasks x ntasks: R[i][j], NAN where not evaluated (j > i + 1) */
	double *em;           /* owned, ntasks x ntasks exact match, NAN likewise */
	struct clm_cl_summary summary; /* forgetting, BWT and FWT over the evaluated entries */
	size_t trainable;     /* trainable scalars while learning the last task */
	double bytes_per_version; /* mean bytes of new or changed tensors per learned task */
	double seconds;       /* wall time: training and evaluation */
	char *histogram;      /* owned; inference key/prompt selections per task, NULL when none */
	char *error;          /* owned; set when the strategy failed (other fields then partial) */
};

struct clm_bench_result {
	size_t ntasks;
	char **task_names;    /* owned */
	const char **metrics; /* owned array of static names, one per task */
	double *base_score, *base_em; /* owned; the base model's scores (forward transfer baseline) */
	struct clm_bench_row *rows; /* owned */
	size_t nrows;
	double seconds;
};

/* Run the benchmark. `base` is copied for every strategy and left unchanged; `codec` encodes
 * text. A strategy that fails gets a row with `error` set; the run goes on. 0 or negative. */
int clm_bench_run(const struct clm_gpt *base, struct clm_text_codec *codec, const struct clm_bench_task *tasks,
		  size_t ntasks, const struct clm_bench_config *cfg, struct clm_progress *progress,
		  struct clm_bench_result *out);

/* The result as JSON (matrices, summaries, table fields; caller decrefs), NULL on OOM. */
json_t *clm_bench_result_json(const struct clm_bench_result *r);

/* The result as one Markdown table plus the selection histograms (caller frees). */
char *clm_bench_result_markdown(const struct clm_bench_result *r);

/* Free everything the result owns. */
void clm_bench_result_release(struct clm_bench_result *r);

#endif
