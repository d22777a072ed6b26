/* git clmodel rollback: move a model's head back; later versions stay under refs/clmodel/attic/. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/admin.h"
#include "store/stage.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const rollback_usage[] = {
	"git clmodel rollback [--name <model>] [<version>]",
	"git clmodel rollback [--name <model>] --stage",
	NULL,
};

int cmd_rollback(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL;
	int stage = 0;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_FLAG, 0, "stage", &stage, NULL, "end the canary stage instead: its branches go back to the head" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	git_oid head, target;
	char attic[512] = "", from[GIT_OID_HEXSZ + 1], to[GIT_OID_HEXSZ + 1], prev[300];
	int code, rc, n = clm_parse_options(argc, argv, opts, rollback_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > (stage ? 0 : 1))
		return clm_usage_error(rollback_usage, opts, stage ? "--stage takes no version" : "at most one version");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	if (stage) {
		rc = clm_stage_end(&s, model, "rolled back by hand (rollback --stage)", &target);
		clm_store_close(&s);
		if (rc < 0)
			return clm_die_error();
		if (!ctx->quiet)
			printf("Canary stage of model '%s' ended: %.12s serves no branch now\n",
			       model ? model : CLM_STORE_DEFAULT_MODEL, git_oid_tostr(to, sizeof(to), &target));
		return CLM_EXIT_OK;
	}
	/* Without a version, go back one: the head's first parent. */
	snprintf(prev, sizeof(prev), "%s~1", model ? model : CLM_STORE_DEFAULT_MODEL);
	rc = clm_store_head(&s, model, &head);
	if (rc == 0)
		rc = clm_store_resolve(&s, model, n ? argv[0] : prev, &target);
	if (rc == 0)
		rc = clm_store_rollback(&s, model, &target, attic, sizeof(attic));
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(from, sizeof(from), &head);
	git_oid_tostr(to, sizeof(to), &target);
	if (ctx->json)
		clm_print_json(json_pack("{ss ss ss}", "from", from, "to", to, "attic", attic));
	else if (!ctx->quiet)
		printf("Model '%s' rolled back from %.12s to %.12s; the later versions stay reachable as %s\n",
		       model ? model : CLM_STORE_DEFAULT_MODEL, from, to, attic);
	return CLM_EXIT_OK;
}
