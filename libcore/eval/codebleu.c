#include "eval/codebleu.h"
#include "eval/codebleu_keywords.h"
#include "eval/codebleu_tree.h"
#include "eval/ngram.h"
#include "eval/tokenize.h"
#include "parsers/dataflow.h"
#include "parsers/languages.h"
#include "util/error.h"

#include <math.h>
#include <string.h>

/* Corpus sums of NLTK's modified precision parts and lengths. */
struct ngram_sums {
	double num[CLM_NGRAM_MAX_ORDER], den[CLM_NGRAM_MAX_ORDER];
	double hyp_len, ref_len;
};

const char *clm_codebleu_language(const char *name)
{
	const struct clm_language *l = clm_language_by_name(name);

	return l && clm_codebleu_keywords(l->name) && clm_dataflow_supported(l->name) ? l->name : NULL;
}

/* NLTK corpus_bleu as the CodeBLEU reference configures it: uniform weights, smoothing method1
 * (a zero numerator becomes 0.1), brevity penalty from summed lengths. Result in 0..1. */
static double nltk_bleu(const struct ngram_sums *s)
{
	double log_sum = 0, bp;

	if (s->num[0] == 0)
		return 0;
	if (s->hyp_len > s->ref_len)
		bp = 1;
	else if (s->hyp_len == 0)
		bp = 0;
	else
		bp = exp(1.0 - s->ref_len / s->hyp_len);
	for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++)
		log_sum += 0.25 * log((s->num[k] == 0 ? 0.1 : s->num[k]) / s->den[k]);
	return bp * exp(log_sum);
}

/* Scratch state for the n-gram parts. */
struct ngram_work {
	struct clm_eval_tokenizer tk;
	struct clm_symtab keywords; /* interned keyword strings: membership test by lookup */
	struct clm_ids ref, hyp;
	struct clm_ngram_counts ref_counts, hyp_counts;
};

static int ngram_work_init(struct ngram_work *w, const char *lang)
{
	struct clm_symtab empty = CLM_SYMTAB_INIT;
	struct clm_ids ids = CLM_IDS_INIT;
	struct clm_ngram_counts counts = CLM_NGRAM_COUNTS_INIT;
	int rc = clm_eval_tokenizer_init(&w->tk);

	w->keywords = empty;
	w->ref = w->hyp = ids;
	w->ref_counts = w->hyp_counts = counts;
	for (const char *const *k = clm_codebleu_keywords(lang); rc == 0 && *k; k++) {
		uint32_t id;
		rc = clm_symtab_intern(&w->keywords, *k, strlen(*k), &id);
	}
	return rc;
}

static void ngram_work_release(struct ngram_work *w)
{
	clm_eval_tokenizer_release(&w->tk);
	clm_symtab_release(&w->keywords);
	clm_ids_release(&w->ref);
	clm_ids_release(&w->hyp);
	clm_ngram_counts_release(&w->ref_counts);
	clm_ngram_counts_release(&w->hyp_counts);
}

static double keyword_weight(const struct ngram_work *w, uint32_t token)
{
	size_t len;
	const char *s = clm_symtab_name(&w->tk.syms, token, &len);

	return clm_symtab_find(&w->keywords, s, len) != UINT32_MAX ? 1.0 : 0.2;
}

/* Add one sample to the plain (modified precision) and weighted (modified recall) sums. */
static int ngram_sample(struct ngram_work *w, const char *ref, const char *pred, struct ngram_sums *plain,
			struct ngram_sums *weighted)
{
	double ref_total[CLM_NGRAM_MAX_ORDER] = { 0 }, matched[CLM_NGRAM_MAX_ORDER] = { 0 };
	int rc;

