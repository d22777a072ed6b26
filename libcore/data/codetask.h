/* The CodeTask-CL benchmark's task families: the three CodeXGLUE-derived folders of a CodeTask data
 * folder ({"id","source","target"} per line; the repository carries one in tests/data/codetask,
 * which make unpacks into build/data/codetask) and summarization built from Python functions
 * with docstrings. */
#ifndef CLM_DATA_CODETASK_H
#define CLM_DATA_CODETASK_H

#include <stddef.h>
#include "data/dataset.h"

struct clm_codetask_family {
	const char *name;  /* folder and task name: "concode", "codetrans", "bugs2fix" */
	enum clm_task_kind kind;
	const char *lang;  /* "java" or "java->c_sharp" */
};

/* The family called `name`, or NULL. */
const struct clm_codetask_family *clm_codetask_family(const char *name);

/* Load up to `max` examples (0 = all) of `family` from `<dir>/<family>/<split>.jsonl` ("train" or
 * "valid"), keeping the ones whose id hashes lowest so a smaller `max` is a subset of a larger one.
 * Malformed lines fail with "file:line: ...". 0 or negative. */
int clm_codetask_load(const char *dir, const char *family, const char *split, size_t max,
		      struct clm_dataset *out);

/* Keep at most `max` examples of `ds`: those whose ids hash lowest (deterministic, order kept). */
int clm_dataset_subsample(struct clm_dataset *ds, size_t max);

#define CLM_CODETASK_NTASKS 4

/* The benchmark's task stream in the published order: generation (concode), translation
 * (codetrans), summarization ("pydoc": Python functions with docstrings) and refinement (bugs2fix). */
struct clm_codetask_stream {
	const char *names[CLM_CODETASK_NTASKS]; /* static strings */
	enum clm_task_kind kinds[CLM_CODETASK_NTASKS];
	const char *langs[CLM_CODETASK_NTASKS];
	struct clm_dataset train[CLM_CODETASK_NTASKS], eval[CLM_CODETASK_NTASKS]; /* owned */
};

/* Build the stream: the three CodeXGLUE families from `data_dir` (train.jsonl for training,
 * valid.jsonl for evaluation) and summarization from the Python sources under `py_root` (split by
 * id: the train split trains, the valid split evaluates; functions over `max_chars` skipped). Each
 * set is cut to `max_train` / `max_eval` examples (0 = all) by id rank. 0 or negative. */
int clm_codetask_stream_load(const char *data_dir, const char *py_root, size_t max_train, size_t max_eval,
			     size_t max_chars, struct clm_codetask_stream *out);

/* Free the stream's datasets. */
void clm_codetask_stream_release(struct clm_codetask_stream *s);

#endif
