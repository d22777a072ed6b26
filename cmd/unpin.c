/* git clmodel unpin: remove the pin of a tag. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/pins.h"
#include "store/store.h"
#include "util/error.h"

#include <stdio.h>

static const char *const unpin_usage[] = {
	"git clmodel unpin <tag>",
	NULL,
};

int cmd_unpin(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_store s;
	git_oid old;
	char hex[GIT_OID_HEXSZ + 1];
	int code, rc, n = clm_parse_options(argc, argv, opts, unpin_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1)
		return clm_usage_error(unpin_usage, opts, "need exactly one tag");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_pin_get(&s, argv[0], &old);
	if (rc == 0)
		rc = clm_pin_remove(&s, argv[0]);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(hex, sizeof(hex), &old);
	if (ctx->json)
		clm_print_json(json_pack("{ss ss}", "tag", argv[0], "was", hex));
	else if (!ctx->quiet)
		printf("Unpinned tag '%s' (was %.12s)\n", argv[0], hex);
	return CLM_EXIT_OK;
}
