/* git clmodel fetch: take a remote's model versions, pins and notes without losing local ones. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/share.h"
#include "util/error.h"

#include <stdio.h>

static const char *const fetch_usage[] = {
	"git clmodel fetch <remote>",
	NULL,
};

int cmd_fetch(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_store s;
	struct clm_share_result r;
	int code, rc, n = clm_parse_options(argc, argv, opts, fetch_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1)
		return clm_usage_error(fetch_usage, opts, "need exactly one remote");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_fetch(&s, argv[0], &r);
	clm_store_close(&s);
	if (rc < 0) {
		clm_share_result_release(&r);
		return clm_die_error();
	}
	if (ctx->json)
		clm_print_json(json_pack("{sI sI sI sb sI}", "created", (json_int_t)r.created, "updated",
					 (json_int_t)r.updated, "unchanged", (json_int_t)r.unchanged, "notes_merged",
					 r.notes_changed, "skipped_unpinned", (json_int_t)r.nunpinned));
	else if (!ctx->quiet)
		printf("Fetched from %s: %zu new, %zu fast-forwarded, %zu unchanged references; notes %s\n", argv[0],
		       r.created, r.updated, r.unchanged, r.notes_changed ? "merged" : "unchanged");
	for (size_t i = 0; !ctx->json && !ctx->quiet && i < r.nunpinned; i++)
		printf("  kept tag '%s' unpinned (unpinned here after it was pinned there)\n", r.unpinned[i]);
	clm_share_result_release(&r);
	return CLM_EXIT_OK;
}
