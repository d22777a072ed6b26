/* git clmodel report: the model's history as one self-contained HTML page (accuracy matrix,
 * scores across versions with releases and candidates, tasks with examples, prompt keys). */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "report/collect.h"
#include "report/html.h"
#include "util/error.h"
#include "util/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const report_usage[] = {
	"git clmodel report [--name <model>] [--out <file.html>] [--open] [--examples <n>] [--bench <file.json>]",
	"git clmodel report --json [--name <model>] [--examples <n>] [--bench <file.json>]",
	NULL,
};

/* Hand the page to the desktop's browser; a machine without one still has the file. */
static void open_page(const char *path)
{
	const char *argv[] = { "xdg-open", path, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0)
		fprintf(stderr, "warning: could not start xdg-open; open %s in a browser\n", path);
}

int cmd_report(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL, *out = "clmodel-report.html", *bench = NULL;
	long examples = 3;
	int open = 0, code = CLM_EXIT_OK, n, rc;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_STRING, 'o', "out", &out, "<file>", "where to write the page (default clmodel-report.html)" },
		{ CLM_OPT_FLAG, 0, "open", &open, NULL, "open the page in the desktop's browser (xdg-open)" },
		{ CLM_OPT_INT, 0, "examples", &examples, "<n>", "before/after examples per task with the head's prediction (default 3)" },
		{ CLM_OPT_STRING, 0, "bench", &bench, "<file>", "add a `git clmodel bench codetask --json` result" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_report_options ro;
	struct clm_progress progress;
	struct clm_strbuf page;
	struct clm_store s;
	json_t *report = NULL;

	n = clm_parse_options(argc, argv, opts, report_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0 || examples < 0)
		return clm_usage_error(report_usage, opts, n > 0 ? "unexpected argument '%s'" : "--examples >= 0%s",
				       n > 0 ? argv[0] : "");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	clm_report_options_init(&ro);
	ro.model = model;
	ro.examples = (size_t)examples;
	ro.bench_path = bench;
	clm_progress_begin(&progress, "report", 0, ctx->quiet || ctx->json);
	rc = clm_report_collect(&s, &ro, &progress, &report);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (ctx->json) {
		clm_print_json(report);
		return CLM_EXIT_OK;
	}
	clm_strbuf_init(&page);
	rc = clm_report_html(report, &page);
	if (rc == 0)
		rc = clm_write_file_atomic(out, page.buf, page.len);
	clm_strbuf_release(&page);
	json_decref(report);
	if (rc < 0)
		return clm_die_error();
	if (!ctx->quiet)
		fprintf(stderr, "Wrote %s\n", out);
	if (open)
		open_page(out);
	return CLM_EXIT_OK;
}
