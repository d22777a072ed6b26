/* git clmodel monitor: which suggestions of each served version were kept in later commits, and
 * what that means for the canary stage. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "rollout/run.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>

static const char *const monitor_usage[] = {
	"git clmodel monitor [--name <model>] [--dry-run]",
	NULL,
};

static json_t *uptake_json(const struct clm_version_uptake *u)
{
	json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "version", u->version, "made", (json_int_t)u->made, "kept",
			      (json_int_t)u->kept, "partly", (json_int_t)u->partly, "dropped", (json_int_t)u->dropped,
			      "pending", (json_int_t)u->pending);

	if (o && !isnan(u->rate)) {
		json_object_set_new(o, "acceptance", json_real(u->rate));
		json_object_set_new(o, "interval", json_pack("[f,f]", u->lo, u->hi));
	}
	return o;
}

int cmd_monitor(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1];
	const char *model = NULL;
	int dry_run = 0, code = CLM_EXIT_OK, n, rc;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_FLAG, 0, "dry-run", &dry_run, NULL, "report and decide, but write no note and move no stage" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_monitor_result r = { 0 };
	struct clm_rollout_decision d;
	struct clm_store s;

	n = clm_parse_options(argc, argv, opts, monitor_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(monitor_usage, opts, "unexpected argument '%s'", argv[0]);
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_rollout_run(&s, model, dry_run, &r, &d);
	clm_store_close(&s);
	if (rc < 0) {
		clm_monitor_result_release(&r);
		return clm_die_error();
	}
	if (r.skipped)
		fprintf(stderr, "warning: %zu line%s of the suggestion log skipped; the first: %s\n", r.skipped,
			r.skipped == 1 ? "" : "s", r.first_skipped);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < r.n; i++)
			json_array_append_new(arr, uptake_json(&r.versions[i]));
		clm_print_json(json_pack("{s:I,s:o,s:{s:s,s:s,s:b}}", "suggestions", (json_int_t)r.records, "versions", arr,
					 "canary", "action", clm_rollout_action_name(d.action), "reason", d.reason, "applied",
					 !dry_run && (d.action == CLM_ROLLOUT_PROMOTE || d.action == CLM_ROLLOUT_ROLLBACK)));
	} else {
		printf("%zu suggestion%s recorded\n", r.records, r.records == 1 ? "" : "s");
		if (r.n)
			printf("%-12s %6s %6s %6s %8s %8s  %s\n", "version", "made", "kept", "partly", "dropped", "pending",
			       "acceptance [95% interval]");
		for (size_t i = 0; i < r.n; i++) {
			const struct clm_version_uptake *u = &r.versions[i];
			printf("%.12s %6zu %6zu %6zu %8zu %8zu  ", u->version, u->made, u->kept, u->partly, u->dropped,
			       u->pending);
			if (isnan(u->rate))
				printf("n/a (nothing resolved yet)\n");
			else
				printf("%.2f [%.2f, %.2f]\n", u->rate, u->lo, u->hi);
		}
		if (d.action != CLM_ROLLOUT_NO_STAGE)
			printf("canary %.12s: %s%s: %s\n", git_oid_tostr(hex, sizeof(hex), &d.canary),
			       d.action == CLM_ROLLOUT_PROMOTE ? "promote to the head" :
			       d.action == CLM_ROLLOUT_ROLLBACK ? "roll back" : clm_rollout_action_name(d.action),
			       dry_run && (d.action == CLM_ROLLOUT_PROMOTE || d.action == CLM_ROLLOUT_ROLLBACK) ? " (dry run)" : "",
			       d.reason);
	}
	clm_monitor_result_release(&r);
	return CLM_EXIT_OK;
}
