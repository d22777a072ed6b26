/* Suggestions from the model version that serves a commit: load it once, then rewrite functions,
 * complete code or answer snippets. */
#ifndef CLM_SUGGEST_SUGGEST_H
#define CLM_SUGGEST_SUGGEST_H

#include <stdint.h>
#include "cl/budget.h"
#include "data/dataset.h"
#include "update/model_state.h"
#include "suggest/remote_settings.h"
#include "store/which.h"

struct clm_suggester {
	struct clm_model_state st;
	struct clm_which which;
	struct clm_text_codec codec;
	int max_new_tokens; /* length cap of one suggestion (default 256) */
	uint64_t seed;      /* alternatives after the first are sampled from seed, seed+1, ... */
	size_t focus;       /* byte of the source at the cursor, kept when the source must be shortened
			       to fit the context (CLM_BUDGET_NO_FOCUS: as the kind says) */
};

/* Load the version serving `commit_rev` (NULL: HEAD) of `model` (NULL: default), or
 * `explicit_rev` when given (see clm_store_which). Release with clm_suggester_release. */
int clm_suggester_open(struct clm_suggester *sg, struct clm_store *s, const char *model, const char *explicit_rev,
		       const char *commit_rev);

/* `n` suggestions for `source` as a task of `kind` in `lang`: the first greedy, the others
 * sampled (temperature 0.8, top-p 0.95). A source too long for the model's context is shortened
 * around sg->focus (cl/budget.h). outs[i] are new strings (free with clm_cl_free_preds);
 * logprob (NULL or n entries) receives each one's mean token log-probability. */
int clm_suggest(struct clm_suggester *sg, enum clm_task_kind kind, const char *lang, const char *source, int n,
		char ***outs, double *logprob);

/* The same request sent to an OpenAI-compatible server (`rs`): prompt "<source><|sep|>", stop at
 * "<|endoftext|>", as our models are trained; the first alternative greedy (streamed to `on_text`,
 * may be NULL), the others at temperature 0.8. outs[i] are new strings (clm_cl_free_preds). */
int clm_suggest_remote(const struct clm_remote_settings *rs, const char *source, int n, int max_tokens,
		       clm_remote_text_fn on_text, void *arg, char ***outs);

/* Free the loaded version. */
void clm_suggester_release(struct clm_suggester *sg);

#endif
