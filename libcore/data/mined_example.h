/* One mined example (a line of a task's train/valid/test.jsonl): content id, split, JSON form. */
#ifndef CLM_DATA_MINED_EXAMPLE_H
#define CLM_DATA_MINED_EXAMPLE_H

#include "data/dataset.h"

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>


/* An example under construction; every pointer is borrowed from the caller. */
struct clm_mined_example {
	const char *task;       /* task id */
	const char *kind;       /* "refine", "generate", "summarize", "complete", "translate" */
	const char *lang;       /* language name */
	const char *source, *target;
	size_t source_len, target_len;
	const char *name;       /* qualified function name, or NULL */
	int uses_dep;           /* 1/0, or -1 when there is no dependency to refer to */
	const char *commit;     /* provenance: commit id (NULL for files outside git) */
	const char *path;       /* provenance: repository-relative or file path */
	uint32_t line_start, line_end; /* provenance: 1-based line span on the new side */
	const char *grammar;    /* provenance: "tree-sitter-python@0.23.6" */
};

/* The example's content id: SHA-1 (hex, 40 chars + NUL) of kind, lang, source and target. */
int clm_mined_example_id(const struct clm_mined_example *ex, char out[41]);

/* The example as a JSON object with `id`. NULL with CLM_EINVALID set when a text is not valid
 * UTF-8 (or on allocation failure). Caller decrefs. */
json_t *clm_mined_example_to_json(const struct clm_mined_example *ex, const char *id);

#endif
