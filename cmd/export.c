/* git clmodel export: write a version as a Hugging Face directory or a safetensors file. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "git/store.h"
#include "git/store_export.h"
#include "util/error.h"

#include <stdio.h>

static const char *const export_usage[] = {
	"git clmodel export [--name <model>] --format hf|safetensors --out <dir> [<version>]",
	NULL,
};

int cmd_export(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL, *format = "hf", *out = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "format", &format, "<format>", "hf (config, tokenizer, weights) or safetensors" },
		{ CLM_OPT_STRING, 'o', "out", &out, "<dir>", "output directory (created when missing)" },
		{ CLM_OPT_STRING, 0, "name", &model, "<model>", "model name (default: default)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	enum clm_export_format fmt;
	struct clm_store s;
	git_oid id;
	int code, rc, n = clm_parse_options(argc, argv, opts, export_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 1 || !out)
		return clm_usage_error(export_usage, opts, n > 1 ? "at most one version" : "--out is required");
	if (clm_export_format_parse(format, &fmt) < 0)
		return clm_usage_error(export_usage, opts, "%s", clm_error());
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_resolve(&s, model, n ? argv[0] : NULL, &id);
	if (rc == 0)
		rc = clm_store_export(&s, &id, fmt, out);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (ctx->json)
		clm_print_json(json_pack("{ss ss ss}", "version", git_oid_tostr_s(&id), "format", format, "out", out));
	else if (!ctx->quiet)
		printf("Exported %.12s to %s (%s)\n", git_oid_tostr_s(&id), out, format);
	return CLM_EXIT_OK;
}
