/* git clmodel which: the model version that serves a commit, and why. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/which.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>

static const char *const which_usage[] = {
	"git clmodel which [--model <version|ref>] [--name <model>] [<commit>]",
	NULL,
};

int cmd_which(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *explicit_rev = NULL, *model = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "model", &explicit_rev, "<version|ref>", "use this version (overrides pins and notes)" },
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	struct clm_which w;
	struct clm_version_info info;
	int code, rc, n = clm_parse_options(argc, argv, opts, which_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 1)
		return clm_usage_error(which_usage, opts, "at most one commit");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_which(&s, model, explicit_rev, n ? argv[0] : NULL, &w);
	if (rc == 0)
		rc = clm_store_describe(&s, &w.version, &info);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (w.warning[0])
		fprintf(stderr, "warning: %s\n", w.warning);
	if (ctx->json) {
		json_t *j = json_pack("{ss ss ss ss ss}", "version", info.oid, "reason", clm_which_reason_name(w.reason),
				      "detail", w.detail, "commit", w.commit, "summary", info.summary);
		clm_print_json(j);
	} else {
		printf("%s %s\n", info.oid, info.summary);
		printf("  why: %s: %s\n", clm_which_reason_name(w.reason), w.detail);
	}
	clm_version_info_release(&info);
	return CLM_EXIT_OK;
}
