/* git clmodel import: record a GGUF gpt2 file or a Hugging Face GPT-2 directory as a new model
 * version. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/import.h"
#include "util/error.h"

#include <stdio.h>

static const char *const import_usage[] = {
	"git clmodel import [--name <model>] <file.gguf | model dir>",
	NULL,
};

int cmd_import(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_import_options imp = { 0 };
	struct clm_store s;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	int code, rc, n = clm_parse_options(argc, argv, opts, import_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1)
		return clm_usage_error(import_usage, opts, "give exactly one GGUF file or model directory");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	imp.model = model;
	rc = clm_store_import(&s, argv[0], &imp, &id);
	if (rc == 0) /* before closing: libgit2 is shut down after that */
		git_oid_tostr(hex, sizeof(hex), &id);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (ctx->json)
		clm_print_json(json_pack("{ss ss ss}", "model", model ? model : CLM_STORE_DEFAULT_MODEL, "version",
					 hex, "file", argv[0]));
	else if (!ctx->quiet)
		printf("Imported %s as version %.12s of model '%s'\n", argv[0], hex,
		       model ? model : CLM_STORE_DEFAULT_MODEL);
	return CLM_EXIT_OK;
}
