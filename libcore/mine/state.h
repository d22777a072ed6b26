/* What earlier `mine` runs covered: the tips they walked to, kept in
 * <git-common-dir>/clmodel/mine-state.json, so a new run walks only commits after them. */
#ifndef CLM_MINE_STATE_H
#define CLM_MINE_STATE_H

#include <stddef.h>
#include <git2.h>

#define CLM_DEPTH_UNKNOWN ((size_t)-1)

struct clm_mine_state {
	git_oid *tips;  /* owned */
	size_t *depths; /* each tip's first-parent depth (commits below it), or CLM_DEPTH_UNKNOWN; owned */
	size_t n, tips_alloc, depths_alloc;
	/* The task whose window was still open when the last run ended, to be continued. */
	char *open_task;      /* task id, or NULL; owned */
	git_oid open_last;    /* the last commit of its window so far */
	unsigned open_left;   /* commits its window may still take */
	unsigned open_commits; /* commits its window has */
};

/* Parse the state from the `len` bytes at `data` (`name` for messages). 0, or CLM_EINVALID with a
 * message and *s empty. */
int clm_mine_state_parse(const char *name, const char *data, size_t len, struct clm_mine_state *s);

/* Load the state; a missing file is an empty state. 0 or a negative code (malformed file). */
int clm_mine_state_load(git_repository *repo, struct clm_mine_state *s);

/* Record `tip` (at first-parent `depth`, or CLM_DEPTH_UNKNOWN) as mined: earlier tips that are
 * its ancestors are dropped. */
int clm_mine_state_add(git_repository *repo, struct clm_mine_state *s, const git_oid *tip, size_t depth);

/* Remember task `id` as open (copied), or forget the open task when `id` is NULL. */
int clm_mine_state_set_open(struct clm_mine_state *s, const char *id, const git_oid *last, unsigned left,
			    unsigned commits);

/* Write the state atomically. */
int clm_mine_state_save(git_repository *repo, const struct clm_mine_state *s);

/* Free the state. */
void clm_mine_state_release(struct clm_mine_state *s);

#endif
