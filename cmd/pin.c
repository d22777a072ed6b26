/* git clmodel pin: pin a model version to a release tag. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/pins.h"
#include "store/store.h"
#include "util/error.h"

#include <stdio.h>

static const char *const pin_usage[] = {
	"git clmodel pin [--force] [--name <model>] <tag> [<version>]",
	NULL,
};

int cmd_pin(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL;
	int force = 0;
	const struct clm_option opts[] = {
		{ CLM_OPT_FLAG, 'f', "force", &force, NULL, "replace an existing pin of the tag" },
		{ CLM_OPT_STRING, 0, "name", &model, "<model>", "model whose head is pinned by default" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	int code, rc, n = clm_parse_options(argc, argv, opts, pin_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n < 1 || n > 2)
		return clm_usage_error(pin_usage, opts, "need a tag and at most one version");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_resolve(&s, model, n > 1 ? argv[1] : NULL, &id);
	if (rc == 0)
		rc = clm_pin_set(&s, argv[0], &id, force);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(hex, sizeof(hex), &id);
	if (ctx->json)
		clm_print_json(json_pack("{ss ss}", "tag", argv[0], "version", hex));
	else if (!ctx->quiet)
		printf("Pinned %.12s to tag '%s'\n", hex, argv[0]);
	return CLM_EXIT_OK;
}
