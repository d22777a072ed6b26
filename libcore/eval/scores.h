/* Scoring prediction files against reference files with any set of metrics (git clmodel score). */
#ifndef CLM_EVAL_SCORES_H
#define CLM_EVAL_SCORES_H

#include <stddef.h>
#include <jansson.h>

#include "eval/codebleu.h"

enum clm_metric {
	CLM_METRIC_BLEU = 1,        /* corpus BLEU-4, code-to-code evaluators */
	CLM_METRIC_SMOOTH_BLEU = 2, /* smoothed sentence BLEU-4, code-to-text evaluator */
	CLM_METRIC_EM = 4,          /* exact match */
	CLM_METRIC_CODEBLEU = 8     /* CodeBLEU; needs a language */
};

#define CLM_METRIC_ALL (CLM_METRIC_BLEU | CLM_METRIC_SMOOTH_BLEU | CLM_METRIC_EM | CLM_METRIC_CODEBLEU)

/* Scores in percent; only the metrics in `have` are set. */
struct clm_scores {
	unsigned have;
	size_t lines;
	double bleu, smooth_bleu, em;
	struct clm_codebleu codebleu;
};

/* The metric called `name` ("bleu", "smooth-bleu", "em", "codebleu"), or 0 when unknown. */
unsigned clm_metric_by_name(const char *name);

/* Compute `metrics` for n samples; CodeBLEU uses `lang` (may be NULL otherwise).
 * Returns 0, CLM_EINVALID (CodeBLEU without a supported language) or CLM_ENOMEM. */
int clm_score_lines(const char *const *refs, const char *const *preds, size_t n, unsigned metrics,
		    const char *lang, struct clm_scores *out);

/* Read one sample per line from both files (same line count required, at least one line) and
 * compute `metrics`. Errors name the file: CLM_ENOTFOUND, CLM_EIO, CLM_EINVALID (line counts
 * differ, empty file, unsupported language) or CLM_ENOMEM. */
int clm_score_files(const char *pred_path, const char *ref_path, unsigned metrics, const char *lang,
		    struct clm_scores *out);

/* The scores as a JSON object: "lines", "bleu", "smooth_bleu", "em" and "codebleu" (an object
 * with its four parts and counts); metrics not in `have` are null. New reference, or NULL when
 * out of memory. */
json_t *clm_scores_json(const struct clm_scores *s);

#endif
