#include "rollout/decide.h"
#include "store/stage.h"
#include "git/repo.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *clm_rollout_action_name(enum clm_rollout_action a)
{
	static const char *const names[] = { "none", "manual", "wait", "promote", "rollback" };
	return names[a];
}

int clm_rollout_policy_read(git_repository *repo, struct clm_rollout_policy *p)
{
	double v;
	int rc;

	p->min_acceptance = NAN;
	p->min_samples = 20;
	p->window_days = 14;
	if ((rc = clm_repo_config_double(repo, "clmodel.rollout.minAcceptance", &v)) == 0) {
		if (!(v >= 0 && v <= 1))
			return clm_error_set(CLM_EINVALID, "clmodel.rollout.minAcceptance must be between 0 and 1, not %g", v);
		p->min_acceptance = v;
	} else if (rc != CLM_ENOTFOUND)
		return rc;
	if ((rc = clm_repo_config_double(repo, "clmodel.rollout.minSamples", &v)) == 0) {
		if (!(v >= 1 && v <= 1e9))
			return clm_error_set(CLM_EINVALID, "clmodel.rollout.minSamples must be at least 1, not %g", v);
		p->min_samples = (size_t)v;
	} else if (rc != CLM_ENOTFOUND)
		return rc;
	if ((rc = clm_repo_config_double(repo, "clmodel.rollout.windowDays", &v)) == 0) {
		if (!(v >= 0 && v <= 3650))
			return clm_error_set(CLM_EINVALID, "clmodel.rollout.windowDays must be 0-3650, not %g", v);
		p->window_days = v;
	} else if (rc != CLM_ENOTFOUND)
		return rc;
	clm_error_clear();
	return 0;
}

int clm_rollout_auto_branches(git_repository *repo, struct clm_strbuf *out)
{
	git_config *cfg = NULL;
	int on = 0, rc = git_repository_config_snapshot(&cfg, repo);

	if (rc < 0)
		return clm_git_error(rc, "cannot read git config");
	rc = git_config_get_bool(&on, cfg, "clmodel.rollout.auto");
	git_config_free(cfg);
	if (rc == GIT_ENOTFOUND || (rc == 0 && !on))
		return 0;
	if (rc < 0)
		return clm_git_error(rc, "clmodel.rollout.auto is not a boolean");
	rc = clm_repo_config_string(repo, "clmodel.rollout.branches", out);
	if (rc == CLM_ENOTFOUND || (rc == 0 && !out->len))
		return clm_error_set(CLM_EINVALID, "clmodel.rollout.auto is on, but clmodel.rollout.branches does not say "
				     "which branches the canary serves (e.g. 'feature/*')");
	return rc < 0 ? rc : 1;
}

static size_t resolved(const struct clm_version_uptake *u)
{
	return u ? u->kept + u->partly + u->dropped : 0;
}

int clm_rollout_decide(struct clm_store *s, const char *model, const struct clm_rollout_policy *p,
		       const struct clm_monitor_result *r, struct clm_rollout_decision *out)
{
	const struct clm_version_uptake *c, *h;
	struct clm_monitor_result same_kinds = { 0 };
	struct clm_stage st;
	size_t nc, nh;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = clm_stage_get(s, model, &st);
	if (rc == CLM_EINVALID) { /* a fetched stage naming no version: never promoted nor judged by us */
		git_oid_cpy(&out->canary, &st.version);
		out->action = CLM_ROLLOUT_MANUAL;
		snprintf(out->reason, sizeof(out->reason), "%s", clm_error());
	}
	if (rc < 0) {
		clm_error_clear();
		if (rc != CLM_EINVALID) {
			out->action = CLM_ROLLOUT_NO_STAGE;
			snprintf(out->reason, sizeof(out->reason), "no canary stage");
		}
		return 0;
	}
	if ((rc = clm_store_head(s, model, &out->head)) < 0)
		return rc;
	git_oid_cpy(&out->canary, &st.version);
	c = clm_monitor_find(r, &st.version);
	/* The head is judged on the kinds of suggestion the canary made (a canary used only for
	 * completions is not compared with the head's rewrites). */
	if (c && (rc = clm_monitor_scan(s, model, p->window_days, c->kinds, &same_kinds)) < 0)
		return rc;
	h = clm_monitor_find(&same_kinds, &out->head);
	nc = resolved(c), nh = resolved(h);
	if (isnan(p->min_acceptance)) {
		out->action = CLM_ROLLOUT_MANUAL;
		snprintf(out->reason, sizeof(out->reason), "no clmodel.rollout.minAcceptance set: promote or roll back by hand");
	} else if (nc < p->min_samples) {
		out->action = CLM_ROLLOUT_WAIT;
		snprintf(out->reason, sizeof(out->reason), "%zu of %zu resolved suggestions needed; then promotes at acceptance "
			 ">= %.2f", nc, p->min_samples, p->min_acceptance);
	} else if (c->rate < p->min_acceptance) {
		out->action = CLM_ROLLOUT_ROLLBACK;
		snprintf(out->reason, sizeof(out->reason), "acceptance %.2f (%zu resolved) is below clmodel.rollout.minAcceptance %.2f",
			 c->rate, nc, p->min_acceptance);
	} else if (nh >= p->min_samples && c->rate < h->rate) {
		out->action = CLM_ROLLOUT_ROLLBACK;
		snprintf(out->reason, sizeof(out->reason), "acceptance %.2f (%zu resolved) is below the head's %.2f (%zu resolved)",
			 c->rate, nc, h->rate, nh);
	} else {
		out->action = CLM_ROLLOUT_PROMOTE;
		if (nh >= p->min_samples)
			snprintf(out->reason, sizeof(out->reason), "acceptance %.2f (%zu resolved) >= %.2f and >= the head's %.2f "
				 "(%zu resolved)", c->rate, nc, p->min_acceptance, h->rate, nh);
		else
			snprintf(out->reason, sizeof(out->reason), "acceptance %.2f (%zu resolved) >= %.2f (the head has %zu "
				 "resolved, too few to compare)", c->rate, nc, p->min_acceptance, nh);
	}
	clm_monitor_result_release(&same_kinds);
	return 0;
}

int clm_rollout_apply(struct clm_store *s, const char *model, const struct clm_rollout_decision *d)
{
	char why[450];
	git_oid id;

	snprintf(why, sizeof(why), "monitor: %s", d->reason);
	if (d->action == CLM_ROLLOUT_PROMOTE)
		return clm_stage_full(s, model, why, &id);
	if (d->action == CLM_ROLLOUT_ROLLBACK)
		return clm_stage_end(s, model, why, &id);
	return 0;
}
