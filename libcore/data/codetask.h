/* The CodeTask-CL benchmark's task families: the three CodeXGLUE-derived folders under
 * <shared>/data/codetask ({"id","source","target"} per line) and summarization built from
 * Python functions with docstrings. */
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

#endif
