#include "eval/bleu.h"
#include "eval/ngram.h"
#include "eval/tokenize.h"
#include "util/error.h"

#include <float.h>
#include <math.h>
#include <string.h>

/* Clipped n-gram matches and n-gram totals of one sample, per order. */
struct clm_bleu_stats {
	double matches[CLM_NGRAM_MAX_ORDER];
	double possible[CLM_NGRAM_MAX_ORDER];
	double ref_len, hyp_len;
};

/* Scratch state for scoring samples one after another. */
struct clm_bleu_work {
	struct clm_eval_tokenizer tk;
	struct clm_ids ref, hyp;
	struct clm_ngram_counts ref_counts, hyp_counts;
};

static int work_init(struct clm_bleu_work *w)
{
	struct clm_ids ids = CLM_IDS_INIT;
	struct clm_ngram_counts counts = CLM_NGRAM_COUNTS_INIT;

	w->ref = w->hyp = ids;
	w->ref_counts = w->hyp_counts = counts;
	return clm_eval_tokenizer_init(&w->tk);
}

static void work_release(struct clm_bleu_work *w)
{
	clm_eval_tokenizer_release(&w->tk);
	clm_ids_release(&w->ref);
	clm_ids_release(&w->hyp);
	clm_ngram_counts_release(&w->ref_counts);
	clm_ngram_counts_release(&w->hyp_counts);
}

/* Count the clipped matches of w->hyp against w->ref (already tokenized). */
static int sample_stats(struct clm_bleu_work *w, struct clm_bleu_stats *st)
{
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = clm_ngram_count(&w->ref_counts, w->ref.id, w->ref.n, CLM_NGRAM_MAX_ORDER)) < 0 ||
	    (rc = clm_ngram_count(&w->hyp_counts, w->hyp.id, w->hyp.n, CLM_NGRAM_MAX_ORDER)) < 0)
		return rc;
	for (size_t i = 0; i < w->hyp_counts.nused; i++) {
		const struct clm_ngram_entry *e = &w->hyp_counts.slot[w->hyp_counts.used[i]];
		uint32_t r = clm_ngram_get(&w->ref_counts, e->id, e->order);
		st->matches[e->order - 1] += e->count < r ? e->count : r;
	}
	for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++)
		st->possible[k] = (double)w->hyp_counts.total[k];
	st->ref_len = (double)w->ref.n;
	st->hyp_len = (double)w->hyp.n;
	return 0;
}

int clm_bleu_corpus(const char *const *refs, const char *const *preds, size_t n, double *score)
{
	struct clm_bleu_work w;
	struct clm_bleu_stats sum, one;
	double log_sum = 0, ratio;
	int rc = work_init(&w);

	*score = 0;
	memset(&sum, 0, sizeof(sum));
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if ((rc = clm_tokenize_whitespace(&w.tk, refs[i], &w.ref)) < 0 ||
		    (rc = clm_tokenize_whitespace(&w.tk, preds[i], &w.hyp)) < 0 ||
		    (rc = sample_stats(&w, &one)) < 0)
			break;
		for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++) {
			sum.matches[k] += one.matches[k];
			sum.possible[k] += one.possible[k];
		}
		sum.ref_len += one.ref_len;
		sum.hyp_len += one.hyp_len;
	}
	work_release(&w);
	if (rc < 0 || sum.ref_len == 0 || sum.hyp_len == 0)
		return rc;
	for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++) {
		/* the evaluators call compute_bleu(smooth=True): add one to every order */
		double p = (sum.matches[k] + 1.0) / (sum.possible[k] + 1.0);
		log_sum += log(p) / CLM_NGRAM_MAX_ORDER;
	}
	ratio = sum.hyp_len / sum.ref_len;
	*score = 100.0 * exp(log_sum) * (ratio > 1.0 ? 1.0 : exp(1.0 - 1.0 / ratio));
	return 0;
}

/* The code-to-text evaluator's score of one sample, from its counts (0..1). */
static double smoothed_from_stats(const struct clm_bleu_stats *st)
{
	double log_bleu = 0, brevity;

	for (int k = 0; k < CLM_NGRAM_MAX_ORDER; k++) {
		double add = k > 0 ? 1.0 : 0.0;
		log_bleu += log(st->matches[k] + add + DBL_MIN) - log(st->possible[k] + add + DBL_MIN);
	}
	log_bleu /= CLM_NGRAM_MAX_ORDER;
	brevity = 1.0 - (st->ref_len + 1.0) / (st->hyp_len + 1.0);
	return exp(log_bleu + (brevity < 0 ? brevity : 0));
}

static int smoothed_sample(struct clm_bleu_work *w, const char *ref, const char *pred, double *out)
{
	struct clm_bleu_stats st;
	int rc;

	if ((rc = clm_tokenize_words_puncts(&w->tk, ref, &w->ref)) < 0 ||
	    (rc = clm_tokenize_words_puncts(&w->tk, pred, &w->hyp)) < 0 ||
	    (rc = sample_stats(w, &st)) < 0)
		return rc;
	*out = smoothed_from_stats(&st);
	return 0;
}

int clm_bleu_smoothed(const char *const *refs, const char *const *preds, size_t n, double *score)
{
	struct clm_bleu_work w;
	double total = 0, one;
	int rc = work_init(&w);

	*score = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = smoothed_sample(&w, refs[i], preds[i], &one)) == 0)
			total += one;
	work_release(&w);
	if (rc == 0 && n)
		*score = 100.0 * total / (double)n;
	return rc;
}

int clm_bleu_smoothed_one(const char *ref, const char *pred, double *score)
{
	return clm_bleu_smoothed(&ref, &pred, 1, score);
}

/* Trim Python whitespace at both ends: the kept span is [*start, *start + *len). */
static void py_strip(const char *s, const char **start, size_t *len)
{
	const char *p = s, *end = s, *q;
	uint32_t cp;
	size_t step;

	while ((step = clm_utf8_next(p, &cp)) && clm_is_py_space(cp))
		p += step;
	for (q = p; (step = clm_utf8_next(q, &cp)); q += step)
		if (!clm_is_py_space(cp))
			end = q + step;
	*start = p;
	*len = end > p ? (size_t)(end - p) : 0;
}

double clm_exact_match(const char *const *refs, const char *const *preds, size_t n)
{
	size_t same = 0;

	for (size_t i = 0; i < n; i++) {
		const char *a, *b;
		size_t la, lb;
		py_strip(refs[i], &a, &la);
		py_strip(preds[i], &b, &lb);
		same += la == lb && !memcmp(a, b, la);
	}
	return n ? 100.0 * (double)same / (double)n : 0;
}
