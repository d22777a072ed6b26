/* git clmodel score: score predictions against references with the CodeXGLUE metrics. */
#include "cmd/commands.h"
#include "eval/codebleu.h"
#include "eval/scores.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdio.h>

static const char *const score_usage[] = {
	"git clmodel score --pred <file> --ref <file> [--metric <name>] [--lang <lang>] [--json]",
	NULL,
};

static void print_text(const struct clm_scores *s, int quiet)
{
	if (s->have & CLM_METRIC_BLEU)
		printf("BLEU: %.2f\n", s->bleu);
	if (s->have & CLM_METRIC_SMOOTH_BLEU)
		printf("smoothed BLEU: %.2f\n", s->smooth_bleu);
	if (s->have & CLM_METRIC_EM)
		printf("EM: %.2f\n", s->em);
	if (!(s->have & CLM_METRIC_CODEBLEU))
		return;
	printf("CodeBLEU: %.2f\n", s->codebleu.score);
	printf("  ngram match: %.2f, weighted ngram match: %.2f, syntax match: %.2f, dataflow match: %.2f\n",
	       s->codebleu.ngram, s->codebleu.weighted_ngram, s->codebleu.syntax, s->codebleu.dataflow);
	if (!s->codebleu.ref_flows && !quiet)
		fprintf(stderr, "note: the references have no data flow; its match counts as 0, as in the "
				"CodeBLEU reference\n");
}

static int print_json(const struct clm_scores *s)
{
	struct clm_strbuf out = CLM_STRBUF_INIT;
	json_t *j = clm_scores_json(s);
	int rc = j ? clm_json_dump(j, &out) : clm_error_oom();

	json_decref(j);
	if (rc == 0)
		printf("%s\n", out.buf);
	clm_strbuf_release(&out);
	return rc;
}

int cmd_score(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *pred = NULL, *ref = NULL, *metric = NULL, *lang = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "pred", &pred, "<file>", "predictions, one per line" },
		{ CLM_OPT_STRING, 0, "ref", &ref, "<file>", "references, one per line, same count" },
		{ CLM_OPT_STRING, 0, "metric", &metric, "<name>", "bleu, smooth-bleu, em or codebleu (default: all)" },
		{ CLM_OPT_STRING, 0, "lang", &lang, "<lang>", "java, c_sharp or python (for CodeBLEU)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_scores scores;
	unsigned metrics;
	int exit_code, n = clm_parse_options(argc, argv, opts, score_usage, ctx, &exit_code);

	if (n < 0)
		return exit_code;
	if (n > 0)
		return clm_usage_error(score_usage, opts, "unexpected argument '%s'", argv[0]);
	if (!pred || !ref)
		return clm_usage_error(score_usage, opts, "both --pred and --ref are required");
	if (lang && !clm_codebleu_language(lang))
		return clm_usage_error(score_usage, opts, "unknown language '%s' (CodeBLEU supports " CLM_CODEBLEU_LANGUAGES ")",
				       lang);
	metrics = metric ? clm_metric_by_name(metric) : CLM_METRIC_ALL;
	if (!metrics)
		return clm_usage_error(score_usage, opts, "unknown metric '%s' (bleu, smooth-bleu, em, codebleu)", metric);
	if (ctx->json)
		metrics = CLM_METRIC_ALL;
	if (!lang && metrics == CLM_METRIC_CODEBLEU)
		return clm_usage_error(score_usage, opts, "--metric codebleu needs --lang");
	if (!lang)
		metrics &= ~(unsigned)CLM_METRIC_CODEBLEU;
	if (clm_score_files(pred, ref, metrics, lang, &scores) < 0)
		return clm_die_error();
	if (ctx->json)
		return print_json(&scores) < 0 ? clm_die_error() : CLM_EXIT_OK;
	print_text(&scores, ctx->quiet);
	return CLM_EXIT_OK;
}
