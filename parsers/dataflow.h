/* CodeBLEU data-flow graphs: which variable token gets its value from which tokens, extracted
 * from a tree-sitter tree the way the CodeBLEU reference (DFG.py) does for Java, C# and Python, and
 * by the same walk for Go, JavaScript/TypeScript, Rust, Ruby, C and C++.
 * One deliberate difference: a C# variable declarator's value is the expression after "=" (the
 * reference expects the older grammar's equals_value_clause child and, on the pinned grammar,
 * would drop every initialiser); Python for loops walk their "body" field even with an else. */
#ifndef CLM_PARSERS_DATAFLOW_H
#define CLM_PARSERS_DATAFLOW_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

enum clm_dfg_relation {
	CLM_DFG_COMES_FROM,    /* a use or declaration: the value comes from earlier definitions */
	CLM_DFG_COMPUTED_FROM  /* an assignment target: the value is computed from these tokens */
};

/* One node of the graph: token `pos` (the variable `var`) and its sources. */
struct clm_dfg_edge {
	uint32_t var;               /* name id local to the graph: equal ids mean equal token text, and
	                               ids number names in order of first appearance in the snippet */
	uint32_t pos;               /* index of the token in the snippet's token sequence */
	enum clm_dfg_relation rel;
	uint32_t *from_var;         /* distinct source names, in order of first appearance; owned */
	size_t nfrom_var;
	uint32_t *from_pos;         /* source token positions, ascending, distinct; owned */
	size_t nfrom_pos;
};

/* A data-flow graph: edges ordered by pos, one per token, only tokens that take part in a flow. */
struct clm_dfg {
	struct clm_dfg_edge *edge; /* owned */
	size_t n, alloc;
};

#define CLM_DFG_INIT { NULL, 0, 0 }

/* Non-zero when `lang` has data-flow rules: "java", "c_sharp", "python" as the CodeBLEU reference
 * has them; "go", "javascript", "typescript", "tsx", "rust", "ruby", "c", "cpp" by the same walk
 * over their grammars' node types (parsers/dataflow.c). */
int clm_dataflow_supported(const char *lang);

/* Extract the data-flow graph of the tree under `root`, parsed from `src` (`len` bytes), with
 * the rules of `lang`. Iterative: no recursion over the tree. Replaces *out's contents.
 * Returns 0, CLM_EINVALID (language without rules) or CLM_ENOMEM. A snippet without
 * variables yields an empty graph. */
int clm_dataflow_extract(const char *lang, TSNode root, const char *src, size_t len,
			 struct clm_dfg *out);

/* Free the graph's edges; it is empty and reusable afterwards. */
void clm_dfg_release(struct clm_dfg *g);

#endif
