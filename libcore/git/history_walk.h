/* Walking the commits of a range oldest first: libgit2's revwalk normally; in a shallow clone,
 * where revwalk fails on the missing parents, an explicit first-parent walk that stops at the
 * boundary. */
#ifndef CLM_GIT_HISTORY_WALK_H
#define CLM_GIT_HISTORY_WALK_H

#include <stddef.h>
#include <git2.h>

struct clm_history_walk {
	git_revwalk *revwalk; /* NULL in a shallow clone */
	git_oid *list;        /* shallow clone: the first-parent chain, newest first; owned */
	size_t n, left;
	int boundary;         /* the chain ended at a commit whose parent is not in the clone */
	int first_parent_only; /* all parents were asked for but only first parents are walked */
};

/* Start walking `range` ("A..B", "B"; NULL = HEAD) without the commits reachable from the `nhide`
 * commits in `hide` (ids that are gone are ignored). *tip receives the commit the range ends at.
 * 0 or CLM_EINVALID with a message naming the range. */
int clm_history_walk_start(struct clm_history_walk *w, git_repository *repo, const char *range, int all_parents,
			   const git_oid *hide, size_t nhide, git_oid *tip);

/* The next commit, oldest first: 1 with *oid set, 0 at the end, negative when the history is
 * broken (message set; the caller may keep what it has). */
int clm_history_walk_next(struct clm_history_walk *w, git_oid *oid);

/* Free the walk. */
void clm_history_walk_release(struct clm_history_walk *w);

#endif
