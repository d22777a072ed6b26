#include "cl/evaluate.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_group(const struct clm_example *a, const struct clm_example *b)
{
	return a->kind == b->kind && !strcmp(a->lang ? a->lang : "", b->lang ? b->lang : "");
}

int clm_cl_evaluate(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		    const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
		    const struct clm_cl_train_config *c, struct clm_task_score *out)
{
	size_t n = ds->n, largest = 0;
	const char **refs = calloc(n ? n : 1, sizeof(*refs)), **preds_in = calloc(n ? n : 1, sizeof(*preds_in));
	char *done = calloc(n ? n : 1, 1), **preds = NULL;
	double score = 0, em = 0;
	int rc = refs && preds_in && done ? 0 : clm_error_oom();

	out->metric = "";
	out->score = out->em = NAN;
	if (!rc && n)
		rc = clm_cl_predict(s, m, codec, ds, task, mode, c, &preds);
	/* One metric call per (kind, language) group, over that group's references and predictions. */
	for (size_t i = 0; !rc && i < n; i++) {
		struct clm_task_score g;
		size_t k = 0;
		if (done[i])
			continue;
		for (size_t j = i; j < n; j++)
			if (!done[j] && same_group(&ds->items[i], &ds->items[j])) {
				refs[k] = ds->items[j].target;
				preds_in[k++] = preds[j];
				done[j] = 1;
			}
		rc = clm_task_score(ds->items[i].kind, ds->items[i].lang, refs, preds_in, k, &g);
		if (rc < 0)
			break;
		score += g.score * (double)k;
		em += g.em * (double)k;
		if (k > largest) {
			largest = k;
			out->metric = g.metric;
		}
	}
	if (!rc && n) {
		out->score = score / (double)n;
		out->em = em / (double)n;
	}
	clm_cl_free_preds(preds, n);
	free(refs);
	free(preds_in);
	free(done);
	return rc;
}
