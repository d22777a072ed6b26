/* Building a nested git tree from a flat list of (path, blob) pairs; shared by the store's writers. */
#ifndef CLM_GIT_TREE_H
#define CLM_GIT_TREE_H

#include <git2.h>
#include "util/strbuf.h"
#include "util/symtab.h"

struct clm_tree_entry {
	char *path; /* owned, "weights/h.0.attn.bias" */
	git_oid blob;
};

struct clm_tree_plan {
	struct clm_tree_entry *items; /* owned */
	size_t n, alloc;
	struct clm_symtab index;      /* path -> position in items (ids in item order); owned */
};

/* Add `path` -> `blob`, replacing an earlier entry with the same path; 0 or negative. */
int clm_tree_plan_add(struct clm_tree_plan *p, const char *path, const git_oid *blob);

/* Write `len` bytes as a blob (reusing an existing identical one) and add it as `path`. */
int clm_tree_plan_add_bytes(struct clm_tree_plan *p, git_repository *repo, const char *path,
			    const void *data, size_t len);

/* Add every blob under directory `dir` ("tasks") of `tree` whose path is not planned yet. */
int clm_tree_plan_inherit(struct clm_tree_plan *p, git_repository *repo, const git_tree *tree, const char *dir);

/* Add the blob at top-level `name` of `tree` unless `name` is planned already or absent there. */
int clm_tree_plan_inherit_file(struct clm_tree_plan *p, const git_tree *tree, const char *name);

/* Write the nested trees and return the root tree's id. */
int clm_tree_plan_write(struct clm_tree_plan *p, git_repository *repo, git_oid *out);

/* Append the blob at `path` of `tree` to `out`; CLM_ENOTFOUND when absent. */
int clm_tree_read_blob(git_repository *repo, const git_tree *tree, const char *path, struct clm_strbuf *out);

/* Free the plan. */
void clm_tree_plan_release(struct clm_tree_plan *p);

/* Non-zero when `path` is a clean relative path (no empty, "." or ".." components). */
int clm_tree_path_is_clean(const char *path);

#endif
