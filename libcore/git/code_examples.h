/* Examples from one changed source file: hunks mapped to the enclosing functions, then refine
 * (old -> new function), generate (signature + docstring -> body, for added functions) and
 * summarize (function -> first sentence of its docstring). */
#ifndef CLM_GIT_CODE_EXAMPLES_H
#define CLM_GIT_CODE_EXAMPLES_H

#include <stddef.h>
#include <git2.h>
#include "data/mined_example.h"
#include "parsers/languages.h"

/* How many parsed file versions, and how many bytes of their source, a miner keeps for the next
 * change of the same file. */
#define CLM_PARSE_CACHE_ENTRIES 128
#define CLM_PARSE_CACHE_BYTES (8 * 1024 * 1024)

struct clm_parse_cache;

/* Parsers and limits reused across files; one per mining run. */
struct clm_code_miner {
	TSParser **parsers;      /* one per language of clm_languages(), created on first use; owned */
	struct clm_parse_cache *parsed; /* recent parsed file versions; owned */
	size_t nlanguages;
	size_t max_tokens;       /* examples whose source or target is longer are skipped */
	size_t skipped_long;     /* counters for the run summary */
};

/* A dependency of the current task, for `uses_dep`. */
struct clm_task_dep {
	const char *ecosystem, *package;
};

/* Receives each example (fields borrowed for the duration of the call); returns 0 or negative. */
typedef int (*clm_example_fn)(void *ctx, struct clm_mined_example *ex);

/* Prepare a miner; 0 or CLM_ENOMEM. */
int clm_code_miner_init(struct clm_code_miner *m, size_t max_tokens);

/* Free the miner's parsers. */
void clm_code_miner_release(struct clm_code_miner *m);

/* Non-zero when `path` should not be mined: vendored, built or minified files, or a language
 * without function extraction. */
int clm_code_path_skipped(const char *path);

/* Non-zero when the first bytes of a file carry a generated-file marker ("@generated",
 * "DO NOT EDIT", "Code generated", "auto-generated"). */
int clm_code_is_generated(const char *data, size_t len);

/* Emit the examples of one file change: `old_blob` is NULL for an added file. Functions touched
 * by the diff on the new side are compared with the old function of the same qualified name.
 * `commit` and `path` go into provenance. 0 or a negative code from `emit` or allocation. */
int clm_code_examples(struct clm_code_miner *m, const struct clm_language *lang, const char *path,
		      const char *commit, const git_blob *old_blob, git_blob *new_blob,
		      const struct clm_task_dep *deps, size_t ndeps, clm_example_fn emit, void *emit_ctx);

#endif
