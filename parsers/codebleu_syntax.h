/* CodeBLEU syntax match support: a structural hash of every subtree of a tree-sitter tree. */
#ifndef CLM_PARSERS_CODEBLEU_SYNTAX_H
#define CLM_PARSERS_CODEBLEU_SYNTAX_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* Non-zero for comment nodes ("comment", "line_comment", "block_comment"): CodeBLEU removes
 * comments before parsing, so they take no part in syntax or data-flow matching. */
int clm_ts_is_comment(TSNode node);

/* Hash the S-expression of every node under `root` (root included) that has children, skipping
 * comments. Two subtrees get the same hash exactly when their S-expressions (node types, field
 * names, named children; as ts_node_string prints them) are equal, up to 64-bit collisions.
 * Walks iteratively, so deep nesting cannot exhaust the stack. Stores a malloc'd array in
 * *hashes (caller frees) and its length in *n; 0 or CLM_ENOMEM. */
int clm_syntax_subtree_hashes(TSNode root, uint64_t **hashes, size_t *n);

#endif
