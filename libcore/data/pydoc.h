/* The summarization task of the CodeTask benchmark: Python functions with docstrings, found by
 * the function extraction of parsers/functions.h. Source is the function without its docstring
 * statement; target is the docstring's first sentence. */
#ifndef CLM_DATA_PYDOC_H
#define CLM_DATA_PYDOC_H

#include <stddef.h>
#include "data/dataset.h"

/* Add (task `task`, kind summarize, lang python) the functions with a docstring found in one
 * Python source text; functions longer than `max_chars` are skipped. `path` goes into prov. */
int clm_pydoc_extract(const char *path, const char *text, size_t len, const char *task, size_t max_chars,
		      struct clm_dataset *out);

/* Walk `root` (sorted, recursively; test folders and unreadable files skipped) and extract from
 * every .py file until `max_examples` examples (0 = no limit). 0 or negative. */
int clm_pydoc_collect(const char *root, const char *task, size_t max_chars, size_t max_examples,
		      struct clm_dataset *out);

#endif
