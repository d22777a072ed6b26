/* Sharing model versions, pins and notes with a remote. Transport is `git fetch`/`git push` in a
 * child process; deciding what to take and merging notes is ours. */
#ifndef CLM_STORE_SHARE_H
#define CLM_STORE_SHARE_H

#include "store/store.h"

struct clm_share_result {
	size_t created;   /* references new here */
	size_t updated;   /* fast-forwarded */
	size_t unchanged; /* same, or ours already contains theirs */
	int notes_changed;
	char **unpinned;  /* owned: tags pinned there but unpinned here (not taken; push deletes them) */
	size_t nunpinned;
};

/* Fetch refs/clmodel/ and refs/notes/clmodel from `remote` (a remote name or URL). A model
 * reference that diverged (neither side contains the other) refuses the whole fetch, changing
 * nothing, with a message naming the versions that would be lost. Notes merge by sorted union. */
int clm_store_fetch(struct clm_store *s, const char *remote, struct clm_share_result *res);

/* Fetch and merge first (so nothing of theirs is overwritten), then push refs/clmodel/ and
 * refs/notes/clmodel with non-forced refspecs. */
int clm_store_push(struct clm_store *s, const char *remote, struct clm_share_result *res);

/* Free what a result owns. */
void clm_share_result_release(struct clm_share_result *res);

#endif
