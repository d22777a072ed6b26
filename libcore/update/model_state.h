/* A model version loaded for training or inference: the engine model and tokenizer, the CL
 * strategy's state, and what the version knows about its tasks (eval/matrix.json, tasks/). */
#ifndef CLM_UPDATE_MODEL_STATE_H
#define CLM_UPDATE_MODEL_STATE_H

#include <jansson.h>
#include "cl/base_model.h"
#include "cl/strategy.h"
#include "store/store.h"

/* Where a version keeps its strategy state (the JSON of clm_strategy_save; the strategy's tensors
 * are stored with the weights under their "cl." names). */
#define CLM_STATE_STRATEGY_FILE "cl/strategy.json"
/* Mined task ids a version has consumed (learned, merged into a later task, or skipped). */
#define CLM_STATE_CONSUMED_FILE "cl/consumed.json"
#define CLM_STATE_MATRIX_FILE "eval/matrix.json"

struct clm_model_state {
	struct clm_version version;   /* read with weights and files */
	struct clm_base_model base;   /* model and tokenizer */
	struct clm_strategy strategy; /* valid when has_strategy */
	int has_strategy;
	json_t *matrix;               /* eval/matrix.json, NULL when the version has none */
	json_t *consumed;             /* array of task ids (never NULL after a successful load) */
};

/* Load version `id`: verify and load weights (model tensors into the engine, "cl." tensors into
 * the strategy), tokenizer, strategy state, matrix and consumed list. Release with
 * clm_model_state_release, also after a failure. */
int clm_model_state_load(struct clm_store *s, const git_oid *id, struct clm_model_state *out);

/* Make the state usable for inference: a version no update has touched yet (the base model) has no
 * strategy, so it gets a plain one (no prompts, no adapters). 0 or negative. */
int clm_model_state_for_inference(struct clm_model_state *st);

/* Free everything the state holds. */
void clm_model_state_release(struct clm_model_state *st);

/* Task names learned by the version, in order (the matrix's "tasks"); count in *n. Borrowed. */
size_t clm_model_state_tasks(const struct clm_model_state *st, const char ***names);

/* Load split `split` ("train", "valid", "test") of task folder `dir` in the version's tree
 * (tasks/<dir>/<split>.jsonl) into `out`; a missing file gives an empty dataset. */
int clm_model_state_task_split(const struct clm_model_state *st, const char *dir, const char *split,
			       struct clm_dataset *out);

/* The examples task `id` is scored on: its test split, else valid, else (a small task with nothing
 * held out) its training split, with *on_train set. At most `max` examples (0: all). */
int clm_model_state_eval_set(const struct clm_model_state *st, const char *id, size_t max, struct clm_dataset *out,
			     int *on_train);

#endif
