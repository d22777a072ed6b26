/* Reference updates as compare-and-swap on the old value, so a concurrent change is never lost. */
#ifndef CLM_GIT_REFS_H
#define CLM_GIT_REFS_H

#include <git2.h>

/* Turn libgit2's last error into a CLM_E* code and message, prefixed with printf-formatted
 * context; `gitrc` is the libgit2 return code. */
int clm_git_error(int gitrc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The commit `name` points at (a direct reference); 0, CLM_ENOTFOUND or another code. */
int clm_ref_read(git_repository *repo, const char *name, git_oid *out);

/* Point `name` at `new_oid` only when it still points at `old_oid` (NULL: only when it does not
 * exist yet). CLM_ECONFLICT with a message when the reference moved. */
int clm_ref_cas(git_repository *repo, const char *name, const git_oid *new_oid, const git_oid *old_oid,
		const char *log_message);

/* Delete `name` only when it still points at `old_oid`; CLM_ECONFLICT when it moved,
 * CLM_ENOTFOUND when it is gone. */
int clm_ref_delete_cas(git_repository *repo, const char *name, const git_oid *old_oid);

#endif
