/* One monitoring pass, as `git clmodel monitor` and the hooks run it: scan the suggestion log,
 * note each version's figures, decide about the canary and, unless asked not to, act. */
#ifndef CLM_ROLLOUT_RUN_H
#define CLM_ROLLOUT_RUN_H

#include "rollout/decide.h"

/* Scan, note (unless `dry_run`), decide and apply (unless `dry_run`) for `model`; the scan and
 * decision are left in `r` and `d` (release `r` with clm_monitor_result_release). */
int clm_rollout_run(struct clm_store *s, const char *model, int dry_run, struct clm_monitor_result *r,
		    struct clm_rollout_decision *d);

#endif
