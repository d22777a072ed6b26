/* Reference updates as compare-and-swap on the old value, so a concurrent change is never lost. */
#ifndef CLM_GIT_REFS_H
#define CLM_GIT_REFS_H

#include <git2.h>
#include "git/repo.h"


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
