/* Does a change between two trees touch a dependency manifest? The one answer for the miner's
 * first pass over each commit and for the hooks. Compares tree entries by object id, descending
 * only into subtrees that differ, without building a libgit2 diff (which takes a config snapshot
 * and allocates a delta per change); reads trees only, never blobs. */
#ifndef CLM_MINE_TREE_CHANGES_H
#define CLM_MINE_TREE_CHANGES_H

#include <git2.h>
#include "util/strbuf.h"

#define CLM_TREE_MEMO_MAX 256

/* The subtrees read on the new side of the last comparison: on a first-parent walk they are the
 * old side of the next one, which then reads no tree twice without relying on libgit2's cache. */
struct clm_tree_memo {
	git_tree *last[CLM_TREE_MEMO_MAX], *next[CLM_TREE_MEMO_MAX]; /* owned */
	size_t nlast, nnext;
};

/* 1 when a path that differs between `old_tree` (NULL: empty) and `new_tree` is a known manifest
 * (appended to `path` when not NULL; top-level paths are found first), 0 when none is, negative
 * when a tree cannot be read (message set). `memo` (may be NULL) is consulted and refilled. */
int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
				     struct clm_tree_memo *memo, struct clm_strbuf *path);

/* The same question for two commits' trees: *touched is set non-zero when the change touches a
 * manifest, whose path is appended to `path` when not NULL. 0 or negative. */
int clm_commits_touch_manifest(git_repository *repo, const git_oid *old_commit, const git_oid *new_commit,
			       int *touched, struct clm_strbuf *path);

/* Free the trees a memo holds and empty it. */
void clm_tree_memo_release(struct clm_tree_memo *memo);

#endif
