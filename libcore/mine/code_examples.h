/* Examples from one changed source file: hunks mapped to the enclosing functions, then refine
 * (old -> new function), generate (signature + docstring -> body, for added functions) and
 * summarize (function -> first sentence of its docstring). */
#ifndef CLM_MINE_CODE_EXAMPLES_H
#define CLM_MINE_CODE_EXAMPLES_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>
#include "data/mined_example.h"
#include "parsers/languages.h"

/* How many parsed file versions, and how many bytes of their source, a miner keeps for the next
 * change of the same file. */
#define CLM_PARSE_CACHE_ENTRIES 128
#define CLM_PARSE_CACHE_BYTES (8 * 1024 * 1024)

struct clm_parse_cache;

/* Parsers, limits and recently parsed files reused across files; one per mining thread. */
struct clm_code_miner {
	TSParser **parsers;      /* one per language of clm_languages(), created on first use; owned */
	struct clm_parse_cache *parsed; /* recent parsed file versions; owned */
	size_t cache_bytes;      /* source bytes the parse cache may keep */
	size_t cache_entries;    /* and parsed files, at most CLM_PARSE_CACHE_ENTRIES */
	size_t nlanguages;
	size_t max_tokens;       /* examples whose source or target is longer are skipped */
	size_t skipped_long;     /* counters for the run summary */
};

/* A dependency of the current task, for `uses_dep`. */
struct clm_task_dep {
	const char *ecosystem, *package;
};

/* One hunk of a zero-context diff, in 1-based lines. */
struct clm_hunk {
	uint32_t old_start, old_lines, new_start, new_lines;
};

/* One changed source file as the walk read it: both sides' bytes and the hunks between them.
 * Everything is borrowed; nothing in it needs libgit2 any more, so any thread may mine it. */
struct clm_file_change {
	const struct clm_language *lang;
	const char *path, *commit;
	const char *old_src, *new_src;  /* old_src NULL for an added file */
	size_t old_len, new_len;
	git_oid old_id, new_id;         /* blob ids: what the parse cache knows a version by */
	const struct clm_hunk *hunks;
	size_t nhunks;
	const struct clm_task_dep *deps;
	size_t ndeps;
};

/* Receives each example (fields borrowed for the duration of the call); returns 0 or negative. */
typedef int (*clm_example_fn)(void *ctx, struct clm_mined_example *ex);

/* Prepare a miner whose parse cache keeps up to `share` of CLM_PARSE_CACHE_ENTRIES files and
 * CLM_PARSE_CACHE_BYTES of source (a run's miners share them out); 0 or CLM_ENOMEM. */
int clm_code_miner_init(struct clm_code_miner *m, size_t max_tokens, unsigned share);

/* Free the miner's parsers. */
void clm_code_miner_release(struct clm_code_miner *m);

/* Non-zero when `path` should not be mined: vendored, built or minified files, or a language
 * without function extraction. */
int clm_code_path_skipped(const char *path);

/* Non-zero when the first bytes of a file carry a generated-file marker ("@generated",
 * "DO NOT EDIT", "Code generated", "auto-generated"). */
int clm_code_is_generated(const char *data, size_t len);

/* The zero-context hunks between two blobs into *hunks (caller frees) and *n; libgit2 computes
 * them, so call this on the thread that reads the repository. 0 or a negative code. */
int clm_blob_hunks(const git_blob *old_blob, const git_blob *new_blob, const char *path, struct clm_hunk **hunks,
		   size_t *n);

/* Emit the examples of one file change: functions touched by the hunks on the new side are
 * compared with the old function of the same qualified name. Only `m` is written, so threads
 * with miners of their own may run this at once. 0 or a negative code from `emit` or
 * allocation. */
int clm_code_examples(struct clm_code_miner *m, const struct clm_file_change *c, clm_example_fn emit,
		      void *emit_ctx);

#endif