	if ((rc = clm_tokenize_whitespace(&w->tk, ref, &w->ref)) < 0 ||
	    (rc = clm_tokenize_whitespace(&w->tk, pred, &w->hyp)) < 0 ||
	    (rc = clm_ngram_count(&w->ref_counts, w->ref.id, w->ref.n, CLM_NGRAM_MAX_ORDER)) < 0 ||
	    (rc = clm_ngram_count(&w->hyp_counts, w->hyp.id, w->hyp.n, CLM_NGRAM_MAX_ORDER)) < 0)
		return rc;
	for (size_t i = 0; i < w->hyp_counts.nused; i++) {
		const struct clm_ngram_entry *e = &w->hyp_counts.slot[w->hyp_counts.used[i]];
		uint32_t r = clm_ngram_get(&w->ref_counts, e->id, e->order);
		plain->num[e->order - 1] += e->count < r ? e->count : r;
	}
	for (size_t i = 0; i < w->ref_counts.nused; i++) {
		const struct clm_ngram_entry *e = &w->ref_counts.slot[w->ref_counts.used[i]];
		uint32_t h = clm_ngram_get(&w->hyp_counts, e->id, e->order);
		double weight = e->order == 1 ? keyword_weight(w, e->id[0]) : 1.0;
		matched[e->order - 1] += weight * (e->count < h ? e->count : h);
		ref_total[e->order - 1] += weight * e->count;
	}
	for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++) {
		double hyp_total = (double)w->hyp_counts.total[k];
		plain->den[k] += hyp_total > 1 ? hyp_total : 1;
		weighted->num[k] += matched[k];
		weighted->den[k] += ref_total[k] > 1 ? ref_total[k] : 1;
	}
	plain->hyp_len += (double)w->hyp.n;
	plain->ref_len += (double)w->ref.n;
	weighted->hyp_len += (double)w->hyp.n;
	/* The reference measures each reference as its [tokens, weights] pair, of length 2, so its
	 * weighted brevity penalty sees references of 2 tokens; kept, so scores stay comparable. */
	weighted->ref_len += 2;
	return 0;
}

static int tree_parts(const char *lang, const char *const *refs, const char *const *preds, size_t n,
		      struct clm_codebleu_tree_counts *counts)
{
	TSParser *parser = NULL;
	int rc = clm_language_parser(clm_language_by_name(lang), &parser);

	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = clm_codebleu_tree_counts(parser, lang, refs[i], preds[i], counts);
	if (parser)
		ts_parser_delete(parser);
	return rc;
}

int clm_codebleu_corpus(const char *lang_name, const char *const *refs, const char *const *preds, size_t n,
			struct clm_codebleu *out)
{
	const char *lang = clm_codebleu_language(lang_name);
	struct ngram_sums plain, weighted;
	struct clm_codebleu_tree_counts counts = { 0, 0, 0, 0 };
	struct ngram_work w;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!lang)
		return clm_error_set(CLM_EINVALID, "CodeBLEU supports " CLM_CODEBLEU_LANGUAGES ", not '%s'", lang_name);
	memset(&plain, 0, sizeof(plain));
	memset(&weighted, 0, sizeof(weighted));
	rc = ngram_work_init(&w, lang);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = ngram_sample(&w, refs[i], preds[i], &plain, &weighted);
	ngram_work_release(&w);
	if (rc == 0)
		rc = tree_parts(lang, refs, preds, n, &counts);
	if (rc < 0 || n == 0)
		return rc;
	out->ngram = 100.0 * nltk_bleu(&plain);
	out->weighted_ngram = 100.0 * nltk_bleu(&weighted);
	out->ref_subtrees = counts.ref_subtrees;
	out->matched_subtrees = counts.matched_subtrees;
	out->ref_flows = counts.ref_flows;
	out->matched_flows = counts.matched_flows;
	if (counts.ref_subtrees)
		out->syntax = 100.0 * (double)counts.matched_subtrees / (double)counts.ref_subtrees;
	if (counts.ref_flows)
		out->dataflow = 100.0 * (double)counts.matched_flows / (double)counts.ref_flows;
	out->score = 0.25 * (out->ngram + out->weighted_ngram + out->syntax + out->dataflow);
	return 0;
}
