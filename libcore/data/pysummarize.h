/* Summarization examples from a folder of Python sources (for instance /usr/lib/python3.11 for
 * the CodeTask benchmark): every function with a docstring gives one `summarize` example, the
 * function without its docstring -> the docstring's first sentence. */
#ifndef CLM_DATA_PYSUMMARIZE_H
#define CLM_DATA_PYSUMMARIZE_H

#include <stddef.h>
#include <stdio.h>

struct clm_pysummarize_stats {
	size_t files;         /* .py files read */
	size_t skipped_files; /* over 1 MB, binary, generated or unreadable */
	size_t examples;      /* written */
	size_t duplicates;    /* exact duplicates dropped */
};

/* Walk `root` (folders and files in sorted order; hidden folders, __pycache__, test and tests
 * skipped), and write one JSON line per example to `out` (task `task`, prov path relative to
 * root, no commit), up to `max_examples` (0 = all), skipping examples over `max_tokens`
 * approximate tokens per side. The output is the same on every run. 0 or a negative code. */
int clm_pysummarize_dir(const char *root, const char *task, size_t max_tokens, size_t max_examples, FILE *out,
			struct clm_pysummarize_stats *st);

#endif
