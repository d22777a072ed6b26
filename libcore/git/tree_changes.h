/* A cheap first pass over a commit: does its tree change touch a dependency manifest? Compares
 * tree entries by object id, descending only into subtrees that differ, without building a
 * libgit2 diff (which takes a config snapshot and allocates a delta per change). */
#ifndef CLM_GIT_TREE_CHANGES_H
#define CLM_GIT_TREE_CHANGES_H

#include <git2.h>

/* 1 when a path that differs between `old_tree` (NULL: empty) and `new_tree` is a known manifest,
 * 0 when none is, negative when a tree cannot be read (message set). */
int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree);

#endif
