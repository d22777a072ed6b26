/* The continual-learning update: mine what is new, then for each new task in history order train
 * the current version with its strategy, evaluate on every task seen, apply the gate, and record
 * a new version (the model head when it passes, a candidate when it does not). */
#ifndef CLM_UPDATE_UPDATE_H
#define CLM_UPDATE_UPDATE_H

#include <stddef.h>
#include <jansson.h>
#include "cl/trainer.h"
#include "store/store.h"
#include "util/progress.h"

/* The strategy a model without one starts with. */
#define CLM_UPDATE_DEFAULT_STRATEGY "pp-tf+replay"
/* Tasks pp-tf assigns prompt-pool keys to when a model starts learning. */
#define CLM_UPDATE_PLANNED_TASKS 16

struct clm_update_options {
	const char *model;           /* NULL: "default" */
	const char *strategy;        /* NULL: the head's strategy, else CLM_UPDATE_DEFAULT_STRATEGY; a
				      * different name than the head's is refused (state would not carry) */
	int dry_run;                 /* print the plan; train nothing */
	int skip_mining;             /* use the tasks already mined */
	struct clm_cl_train_config train;
	double max_forgetting;       /* gate: forgetting above this (points) fails; NAN = no limit */
	double min_score;            /* gate: average final score below this fails; NAN = no limit */
	size_t min_examples;         /* a task with fewer training examples merges into the next */
	size_t max_eval;             /* examples scored per task (0 = all) */
	const char *canary_branches; /* clmodel.rollout.auto: a version that passes the gate serves these
				      * branch globs first (a canary stage) instead of becoming the head;
				      * NULL: it becomes the head */
};

/* Defaults: steps 60, batch 8, max_forgetting 10, no min_score, min_examples 4, max_eval 64. */
void clm_update_options_init(struct clm_update_options *o);

/* One task's outcome, for the report. */
struct clm_update_step {
	char *task;            /* owned */
	size_t train_examples, eval_examples;
	int eval_on_train;     /* the task had no held-out examples: scored on its training split */
	int outcome;           /* 2 canary stage, 1 promoted to head, 0 kept as candidate, -1 merged into the
				  next, -2 skipped */
	char version[GIT_OID_HEXSZ + 1]; /* the version or candidate written ("" otherwise) */
	char *candidate_ref;   /* owned; set when kept as a candidate */
	char *reason;          /* owned; why not promoted / merged / skipped */
	double score, average, forgetting; /* score on this task; summary after it */
	double first_loss, last_loss, seconds;
};

struct clm_update_result {
	struct clm_update_step *steps; /* owned */
	size_t n, alloc;
	size_t pending;                /* tasks waiting for more examples */
	size_t context;                /* the model's context (positions) */
	size_t too_long;               /* functions mined now that were too long for the context: skipped */
	long fitted, fitted_tokens;    /* examples and prompts shortened to fit the context; tokens cut */
};

/* Mining keeps functions up to this many times the model's context (approximate tokens): longer
 * ones would lose most of themselves when fitted (cl/budget.h), so they are skipped and counted. */
#define CLM_UPDATE_CONTEXT_FACTOR 2

/* The mining cap that follows `model`'s head (NULL: default): its context (positions) times
 * CLM_UPDATE_CONTEXT_FACTOR; 0 in *out when there is no model yet. 0 or negative. */
int clm_update_mine_cap(struct clm_store *s, const char *model, size_t *out);

/* Run the update on the store's repository. Stops at the first task that fails the gate (later
 * tasks train from whatever version becomes the head). With dry_run, fills the plan only
 * (outcome 1 for tasks that would train). 0 or negative; the head moves only by
 * compare-and-swap at the end of each successful task. */
int clm_update_run(struct clm_store *s, const struct clm_update_options *o, struct clm_progress *p,
		   struct clm_update_result *out);

/* The result as JSON (caller decrefs). */
json_t *clm_update_result_json(const struct clm_update_result *r);

/* Free the result. */
void clm_update_result_release(struct clm_update_result *r);

#endif
