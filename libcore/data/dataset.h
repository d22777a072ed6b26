/* Task datasets: one example per JSON line (id, task, kind, lang, source, target, prov), loaded
 * by streaming, with deterministic splits that depend only on the example id. */
#ifndef CLM_DATA_DATASET_H
#define CLM_DATA_DATASET_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <jansson.h>

enum clm_task_kind { CLM_KIND_REFINE = 0, CLM_KIND_GENERATE, CLM_KIND_SUMMARIZE, CLM_KIND_COMPLETE, CLM_KIND_TRANSLATE };

enum clm_split { CLM_SPLIT_TRAIN = 0, CLM_SPLIT_VALID, CLM_SPLIT_TEST, CLM_SPLIT_COUNT };

struct clm_example {
	char *id;     /* owned; hash of the content */
	char *task;   /* owned; e.g. "pypi/requests/2.31.0..3.0.0" or "concode" */
	enum clm_task_kind kind;
	char *lang;   /* owned; language name as in parsers/languages.h, or a pair "java->c_sharp" */
	char *source; /* owned */
	char *target; /* owned */
	json_t *prov; /* owned reference (json_decref); NULL when the line had none */
};

struct clm_dataset {
	struct clm_example *items; /* owned */
	size_t n, alloc;
};

/* Name of a kind as written in datasets ("refine", ...). */
const char *clm_task_kind_name(enum clm_task_kind kind);

/* Parse a kind name; 0 or CLM_EINVALID with a message. */
int clm_task_kind_parse(const char *name, enum clm_task_kind *out);

/* Append a copy of the given fields (prov gets a new reference; may be NULL); 0 or CLM_ENOMEM. */
int clm_dataset_add(struct clm_dataset *ds, const char *id, const char *task, enum clm_task_kind kind,
		    const char *lang, const char *source, const char *target, json_t *prov);

/* Parse one dataset line's object into `ds`; `where` ("file:line") prefixes messages. */
int clm_dataset_add_json(struct clm_dataset *ds, const json_t *obj, const char *where);

/* Append the JSON lines of `fp` (streamed; `name` prefixes messages as "name:line"). */
int clm_dataset_read_jsonl(struct clm_dataset *ds, FILE *fp, const char *name);

/* Append every example of the JSONL file `path`; rejects a malformed line with "path:line: ..."
 * and leaves `ds` with the examples before it. 0 or negative. */
int clm_dataset_load_jsonl(struct clm_dataset *ds, const char *path);

/* Write every example as one JSON line to `path` (atomically); 0 or negative. */
int clm_dataset_save_jsonl(const struct clm_dataset *ds, const char *path);

/* The example as a new JSON object (caller decrefs), or NULL on allocation failure. */
json_t *clm_example_to_json(const struct clm_example *ex);

/* Content hash for an example id: 16 hex digits of FNV-1a 64 over task, source and target. */
void clm_example_content_id(const char *task, const char *source, const char *target, char out[17]);

/* The split of an example, a pure function of its id: 80% train, 10% valid, 10% test. */
enum clm_split clm_split_of_id(const char *id);

/* "train", "valid" or "test": the split's file name without ".jsonl". */
const char *clm_split_name(enum clm_split split);

/* Copy into `out` the examples of `in` whose id falls in `split`; 0 or CLM_ENOMEM. */
int clm_dataset_filter_split(const struct clm_dataset *in, enum clm_split split, struct clm_dataset *out);

/* Free one example's fields (not the struct itself). */
void clm_example_release(struct clm_example *ex);

/* Keep the first `n` examples (no change when the dataset is smaller). */
void clm_dataset_truncate(struct clm_dataset *ds, size_t n);

/* Free every example and the array. */
void clm_dataset_release(struct clm_dataset *ds);

#endif
