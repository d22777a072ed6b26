/* git clmodel promote: make a candidate that failed the update gate the model head. */
#include "cmd/commands.h"
#include "store/promote.h"
#include "util/error.h"

#include <stdio.h>

static const char *const promote_usage[] = {
	"git clmodel promote [--name <model>] <candidate>",
	NULL,
};

int cmd_promote(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	const char *model = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "name", &model, "<model>", "model name (default: default)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	char ref[512];
	struct clm_store s;
	git_oid id;
	int code = CLM_EXIT_OK, n, rc;

	n = clm_parse_options(argc, argv, opts, promote_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n != 1)
		return clm_usage_error(promote_usage, opts, "expected one candidate (see git clmodel status)");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_candidate_ref(&s, model, argv[0], ref, sizeof(ref));
	if (rc == 0)
		rc = clm_store_promote(&s, model, ref, &id);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	if (ctx->json)
		printf("{\"version\": \"%s\", \"candidate\": \"%s\"}\n", git_oid_tostr(hex, sizeof(hex), &id), ref);
	else if (!ctx->quiet)
		printf("Promoted %s: the head is now %.12s\n", ref, git_oid_tostr(hex, sizeof(hex), &id));
	return CLM_EXIT_OK;
}
