/* BLEU and exact match as the CodeXGLUE evaluators compute them. Scores are percentages
 * (0..100), unrounded; the evaluators print them rounded to two decimals. refs[i] and preds[i]
 * are one sample each (one line of the evaluators' files, without its line end). */
#ifndef CLM_EVAL_BLEU_H
#define CLM_EVAL_BLEU_H

#include <stddef.h>

/* Corpus BLEU-4 of the code-to-code evaluators (refinement, translation): whitespace tokens,
 * clipped n-gram counts summed over the corpus, brevity penalty over the corpus lengths.
 * 0 for an empty corpus or empty references. Returns 0 or CLM_ENOMEM. */
int clm_bleu_corpus(const char *const *refs, const char *const *preds, size_t n, double *score);

/* Smoothed sentence BLEU-4 of the code-to-text evaluator, averaged over the samples:
 * lowercased word/punctuation tokens, +1 smoothing for orders 2..4, brevity penalty
 * exp(min(0, 1 - (r+1)/(c+1))). 0 for an empty corpus. Returns 0 or CLM_ENOMEM. */
int clm_bleu_smoothed(const char *const *refs, const char *const *preds, size_t n, double *score);

/* The smoothed sentence BLEU-4 of one sample (0..100); returns 0 or CLM_ENOMEM. */
int clm_bleu_smoothed_one(const char *ref, const char *pred, double *score);

/* Percentage of samples whose prediction equals the reference after stripping whitespace at
 * both ends (Python's str.strip()); 0 for an empty corpus. */
double clm_exact_match(const char *const *refs, const char *const *preds, size_t n);

#endif
