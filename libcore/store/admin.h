/* Moving a model's head back (rollback), listing what may be pruned (gc), and the repository
 * settings init makes (notes follow rewrites, optional sharing refspecs). */
#ifndef CLM_STORE_ADMIN_H
#define CLM_STORE_ADMIN_H

#include "store/store.h"

/* Move the head of `model` back to `target`, which must be an earlier version on its history.
 * The old head stays reachable as refs/clmodel/attic/<model>/<old head id>, written into `attic`. */
int clm_store_rollback(struct clm_store *s, const char *model, const git_oid *target, char *attic, size_t size);

/* An attic reference and the versions that only it keeps alive. */
struct clm_gc_item {
	char *ref;                       /* owned, refs/clmodel/attic/... */
	char (*versions)[GIT_OID_HEXSZ + 1]; /* owned; versions nothing else reaches, newest first */
	size_t nversions;                /* 0: the reference is redundant */
};

/* What is safe to prune: each attic reference with the versions that no model head, pin or
 * other refs/clmodel reference reaches. Free with clm_gc_items_free. */
int clm_store_gc_list(struct clm_store *s, struct clm_gc_item **out, size_t *n);

/* Delete the listed attic references (each by compare-and-swap); objects go with `git gc`. */
int clm_store_gc_prune(struct clm_store *s, const struct clm_gc_item *items, size_t n);

/* Free a list from clm_store_gc_list. */
void clm_gc_items_free(struct clm_gc_item *items, size_t n);

/* Repository settings: notes.rewriteRef += refs/notes/clmodel and notes.rewriteMode =
 * cat_sort_uniq (notes follow rebase and amend); with `share_remote`, non-forced fetch and push
 * refspecs for everything under refs/clmodel/ and refs/notes/clmodel on that remote. `*added_head_push` is set when
 * a "HEAD" push refspec was added so a plain `git push` keeps pushing the current branch. */
int clm_store_configure(struct clm_store *s, const char *share_remote, int *added_head_push);

#endif
