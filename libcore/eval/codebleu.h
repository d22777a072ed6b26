/* CodeBLEU (Ren et al. 2020) as the CodeXGLUE evaluator computes it for Java, C# and Python, and
 * the same way for Go, JavaScript/TypeScript, Rust, Ruby, C and C++ (their keyword lists and
 * data-flow rules over their grammars):
 * 0.25 x (n-gram match + keyword-weighted n-gram match + syntax match + data-flow match). */
#ifndef CLM_EVAL_CODEBLEU_H
#define CLM_EVAL_CODEBLEU_H

#include <stddef.h>

/* Scores in percent (0..100), with the counts behind the syntax and data-flow parts. */
struct clm_codebleu {
	double ngram;          /* corpus BLEU-4 over whitespace tokens (NLTK rules, epsilon 0.1) */
	double weighted_ngram; /* the same with unigrams weighted 1 for keywords, 0.2 otherwise */
	double syntax;         /* share of reference subtrees found in the prediction's tree */
	double dataflow;       /* share of reference data flows (variables renamed) matched */
	double score;          /* 0.25 each */
	size_t ref_subtrees, matched_subtrees;
	size_t ref_flows, matched_flows; /* ref_flows 0: data-flow match is 0, as in the reference */
};

/* The languages CodeBLEU scores, for messages. */
#define CLM_CODEBLEU_LANGUAGES "java, c_sharp, python, go, javascript, typescript, tsx, rust, ruby, c, cpp"

/* The canonical language name CodeBLEU supports for `name` (one of CLM_CODEBLEU_LANGUAGES;
 * "csharp", "cs", "py", "js", "ts" are accepted), or NULL. */
const char *clm_codebleu_language(const char *name);

/* Score n predictions against their references in language `lang`. Empty corpus: all 0.
 * Returns 0, CLM_EINVALID (unsupported language) or CLM_ENOMEM. */
int clm_codebleu_corpus(const char *lang, const char *const *refs, const char *const *preds, size_t n,
			struct clm_codebleu *out);

#endif
