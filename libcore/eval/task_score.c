#include "eval/task_score.h"
#include "eval/bleu.h"
#include "eval/codebleu.h"

#include <string.h>

/* The language a prediction is written in: b for a translation "a->b". */
static const char *target_language(const char *lang)
{
	const char *arrow = strstr(lang ? lang : "", "->");

	return arrow ? arrow + 2 : lang ? lang : "";
}

const char *clm_task_metric_name(enum clm_task_kind kind, const char *lang)
{
	switch (kind) {
	case CLM_KIND_GENERATE:
		return clm_codebleu_language(target_language(lang)) ? "codebleu" : "bleu";
	case CLM_KIND_SUMMARIZE:
		return "smooth-bleu";
	default:
		return "bleu";
	}
}

int clm_task_score(enum clm_task_kind kind, const char *lang, const char *const *refs, const char *const *preds,
		   size_t n, struct clm_task_score *out)
{
	struct clm_codebleu cb = { 0 };
	int rc;

	out->metric = clm_task_metric_name(kind, lang);
	out->em = clm_exact_match(refs, preds, n);
	if (!strcmp(out->metric, "codebleu")) {
		rc = clm_codebleu_corpus(target_language(lang), refs, preds, n, &cb);
		out->score = cb.score;
		return rc;
	}
	if (kind == CLM_KIND_SUMMARIZE)
		return clm_bleu_smoothed(refs, preds, n, &out->score);
	return clm_bleu_corpus(refs, preds, n, &out->score);
}
