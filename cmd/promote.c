/* git clmodel promote: make a candidate that failed the update gate the model head, or serve it
 * to some branches first (a canary stage) and then to everyone. */
#include "cmd/commands.h"
#include "git/refs.h"
#include "store/promote.h"
#include "store/stage.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const promote_usage[] = {
	"git clmodel promote [--name <model>] <candidate>",
	"git clmodel promote [--name <model>] --stage canary --branches <globs> <candidate>",
	"git clmodel promote [--name <model>] --stage full",
	NULL,
};

/* --stage canary: the candidate serves the matching branches; --stage full: the canary becomes
 * the head. */
static int promote_stage(struct clm_store *s, const char *model, const char *stage, const char *branches,
			 const char *candidate, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1], ref[512], why[600];
	git_oid id;
	int rc;

	if (!strcmp(stage, "full")) {
		rc = clm_stage_full(s, model, "promoted by hand (promote --stage full)", &id);
		if (rc == 0 && !ctx->quiet)
			printf("Canary %.12s is now the head of model '%s' for every branch\n", git_oid_tostr(hex, sizeof(hex), &id),
			       model ? model : CLM_STORE_DEFAULT_MODEL);
		return rc;
	}
	rc = clm_candidate_ref(s, model, candidate, ref, sizeof(ref));
	if (rc == 0)
		rc = clm_ref_read(s->repo, ref, &id);
	snprintf(why, sizeof(why), "promoted by hand to a canary stage for %.500s", branches);
	if (rc == 0)
		rc = clm_stage_start(s, model, &id, branches, why);
	if (rc == 0 && !ctx->quiet)
		printf("Candidate %s (%.12s) now serves branches matching %s; the head serves the rest\n", ref,
		       git_oid_tostr(hex, sizeof(hex), &id), branches);
	return rc;
}

int cmd_promote(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	const char *model = NULL, *stage = NULL, *branches = NULL;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_STRING, 0, "stage", &stage, "<stage>", "canary: serve matching branches first; full: make the canary the head" },
		{ CLM_OPT_STRING, 0, "branches", &branches, "<globs>", "with --stage canary: comma-separated branch globs" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	char ref[512];
	struct clm_store s;
	git_oid id;
	int code = CLM_EXIT_OK, n, rc;

	n = clm_parse_options(argc, argv, opts, promote_usage, ctx, &code);
	if (n < 0)
		return code;
	if (stage && strcmp(stage, "canary") && strcmp(stage, "full"))
		return clm_usage_error(promote_usage, opts, "--stage is canary or full, not '%s'", stage);
	if (stage && !strcmp(stage, "full") ? n != 0 : n != 1)
		return clm_usage_error(promote_usage, opts, stage && !strcmp(stage, "full") ? "--stage full takes no candidate"
											  : "expected one candidate (see git clmodel status)");
	if ((branches != NULL) != (stage && !strcmp(stage, "canary")))
		return clm_usage_error(promote_usage, opts, "--branches goes with --stage canary, and only with it");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	if (stage) {
		rc = promote_stage(&s, model, stage, branches, n ? argv[0] : NULL, ctx);
		clm_store_close(&s);
		return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
	}
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
