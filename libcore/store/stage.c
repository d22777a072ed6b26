#include "store/stage.h"
#include "store/notes.h"
#include "store/promote.h"
#include "git/refs.h"
#include "util/error.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

static int stage_ref(const char *model, char *out, size_t size)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;

	if (snprintf(out, size, "%s%s/canary", CLM_STORE_STAGES_PREFIX, m) >= (int)size)
		return clm_error_set(CLM_EINVALID, "model name too long: %s", m);
	return 0;
}

int clm_stage_branch_matches(const char *patterns, const char *branch)
{
	char pat[512];
	const char *p = patterns;

	while (p && *p) {
		size_t n = strcspn(p, ",");
		if (n > 0 && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (fnmatch(pat, branch, 0) == 0)
				return 1;
		}
		p += n;
		p += *p == ',';
	}
	return 0;
}

/* A "stage" line for `model` on the version commit. */
static int note_stage(struct clm_store *s, const char *model, const git_oid *version, const char *stage,
		      const char *branches, const char *reason)
{
	json_t *f = json_pack("{s:s,s:s}", "model", model ? model : CLM_STORE_DEFAULT_MODEL, "stage", stage);
	int rc;

	if (!f)
		return clm_error_oom();
	if (branches)
		json_object_set_new(f, "branches", json_string(branches));
	if (reason)
		json_object_set_new(f, "reason", json_string(reason));
	rc = clm_notes_add(s, version, "stage", f);
	json_decref(f);
	return rc;
}

/* The canary ref and the stage line of its note in force, whatever the ref points at. */
static int stage_read(struct clm_store *s, const char *model, struct clm_stage *out)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	char ref[300];
	json_t *events = NULL, *ev;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = stage_ref(model, ref, sizeof(ref))) < 0)
		return rc;
	if (clm_ref_read(s->repo, ref, &out->version) < 0)
		return clm_error_set(CLM_ENOTFOUND, "model '%s' has no canary stage", m);
	if (clm_notes_events(s, &out->version, &events) < 0) {
		clm_error_clear();
		return 0; /* a stage without its note serves no branch until it is started again */
	}
	json_array_foreach(events, i, ev) {
		const char *kind = json_string_value(json_object_get(ev, "kind"));
		const char *em = json_string_value(json_object_get(ev, "model"));
		const char *stage = json_string_value(json_object_get(ev, "stage"));
		const char *br = json_string_value(json_object_get(ev, "branches"));
		if (!kind || strcmp(kind, "stage") || !em || strcmp(em, m) || !stage || strcmp(stage, "canary") || !br)
			continue;
		/* lines are sorted by time: the last canary line is the stage in force */
		snprintf(out->branches, sizeof(out->branches), "%s", br);
		out->since = json_integer_value(json_object_get(ev, "t"));
	}
	json_decref(events);
	return 0;
}

int clm_stage_get(struct clm_store *s, const char *model, struct clm_stage *out)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = stage_read(s, model, out);

	if (rc == 0 && !clm_store_is_version(s, m, &out->version))
		rc = clm_error_set(CLM_EINVALID, "ignoring the canary stage of model '%.100s': %.12s is not a version of "
				   "that model (rollback --stage removes it)", m, git_oid_tostr(hex, sizeof(hex), &out->version));
	return rc;
}

int clm_stage_start(struct clm_store *s, const char *model, const git_oid *version, const char *branches,
		    const char *reason)
{
	char ref[300];
	git_oid old;
	git_commit *c = NULL;
	int have_old, rc;

	if (!branches || !*branches)
		return clm_error_set(CLM_EINVALID, "a canary stage needs branch patterns (--branches 'feature/*,...')");
	if (strlen(branches) >= sizeof(((struct clm_stage *)0)->branches))
		return clm_error_set(CLM_EINVALID, "branch patterns too long");
	if ((rc = stage_ref(model, ref, sizeof(ref))) < 0 || (rc = clm_store_lock(s)) < 0)
		return rc;
	if ((rc = git_commit_lookup(&c, s->repo, version)) < 0)
		rc = clm_git_error(rc, "%s is not a model version", git_oid_tostr_s(version));
	git_commit_free(c);
	have_old = clm_ref_read(s->repo, ref, &old) == 0;
	clm_error_clear();
	/* the note first: a crash between the two leaves a line naming a stage that never started */
	if (rc == 0)
		rc = note_stage(s, model, version, "canary", branches, reason);
	if (rc == 0)
		rc = clm_ref_cas(s->repo, ref, version, have_old ? &old : NULL, "clmodel: canary stage");
	clm_store_unlock(s);
	return rc;
}

int clm_stage_end(struct clm_store *s, const char *model, const char *reason, git_oid *ended)
{
	struct clm_stage st;
	char ref[300];
	int rc = stage_ref(model, ref, sizeof(ref));

	if (rc == 0)
		rc = clm_store_lock(s);
	if (rc < 0)
		return rc;
	rc = stage_read(s, model, &st); /* a stage that names no version can be ended too */
	if (rc == 0)
		rc = clm_ref_delete_cas(s->repo, ref, &st.version);
	if (rc == 0)
		rc = note_stage(s, model, &st.version, "ended", NULL, reason);
	if (rc == 0)
		git_oid_cpy(ended, &st.version);
	clm_store_unlock(s);
	return rc;
}

/* The candidate ref of `model` that points at `version`, into `out`; CLM_ENOTFOUND when none. */
static int candidate_of(struct clm_store *s, const char *model, const git_oid *version, char *out, size_t size)
{
	char glob[300];
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int found = 0, rc;

	snprintf(glob, sizeof(glob), "%s%s/*", CLM_STORE_CANDIDATES_PREFIX, model ? model : CLM_STORE_DEFAULT_MODEL);
	if ((rc = git_reference_iterator_glob_new(&it, s->repo, glob)) < 0)
		return clm_git_error(rc, "listing candidates");
	while (!found && git_reference_next(&ref, it) == 0) {
		const git_oid *id = git_reference_target(ref);
		if (id && git_oid_equal(id, version) && strlen(git_reference_name(ref)) < size) {
			snprintf(out, size, "%s", git_reference_name(ref));
			found = 1;
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return found ? 0 : clm_error_set(CLM_ENOTFOUND, "the canary %.12s is not a candidate any more", git_oid_tostr_s(version));
}

int clm_stage_full(struct clm_store *s, const char *model, const char *reason, git_oid *out)
{
	struct clm_stage st;
	char ref[300], cand[512];
	int rc = stage_ref(model, ref, sizeof(ref));

	if (rc == 0)
		rc = clm_store_lock(s);
	if (rc < 0)
		return rc;
	rc = clm_stage_get(s, model, &st);
	if (rc == 0)
		rc = candidate_of(s, model, &st.version, cand, sizeof(cand));
	if (rc == 0)
		rc = clm_store_promote(s, model, cand, out);
	if (rc == 0)
		rc = clm_ref_delete_cas(s->repo, ref, &st.version);
	if (rc == 0)
		rc = note_stage(s, model, &st.version, "full", NULL, reason);
	clm_store_unlock(s);
	return rc;
}
