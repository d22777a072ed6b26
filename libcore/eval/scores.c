#include "eval/scores.h"
#include "eval/bleu.h"
#include "eval/codebleu.h"
#include "eval/lines.h"
#include "util/error.h"

#include <string.h>

unsigned clm_metric_by_name(const char *name)
{
	static const struct {
		const char *name;
		unsigned metric;
	} names[] = {
		{ "bleu", CLM_METRIC_BLEU }, { "smooth-bleu", CLM_METRIC_SMOOTH_BLEU },
		{ "em", CLM_METRIC_EM }, { "codebleu", CLM_METRIC_CODEBLEU },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, name))
			return names[i].metric;
	return 0;
}

int clm_score_lines(const char *const *refs, const char *const *preds, size_t n, unsigned metrics,
		    const char *lang, struct clm_scores *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->lines = n;
	if ((metrics & CLM_METRIC_CODEBLEU) && (!lang || !clm_codebleu_language(lang)))
		return clm_error_set(CLM_EINVALID, "CodeBLEU needs a language: " CLM_CODEBLEU_LANGUAGES "%s%s%s",
				     lang ? " (not '" : "", lang ? lang : "", lang ? "')" : "");
	if ((metrics & CLM_METRIC_BLEU) && (rc = clm_bleu_corpus(refs, preds, n, &out->bleu)) < 0)
		return rc;
	if ((metrics & CLM_METRIC_SMOOTH_BLEU) && (rc = clm_bleu_smoothed(refs, preds, n, &out->smooth_bleu)) < 0)
		return rc;
	if (metrics & CLM_METRIC_EM)
		out->em = clm_exact_match(refs, preds, n);
	if ((metrics & CLM_METRIC_CODEBLEU) && (rc = clm_codebleu_corpus(lang, refs, preds, n, &out->codebleu)) < 0)
		return rc;
	out->have = metrics & CLM_METRIC_ALL;
	return 0;
}

int clm_score_files(const char *pred_path, const char *ref_path, unsigned metrics, const char *lang,
		    struct clm_scores *out)
{
	struct clm_lines refs = CLM_LINES_INIT, preds = CLM_LINES_INIT;
	int rc = clm_lines_read(ref_path, &refs);

	memset(out, 0, sizeof(*out));
	if (rc == 0)
		rc = clm_lines_read(pred_path, &preds);
	if (rc == 0 && refs.n == 0)
		rc = clm_error_set(CLM_EINVALID, "'%s' has no lines", ref_path);
	if (rc == 0 && preds.n != refs.n)
		rc = clm_error_set(CLM_EINVALID, "'%s' has %zu line%s but '%s' has %zu: one prediction per reference line",
				   pred_path, preds.n, preds.n == 1 ? "" : "s", ref_path, refs.n);
	if (rc == 0)
		rc = clm_score_lines(refs.line, preds.line, refs.n, metrics, lang, out);
	clm_lines_release(&refs);
	clm_lines_release(&preds);
	return rc;
}

static int set_number(json_t *obj, const char *key, double v)
{
	return json_object_set_new(obj, key, json_real(v));
}

static json_t *codebleu_json(const struct clm_codebleu *c)
{
	json_t *o = json_object();

	if (!o || set_number(o, "score", c->score) || set_number(o, "ngram", c->ngram) ||
	    set_number(o, "weighted_ngram", c->weighted_ngram) || set_number(o, "syntax", c->syntax) ||
	    set_number(o, "dataflow", c->dataflow) ||
	    json_object_set_new(o, "ref_subtrees", json_integer((json_int_t)c->ref_subtrees)) ||
	    json_object_set_new(o, "matched_subtrees", json_integer((json_int_t)c->matched_subtrees)) ||
	    json_object_set_new(o, "ref_flows", json_integer((json_int_t)c->ref_flows)) ||
	    json_object_set_new(o, "matched_flows", json_integer((json_int_t)c->matched_flows))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *clm_scores_json(const struct clm_scores *s)
{
	json_t *o = json_object();
	int bad = !o;

	if (!bad)
		bad = json_object_set_new(o, "lines", json_integer((json_int_t)s->lines)) != 0;
	if (!bad)
		bad = json_object_set_new(o, "bleu", s->have & CLM_METRIC_BLEU ? json_real(s->bleu) : json_null());
	if (!bad)
		bad = json_object_set_new(o, "smooth_bleu",
					  s->have & CLM_METRIC_SMOOTH_BLEU ? json_real(s->smooth_bleu) : json_null());
	if (!bad)
		bad = json_object_set_new(o, "em", s->have & CLM_METRIC_EM ? json_real(s->em) : json_null());
	if (!bad)
		bad = json_object_set_new(o, "codebleu",
					  s->have & CLM_METRIC_CODEBLEU ? codebleu_json(&s->codebleu) : json_null());
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
