/* Walking the commits of a range oldest first. The first-parent walk (the default, and the only
 * one a shallow clone allows) keeps every CLM_WALK_SEGMENT-th commit of the chain and one segment
 * at a time, so its memory does not grow with the history; --all-parents uses libgit2's revwalk,
 * which keeps a small node per commit of the range. */
#ifndef CLM_MINE_HISTORY_WALK_H
#define CLM_MINE_HISTORY_WALK_H

#include <stddef.h>
#include <git2.h>
#include "mine/state.h"

#define CLM_WALK_SEGMENT 1024

struct clm_history_walk {
	git_repository *repo;
	git_revwalk *revwalk;  /* --all-parents in a full clone; NULL otherwise */
	git_oid *marks;        /* first-parent walk: the chain's commits at positions 0, SEGMENT, ...
	                          counted from the tip; owned */
	size_t nmarks, marks_alloc;
	size_t length;         /* commits of the chain to walk (those newer than what is hidden) */
	git_commit **segment;  /* the segment being handed out, newest first; owned */
	size_t segment_at;     /* index into marks of the segment being handed out */
	size_t left;           /* commits of it not handed out yet */
	int boundary;          /* the chain ended at a commit whose parent is not in the clone */
	int shallow;           /* depths count to the clone's boundary, which a fetch can move */
	int first_parent_only; /* all parents were asked for but only first parents are walked */
};

/* Start walking `range` ("A..B", "B"; NULL = HEAD) without the commits already walked from the
 * `nhide` commits in `hide` (ids that are gone are ignored): with first parents, the commits on
 * their first-parent chains; with all parents, their ancestors. `hide_depths` (may be NULL) are
 * their first-parent depths as an earlier walk reported them, or CLM_DEPTH_UNKNOWN; they spare
 * walking an earlier tip's chain to its root, and unknown ones the walk counts are filled in. *tip receives the commit the range ends at and
 * *tip_depth its depth (CLM_DEPTH_UNKNOWN with all parents or in a shallow clone). 0 or
 * CLM_EINVALID with a message naming the range. */
int clm_history_walk_start(struct clm_history_walk *w, git_repository *repo, const char *range, int all_parents,
			   const git_oid *hide, size_t *hide_depths, size_t nhide, git_oid *tip,
			   size_t *tip_depth);

/* The next commit, oldest first: 1 with *oid set and *commit the commit (the caller frees it;
 * NULL when it cannot be read), 0 at the end, negative when the history is broken (message set;
 * the caller may keep what it has). */
int clm_history_walk_next(struct clm_history_walk *w, git_oid *oid, git_commit **commit);

/* Free the walk. */
void clm_history_walk_release(struct clm_history_walk *w);

#endif
