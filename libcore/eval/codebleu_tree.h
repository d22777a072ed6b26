/* The tree-based halves of CodeBLEU for one sample: syntax match and data-flow match counts. */
#ifndef CLM_EVAL_CODEBLEU_TREE_H
#define CLM_EVAL_CODEBLEU_TREE_H

#include <stddef.h>
#include <tree_sitter/api.h>

struct clm_codebleu_tree_counts {
	size_t ref_subtrees, matched_subtrees; /* reference subtrees, and those also in the prediction */
	size_t ref_flows, matched_flows;       /* normalised reference flows, and those matched */
};

/* Parse `ref` and `pred` with `parser` (set to `lang`'s grammar) and add their syntax and
 * data-flow counts to *acc. Returns 0 or CLM_ENOMEM. */
int clm_codebleu_tree_counts(TSParser *parser, const char *lang, const char *ref, const char *pred,
			     struct clm_codebleu_tree_counts *acc);

#endif
