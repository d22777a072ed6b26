/* Opening the repository for history mining, and its working folder <git-common-dir>/clmodel/. */
#ifndef CLM_GIT_REPO_H
#define CLM_GIT_REPO_H

#include <git2.h>
#include "util/strbuf.h"

/* Open the repository that contains the current directory (normal, bare, or a linked worktree),
 * initialising libgit2. Caller closes with clm_repo_close. 0 or CLM_ENOTFOUND with a message. */
int clm_repo_open(git_repository **out);

/* Free the repository and release libgit2. */
void clm_repo_close(git_repository *repo);

/* Append "<git-common-dir>/clmodel/<sub>" to `out` (shared by all worktrees); 0 or CLM_ENOMEM. */
int clm_repo_state_path(git_repository *repo, const char *sub, struct clm_strbuf *out);

/* Turn libgit2's last error into a CLM_E* code and message, prefixed with printf-formatted
 * context; `gitrc` is the libgit2 return code. */
int clm_git_error(int gitrc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append the value of git config `key` to `out`; CLM_ENOTFOUND when it is not set. */
int clm_repo_config_string(git_repository *repo, const char *key, struct clm_strbuf *out);

/* Git config `key` as a number; CLM_ENOTFOUND when not set, CLM_EINVALID when not a number. */
int clm_repo_config_double(git_repository *repo, const char *key, double *out);

/* Move `id` to its commit's first parent: 1, 0 at a root commit (`id` unchanged), or negative. */
int clm_git_first_parent(git_repository *repo, git_oid *id);

#endif
