#include "parsers/walk.h"

int clm_ts_walk(TSNode root, clm_ts_visit_fn visit, void *ctx)
{
	TSTreeCursor cur = ts_tree_cursor_new(root);
	size_t depth = 0;
	int rc;

	for (;;) {
		rc = visit(ts_tree_cursor_current_node(&cur), depth, ctx);
		if (rc < 0 || rc == CLM_WALK_STOP)
			break;
		if (rc == CLM_WALK_DESCEND && ts_tree_cursor_goto_first_child(&cur)) {
			depth++;
			continue;
		}
		/* The cursor starts at `root`, so it never moves past it: depth 0 ends the walk. */
		while (depth > 0 && !ts_tree_cursor_goto_next_sibling(&cur)) {
			ts_tree_cursor_goto_parent(&cur);
			depth--;
		}
		if (depth == 0)
			break;
	}
	ts_tree_cursor_delete(&cur);
	return rc < 0 ? rc : 0;
}
