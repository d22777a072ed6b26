/* Training and evaluating a model on a stream of tasks with a CL strategy: batches of examples
 * encoded as "source <sep> target <eos>" with the loss on target tokens only, a fixed budget of
 * optimizer steps per task (a fresh AdamW each task), and greedy generation for evaluation. */
#ifndef CLM_CL_TRAINER_H
#define CLM_CL_TRAINER_H

#include <stddef.h>
#include <stdint.h>
#include "cl/strategy.h"
#include "nn/generate.h"
#include "nn/optim.h"
#include "util/progress.h"
#include "util/strbuf.h"

/* Text <-> token ids, so the trainer works with any tokenizer (tests use bytes). */
struct clm_text_codec {
	/* Append the ids of `len` bytes of text to *ids (realloc'd; *n updated). 0 or negative. */
	int (*encode)(void *ctx, const char *text, size_t len, int32_t **ids, size_t *n);
	/* Append the text of `n` ids to `out`. 0 or negative. */
	int (*decode)(void *ctx, const int32_t *ids, size_t n, struct clm_strbuf *out);
	void *ctx;      /* borrowed */
	int32_t sep;    /* separates source from target */
	int32_t eos;    /* ends the target; generation stops there */
	int max_source; /* source tokens kept (as cl/budget.h fits a source); 0 = no cap */
	int max_target; /* target tokens kept for training; 0 = no cap */
	long fitted;        /* examples shortened to fit the model's context (cl/budget.h), counted */
	long fitted_tokens; /* tokens they lost */
};

struct clm_cl_train_config {
	int steps;                     /* optimizer steps per task */
	int batch_size;                /* examples per step */
	struct clm_adamw_config adamw; /* a fresh optimizer with this config for each task */
	float frozen_lr;               /* learning rate for strategies with a frozen backbone (prompts,
					  adapters); 0 = adamw.lr */
	int max_new_tokens;            /* generation length cap for evaluation */
	int eval_batch;                /* examples generated at once */
};

/* Defaults: 100 steps of 8 examples, AdamW defaults at lr 1e-3 (frozen backbone: 1e-2), 64 new
 * tokens, eval batch 8. */
void clm_cl_train_defaults(struct clm_cl_train_config *c);

/* What one task's training measured. */
struct clm_cl_train_stats {
	double first_loss, last_loss; /* mean model loss of the first and last 10% of steps */
	double seconds;
	long long tokens;             /* tokens through the model (prefixes included) */
};

/* Learn task `task` from `train` with strategy `s`: begin_task, `steps` batches (compose, route,
 * forward/backward, extra loss, AdamW step), end_task. `progress` may be NULL. 0 or negative. */
int clm_cl_train_task(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		      const char *task, const struct clm_dataset *train, const struct clm_cl_train_config *c,
		      struct clm_progress *progress, struct clm_cl_train_stats *stats);

/* Greedy predictions for every example of `ds` (items' task index `task`, used when `mode` is
 * CLM_ROUTE_INFER_KNOWN and for the histogram): preds[i] is a new string (free each and the
 * array). 0 or negative. */
int clm_cl_predict(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		   const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
		   const struct clm_cl_train_config *c, char ***preds);

/* Like clm_cl_predict with the caller's generation settings (sampling, beam, stop tokens, length)
 * and `chunk` examples generated at once. `logprob` (NULL or ds->n entries) receives each
 * prediction's mean log-probability per generated token (0 for an empty one). */
int clm_cl_predict_with(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
			const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
			const struct clm_gen_config *gc, size_t chunk, char ***preds, double *logprob);

/* Free an array of n predictions. */
void clm_cl_free_preds(char **preds, size_t n);

#endif
