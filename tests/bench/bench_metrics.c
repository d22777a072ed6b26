/* Metric throughput on the metric test vectors: corpus BLEU, smoothed BLEU and CodeBLEU, with a
 * same-run baseline for BLEU that clips n-gram counts by scanning lists (the quadratic way)
 * instead of hash tables. Prints measurements only; asserts nothing about time. */
#include "eval/bleu.h"
#include "eval/codebleu.h"
#include "eval/lines.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPEAT 3

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Whitespace tokens of one line, as (start, len) pairs into the line. */
struct toks {
	const char *s[4096];
	size_t len[4096], n;
};

static void split(const char *line, struct toks *t)
{
	t->n = 0;
	for (const char *p = line; *p && t->n < 4096;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		t->s[t->n] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		t->len[t->n] = (size_t)(p - t->s[t->n]);
		t->n++;
	}
}

static int gram_eq(const struct toks *a, size_t i, const struct toks *b, size_t j, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (a->len[i + k] != b->len[j + k] || memcmp(a->s[i + k], b->s[j + k], a->len[i + k]))
			return 0;
	return 1;
}

/* Baseline: clipped matches by counting every n-gram against every other (O(len^2) per line). */
static double naive_bleu(const char *const *refs, const char *const *preds, size_t n)
{
	static struct toks r, h;
	double m[4] = { 0 }, poss[4] = { 0 }, rl = 0, hl = 0, logp = 0;

	for (size_t l = 0; l < n; l++) {
		split(refs[l], &r);
		split(preds[l], &h);
		rl += (double)r.n;
		hl += (double)h.n;
		for (size_t o = 1; o <= 4; o++) {
			for (size_t i = 0; i + o <= h.n; i++) {
				size_t seen = 0, in_hyp = 0, in_ref = 0;
				for (size_t j = 0; j < i; j++)
					seen += gram_eq(&h, i, &h, j, o);
				if (seen)
					continue; /* count each distinct n-gram once */
				for (size_t j = 0; j + o <= h.n; j++)
					in_hyp += gram_eq(&h, i, &h, j, o);
				for (size_t j = 0; j + o <= r.n; j++)
					in_ref += gram_eq(&h, i, &r, j, o);
				m[o - 1] += (double)(in_hyp < in_ref ? in_hyp : in_ref);
			}
			if (h.n >= o)
				poss[o - 1] += (double)(h.n - o + 1);
		}
	}
	for (int k = 0; k < 4; k++)
		logp += log((m[k] + 1) / (poss[k] + 1)) / 4;
	return 100 * exp(logp) * (hl > rl ? 1 : exp(1 - rl / hl));
}

int main(void)
{
	static const char *const sets[][2] = { { "concode", "java" }, { "codetrans", "c_sharp" }, { "bugs2fix", "java" } };
	const char *data = getenv("CLM_DATA");
	double t_bleu = 0, t_naive = 0, t_smooth = 0, t_codebleu = 0, max_diff = 0;
	size_t lines = 0;

	if (!data)
		data = "tests/data";
	for (size_t s = 0; s < 3; s++) {
		for (int level = 0; level < 4; level++) {
			struct clm_lines ref = CLM_LINES_INIT, pred = CLM_LINES_INIT;
			char rp[4096], pp[4096];
			double v, b = 0, t;
			struct clm_codebleu cb;

			snprintf(rp, sizeof(rp), "%s/metrics/%s-L%d.ref", data, sets[s][0], level);
			snprintf(pp, sizeof(pp), "%s/metrics/%s-L%d.pred", data, sets[s][0], level);
			if (clm_lines_read(rp, &ref) < 0 || clm_lines_read(pp, &pred) < 0 || ref.n != pred.n) {
				fprintf(stderr, "bench_metrics: %s\n", clm_error());
				return 1;
			}
			for (int r = 0; r < REPEAT; r++) {
				t = now();
				clm_bleu_corpus(ref.line, pred.line, ref.n, &b);
				t_bleu += now() - t;
				t = now();
				v = naive_bleu(ref.line, pred.line, ref.n);
				t_naive += now() - t;
				max_diff = fabs(v - b) > max_diff ? fabs(v - b) : max_diff;
				t = now();
				clm_bleu_smoothed(ref.line, pred.line, ref.n, &v);
				t_smooth += now() - t;
				t = now();
				clm_codebleu_corpus(sets[s][1], ref.line, pred.line, ref.n, &cb);
				t_codebleu += now() - t;
			}
			lines += ref.n * REPEAT;
			clm_lines_release(&ref);
			clm_lines_release(&pred);
		}
	}
	printf("config: 12 metric test vector pairs (tests/data/metrics) x %d repeats = %zu scored lines\n", REPEAT, lines);
	printf("corpus BLEU (hash tables)      %9.0f lines/s\n", (double)lines / t_bleu);
	printf("baseline BLEU (list scans)     %9.0f lines/s  (hash tables %.1fx faster; max score diff %.2g)\n",
	       (double)lines / t_naive, t_naive / t_bleu, max_diff);
	printf("smoothed sentence BLEU         %9.0f lines/s\n", (double)lines / t_smooth);
	printf("CodeBLEU (parse + 4 parts)     %9.0f lines/s\n", (double)lines / t_codebleu);
	return 0;
}
