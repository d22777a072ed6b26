#include "suggest/suggest.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int clm_suggester_open(struct clm_suggester *sg, struct clm_store *s, const char *model, const char *explicit_rev,
		       const char *commit_rev)
{
	int rc;

	memset(sg, 0, sizeof(*sg));
	sg->max_new_tokens = 256;
	sg->focus = CLM_BUDGET_NO_FOCUS;
	rc = clm_store_which(s, model, explicit_rev, commit_rev, &sg->which);
	if (rc == 0)
		rc = clm_model_state_load(s, &sg->which.version, &sg->st);
	if (rc == 0)
		rc = clm_model_state_for_inference(&sg->st);
	if (rc == 0)
		rc = clm_tok_codec(&sg->codec, &sg->st.base.tok);
	return rc;
}

int clm_suggest(struct clm_suggester *sg, enum clm_task_kind kind, const char *lang, const char *source, int n,
		char ***outs, double *logprob)
{
	struct clm_dataset ds = { 0 };
	struct clm_gen_config gc;
	struct clm_strbuf fitted = CLM_STRBUF_INIT;
	char **sampled = NULL;
	int rc = 0;

	*outs = NULL;
	if (n < 1)
		return clm_error_set(CLM_EINVALID, "at least one suggestion must be asked for");
	rc = clm_budget_fit_prompt(&sg->codec, &sg->st.strategy, &sg->st.base.model, source, kind, sg->focus,
				   (size_t)(sg->max_new_tokens > 0 ? sg->max_new_tokens : 1), &fitted);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = clm_dataset_add(&ds, "suggest", "suggest", kind, lang, fitted.buf, "", NULL);
	clm_gen_defaults(&gc);
	gc.max_new_tokens = sg->max_new_tokens;
	gc.stop = &sg->codec.eos;
	gc.n_stop = 1;
	gc.seed = sg->seed;
	/* The first alternative is the model's best guess; the rest explore around it. */
	if (rc == 0) {
		ds.n = 1;
		rc = clm_cl_predict_with(&sg->st.strategy, &sg->st.base.model, &sg->codec, &ds, 0,
					 CLM_ROUTE_INFER_UNKNOWN, &gc, 1, outs, logprob);
		ds.n = (size_t)n;
	}
	if (rc == 0 && n > 1) {
		gc.temperature = 0.8f;
		gc.top_p = 0.95f;
		ds.n = (size_t)n - 1;
		rc = clm_cl_predict_with(&sg->st.strategy, &sg->st.base.model, &sg->codec, &ds, 0,
					 CLM_ROUTE_INFER_UNKNOWN, &gc, (size_t)n - 1, &sampled, logprob ? logprob + 1 : NULL);
		ds.n = (size_t)n;
		if (rc == 0) {
			char **all = realloc(*outs, (size_t)n * sizeof(*all));
			if (!all) {
				rc = clm_error_oom();
			} else {
				*outs = all;
				memcpy(all + 1, sampled, ((size_t)n - 1) * sizeof(*all));
				free(sampled);
				sampled = NULL;
			}
		}
	}
	if (rc < 0) {
		clm_cl_free_preds(*outs, 1);
		clm_cl_free_preds(sampled, (size_t)n - 1);
		*outs = NULL;
	}
	clm_dataset_release(&ds);
	clm_strbuf_release(&fitted);
	return rc;
}

int clm_suggest_remote(const struct clm_remote_settings *rs, const char *source, int n, int max_tokens,
		       clm_remote_text_fn on_text, void *arg, char ***outs)
{
	static const char *const stop[] = { "<|endoftext|>", NULL };
	struct clm_strbuf prompt = CLM_STRBUF_INIT;
	int rc = 0;

	*outs = calloc((size_t)(n > 0 ? n : 1), sizeof(char *));
	if (!*outs)
		return clm_error_oom();
	if (!rs->url)
		rc = clm_error_set(CLM_EINVALID, "no server: give --remote <url> or set clmodel.remote.url");
	if (rc == 0)
		rc = clm_strbuf_addf(&prompt, "%s<|sep|>", source);
	for (int i = 0; rc == 0 && i < n; i++) {
		struct clm_completion_request req = { .model = rs->model, .prompt = prompt.buf, .max_tokens = max_tokens,
						      .temperature = i ? 0.8 : 0.0, .stop = stop, .stream = 1 };
		struct clm_remote_result res;
		clm_remote_result_init(&res);
		rc = clm_remote_complete(&rs->cfg, &req, i ? NULL : on_text, arg, &res);
		if (rc == 0)
			(*outs)[i] = clm_strbuf_detach(&res.text, NULL);
		clm_remote_result_release(&res);
	}
	if (rc < 0) {
		clm_cl_free_preds(*outs, (size_t)n);
		*outs = NULL;
	}
	clm_strbuf_release(&prompt);
	return rc;
}

void clm_suggester_release(struct clm_suggester *sg)
{
	clm_model_state_release(&sg->st);
	memset(sg, 0, sizeof(*sg));
}
