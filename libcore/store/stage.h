/* Staged roll-out: a version serves matching branches (the canary stage) before it becomes the
 * head for everyone. The stage is a ref, refs/clmodel/stages/<model>/canary, pointing at the
 * version, plus "stage" lines in the note of the version commit that say which branches it
 * serves and why it started or ended; both travel with push and fetch like every other ref and
 * note of the model. */
#ifndef CLM_STORE_STAGE_H
#define CLM_STORE_STAGE_H

#include "store/store.h"

#define CLM_STORE_STAGES_PREFIX "refs/clmodel/stages/"

struct clm_stage {
	git_oid version;
	char branches[512]; /* comma-separated branch globs, such as "release/next,hotfix" */
	int64_t since;      /* when the stage started (note time), 0 when not recorded */
};

/* The canary stage of `model` (NULL: default) into `out`; CLM_ENOTFOUND when there is none,
 * CLM_EINVALID (with a message) when its ref names no version of the model (clm_store_is_version):
 * a fetched stage cannot make another commit serve. */
int clm_stage_get(struct clm_store *s, const char *model, struct clm_stage *out);

/* Start (or move) the canary stage of `model` to `version` for the branches matching `branches`
 * (comma-separated globs), with `reason` noted; under the lock, the ref by compare-and-swap. */
int clm_stage_start(struct clm_store *s, const char *model, const git_oid *version, const char *branches,
		    const char *reason);

/* End the canary stage of `model` (even one clm_stage_get refuses) without promoting it (`reason` noted on the version); the
 * version stays reachable from its candidate ref or the attic. `ended` gets the version. */
int clm_stage_end(struct clm_store *s, const char *model, const char *reason, git_oid *ended);

/* Make the canary version the head of `model` (its parent must be the head, as for promote),
 * end the stage and remove a candidate ref that points at it; `reason` noted. */
int clm_stage_full(struct clm_store *s, const char *model, const char *reason, git_oid *out);

/* 1 when `branch` ("feature/login") matches one of the comma-separated globs in `patterns`. */
int clm_stage_branch_matches(const char *patterns, const char *branch);

#endif
