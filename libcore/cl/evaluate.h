/* Scoring a model on a dataset whose examples may mix task kinds and languages (a mined task
 * holds refine, generate and summarize examples in several languages). */
#ifndef CLM_CL_EVALUATE_H
#define CLM_CL_EVALUATE_H

#include "cl/trainer.h"
#include "eval/task_score.h"

/* Greedy predictions for every example of `ds` (routed by `s` as `mode` says, task index `task`),
 * scored per (kind, language) group with that kind's metric; out->score and out->em are the
 * groups' values weighted by their sizes, out->metric the metric of the largest group.
 * An empty dataset scores NAN. 0 or negative. */
int clm_cl_evaluate(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		    const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
		    const struct clm_cl_train_config *c, struct clm_task_score *out);

#endif
