#include "rollout/run.h"
#include "util/error.h"

int clm_rollout_run(struct clm_store *s, const char *model, int dry_run, struct clm_monitor_result *r,
		    struct clm_rollout_decision *d)
{
	struct clm_rollout_policy p;
	int rc = clm_rollout_policy_read(s->repo, &p);

	if (rc == 0)
		rc = clm_monitor_scan(s, model, p.window_days, 0, r);
	if (rc == 0 && !dry_run)
		rc = clm_monitor_note(s, model, r);
	if (rc == 0)
		rc = clm_rollout_decide(s, model, &p, r, d);
	if (rc == 0 && !dry_run)
		rc = clm_rollout_apply(s, model, d);
	return rc;
}
