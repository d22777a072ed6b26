/* Decisions from the figures: a canary whose suggestions are kept often enough (and at least as
 * often as the head's on the same kinds of suggestion) becomes the head; one that falls short is rolled back. Configured with
 * clmodel.rollout.minAcceptance (no automatic decision while unset), clmodel.rollout.minSamples
 * (resolved suggestions needed first, default 20) and clmodel.rollout.windowDays (when an unkept
 * suggestion counts as dropped, default 14). */
#ifndef CLM_ROLLOUT_DECIDE_H
#define CLM_ROLLOUT_DECIDE_H

#include "rollout/monitor.h"

struct clm_rollout_policy {
	double min_acceptance; /* NAN: decide nothing automatically */
	size_t min_samples;
	double window_days;
};

enum clm_rollout_action {
	CLM_ROLLOUT_NO_STAGE, /* no canary: nothing to decide */
	CLM_ROLLOUT_MANUAL,   /* a canary, but no minimum acceptance configured */
	CLM_ROLLOUT_WAIT,     /* too few resolved suggestions yet */
	CLM_ROLLOUT_PROMOTE,
	CLM_ROLLOUT_ROLLBACK
};

struct clm_rollout_decision {
	enum clm_rollout_action action;
	git_oid canary, head;
	char reason[400]; /* for people, and written into the note when applied */
};

/* The policy from git config; 0 or negative on a malformed value. */
int clm_rollout_policy_read(git_repository *repo, struct clm_rollout_policy *p);

/* clmodel.rollout.auto: when true, append clmodel.rollout.branches (required then) to `out` and
 * return 1; 0 when off; negative when the settings are malformed. */
int clm_rollout_auto_branches(git_repository *repo, struct clm_strbuf *out);

/* What to do with `model`'s canary given the scan `r`; never changes anything. */
int clm_rollout_decide(struct clm_store *s, const char *model, const struct clm_rollout_policy *p,
		       const struct clm_monitor_result *r, struct clm_rollout_decision *out);

/* Carry out a PROMOTE (stage full) or ROLLBACK (stage end) decision with its reason; other actions
 * do nothing. 0 or negative. */
int clm_rollout_apply(struct clm_store *s, const char *model, const struct clm_rollout_decision *d);

/* "none", "manual", "wait", "promote" or "rollback". */
const char *clm_rollout_action_name(enum clm_rollout_action a);

#endif
