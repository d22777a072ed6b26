/* The metric of each task kind, as the CodeTask-CL study reports them: CodeBLEU for generation
 * (in a language CodeBLEU supports, else corpus BLEU-4), corpus BLEU-4 for translation, refinement
 * and completion, smoothed sentence BLEU-4 for summarization; exact match for every kind. */
#ifndef CLM_EVAL_TASK_SCORE_H
#define CLM_EVAL_TASK_SCORE_H

#include <stddef.h>
#include "data/dataset.h"

struct clm_task_score {
	const char *metric; /* "codebleu", "bleu" or "smooth-bleu" (static string) */
	double score;       /* that metric, percent */
	double em;          /* exact match, percent */
};

/* Name of the metric used for `kind` in `lang` (for translation "a->b" the target language b). */
const char *clm_task_metric_name(enum clm_task_kind kind, const char *lang);

/* Score n predictions against references for a task of `kind` in language `lang` (for
 * translation "a->b" the target language b counts). 0 or a negative code. */
int clm_task_score(enum clm_task_kind kind, const char *lang, const char *const *refs, const char *const *preds,
		   size_t n, struct clm_task_score *out);

#endif
