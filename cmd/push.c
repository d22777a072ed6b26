/* git clmodel push: fetch and merge first, then push model versions, pins and notes. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/share.h"
#include "util/error.h"

#include <stdio.h>

static const char *const push_usage[] = {
	"git clmodel push <remote>",
	NULL,
};

int cmd_push(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_store s;
	struct clm_share_result r;
	int code, rc, n = clm_parse_options(argc, argv, opts, push_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1)
		return clm_usage_error(push_usage, opts, "need exactly one remote");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_push(&s, argv[0], &r);
	clm_store_close(&s);
	if (rc < 0) {
		clm_share_result_release(&r);
		return clm_die_error();
	}
	if (ctx->json)
		clm_print_json(json_pack("{ss sb}", "remote", argv[0], "notes_merged", r.notes_changed));
	else if (!ctx->quiet)
		printf("Pushed model versions, pins and notes to %s%s\n", argv[0],
		       r.notes_changed ? " (their notes were merged here first)" : "");
	clm_share_result_release(&r);
	return CLM_EXIT_OK;
}
