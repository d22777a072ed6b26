/* A cheap first pass over a commit: does its tree change touch a dependency manifest? Compares
 * tree entries by object id, descending only into subtrees that differ, without building a
 * libgit2 diff (which takes a config snapshot and allocates a delta per change). */
#ifndef CLM_MINE_TREE_CHANGES_H
#define CLM_MINE_TREE_CHANGES_H

#include <git2.h>

#define CLM_TREE_MEMO_MAX 256

/* The subtrees read on the new side of the last comparison: on a first-parent walk they are the
 * old side of the next one, which then reads no tree twice without relying on libgit2's cache. */
struct clm_tree_memo {
	git_tree *last[CLM_TREE_MEMO_MAX], *next[CLM_TREE_MEMO_MAX]; /* owned */
	size_t nlast, nnext;
};

/* 1 when a path that differs between `old_tree` (NULL: empty) and `new_tree` is a known manifest,
 * 0 when none is, negative when a tree cannot be read (message set). `memo` (may be NULL) is
 * consulted and refilled. */
int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
				     struct clm_tree_memo *memo);

/* Free the trees a memo holds and empty it. */
void clm_tree_memo_release(struct clm_tree_memo *memo);

#endif
