/* Installing and removing the git hooks that queue model updates, keeping any hook that was
 * already in place: it is renamed to <name>.pre-clmodel, still run by ours, and restored
 * byte for byte (same file, same mode) by uninstall. */
#ifndef CLM_UPDATE_HOOKS_H
#define CLM_UPDATE_HOOKS_H

#include <stdio.h>
#include <git2.h>
#include "util/strbuf.h"

/* The hooks we install, NULL-terminated: post-merge, post-checkout, post-rewrite. */
const char *const *clm_hook_names(void);

/* Where git runs hooks for `repo`: core.hooksPath when set (relative to the work tree, or to
 * the git dir of a bare repository), else <common git dir>/hooks. */
int clm_hooks_dir(git_repository *repo, struct clm_strbuf *out);

/* Install each hook from `template_dir` (our hooks/ folder), with @CLMODEL@ replaced by
 * `binary`. Re-installing updates ours in place. One line per hook is appended to `report`. */
int clm_hooks_install(git_repository *repo, const char *template_dir, const char *binary,
		      struct clm_strbuf *report);

/* Remove our hooks and put back the ones they replaced. Hooks that are not ours are left alone
 * and reported. */
int clm_hooks_uninstall(git_repository *repo, struct clm_strbuf *report);

/* What a hook runs: from the hook's arguments (argv[0] the hook name; post-rewrite reads
 * "old new" lines from `input`) compare the old and new commits' trees; when a dependency manifest
 * changed, queue a job, start `binary update --queued` in the background, and append one line for
 * the user to `said`. One job per run: post-rewrite stops at the first pair that needs one. Returns 1 when a job was queued, 0 when nothing changed, negative on error. */
int clm_hooks_run(git_repository *repo, int argc, const char **argv, const char *binary, FILE *input,
		  struct clm_strbuf *said);

/* Non-zero when the file at `path` is a hook installed by git-clmodel. */
int clm_hook_is_ours(const char *path);

#endif
