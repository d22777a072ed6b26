/* Bookkeeping of the data-flow walk (parsers/dataflow.c): the snippet's token sequence, the live
 * definitions of each variable, and the growing list of flow edges. Internal to parsers/. */
#ifndef CLM_PARSERS_DATAFLOW_GRAPH_H
#define CLM_PARSERS_DATAFLOW_GRAPH_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "parsers/dataflow.h"
#include "util/symtab.h"

/* A leaf of the token sequence (string literals count as one token). */
struct clm_dfg_token {
	uint32_t start, end; /* byte span */
	uint32_t name;       /* local name id of the text */
	int is_var;          /* its type differs from its text: identifiers, literals */
	int is_identifier;
};

/* The snippet's tokens in source order, with their texts interned. */
struct clm_dfg_tokens {
	struct clm_dfg_token *tok; /* owned */
	size_t n, alloc;
	struct clm_symtab names;
};

/* A (name, token position) pair. */
struct clm_dfg_np {
	uint32_t name, pos;
};

/* Live definitions: (name, position) pairs sorted by name then position, distinct. */
struct clm_dfg_vars {
	struct clm_dfg_np *p; /* owned */
	size_t n, alloc;
};

/* An edge before the final clean-up: token pos (variable var) takes from the `from` tokens. */
struct clm_dfg_raw_edge {
	uint32_t var, pos;
	enum clm_dfg_relation rel;
	struct clm_dfg_np *from; /* owned */
	size_t nfrom;
};

struct clm_dfg_edges {
	struct clm_dfg_raw_edge *e; /* owned */
	size_t n, alloc;
};

/* Non-zero when `node` is one token of the sequence: a leaf or a whole string literal, not a
 * comment. */
int clm_dfg_is_token_node(TSNode node);

/* Collect the tokens under `root` (text from `src`, `len` bytes) iteratively; 0 or CLM_ENOMEM. */
int clm_dfg_tokens_collect(struct clm_dfg_tokens *t, TSNode root, const char *src, size_t len);

/* The token range [*first, *last) inside `node`'s byte span. */
void clm_dfg_tokens_in(const struct clm_dfg_tokens *t, TSNode node, size_t *first, size_t *last);

/* The index of the token that is exactly `node`, or SIZE_MAX. */
size_t clm_dfg_token_of(const struct clm_dfg_tokens *t, TSNode node);

/* Free the tokens and their names. */
void clm_dfg_tokens_release(struct clm_dfg_tokens *t);

/* The pairs of `name` in v: [*first, *last). */
void clm_dfg_vars_get(const struct clm_dfg_vars *v, uint32_t name, size_t *first, size_t *last);

/* Make `pos` the only live definition of `name`; 0 or CLM_ENOMEM. */
int clm_dfg_vars_set(struct clm_dfg_vars *v, uint32_t name, uint32_t pos);

/* dst = src (deep copy); 0 or CLM_ENOMEM. */
int clm_dfg_vars_copy(struct clm_dfg_vars *dst, const struct clm_dfg_vars *src);

/* dst = dst ∪ src; 0 or CLM_ENOMEM. */
int clm_dfg_vars_union(struct clm_dfg_vars *dst, const struct clm_dfg_vars *src);

/* Append an edge (copying `from`); 0 or CLM_ENOMEM. */
int clm_dfg_edges_add(struct clm_dfg_edges *g, uint32_t var, uint32_t pos, enum clm_dfg_relation rel,
		      const struct clm_dfg_np *from, size_t nfrom);

/* Fold the edges from index `first` on that share (pos, rel, var) (or only pos, when
 * `by_pos_only`) into one with the union of their sources, sorted by position; 0 or CLM_ENOMEM. */
int clm_dfg_edges_merge(struct clm_dfg_edges *g, size_t first, int by_pos_only);

/* Keep the tokens that take part in a flow (they have sources or are one), one edge per token,
 * and store them in *out (empty on entry); 0 or CLM_ENOMEM. */
int clm_dfg_edges_finish(struct clm_dfg_edges *g, size_t ntokens, struct clm_dfg *out);

/* Free the edges. */
void clm_dfg_edges_release(struct clm_dfg_edges *g);

#endif
