/* One preorder walk over a tree-sitter subtree, shared by every extractor: nodes in document
 * order, each before its children, with a visitor that can skip a node's subtree or stop. */
#ifndef CLM_PARSERS_WALK_H
#define CLM_PARSERS_WALK_H

#include <stddef.h>
#include <tree_sitter/api.h>

/* What a visitor returns (or a negative error code, which ends the walk and is returned). */
enum {
	CLM_WALK_DESCEND = 0, /* go on into the node's children */
	CLM_WALK_SKIP = 1,    /* leave the node's children out */
	CLM_WALK_STOP = 2     /* end the walk; clm_ts_walk returns 0 */
};

/* Called for each node with its depth below the walk's root (0 for the root). */
typedef int (*clm_ts_visit_fn)(TSNode node, size_t depth, void *ctx);

/* Visit `root` and its descendants in preorder. 0, or the visitor's negative code. */
int clm_ts_walk(TSNode root, clm_ts_visit_fn visit, void *ctx);

#endif
