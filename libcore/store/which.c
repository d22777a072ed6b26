#include "store/which.h"
#include "store/notes.h"
#include "store/pins.h"
#include "store/promote.h"
#include "store/stage.h"
#include "git/refs.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

const char *clm_which_reason_name(enum clm_which_reason r)
{
	static const char *const names[] = { "explicit", "pin", "note", "head", "stage" };
	return names[r];
}

struct tag_scan {
	struct clm_store *s;
	const git_oid *commit;
	struct clm_which *out;
	int found;
	char best[256]; /* the first pinned tag by name */
};

static int tag_cb(const char *name, git_oid *oid, void *payload)
{
	struct tag_scan *t = payload;
	git_object *obj = NULL, *c = NULL;
	const char *tag = name + strlen("refs/tags/");
	int hit = 0;

	git_oid pinned;

	if (git_object_lookup(&obj, t->s->repo, oid, GIT_OBJECT_ANY) < 0)
		return 0;
	if (git_object_peel(&c, obj, GIT_OBJECT_COMMIT) == 0)
		hit = git_oid_equal(git_object_id(c), t->commit);
	git_object_free(c);
	git_object_free(obj);
	/* Several pinned tags on one commit: the first by name wins, whatever the walk order. */
	if (hit && clm_pin_get(t->s, tag, &pinned) == 0 && (!t->found || strcmp(tag, t->best) < 0) &&
	    strlen(tag) < sizeof(t->best)) {
		t->found = 1;
		strcpy(t->best, tag);
		git_oid_cpy(&t->out->version, &pinned);
	}
	clm_error_clear();
	return 0;
}

/* The newest "model" line for `model` in the note of `commit` naming a version of that model;
 * a line naming anything else is skipped, and the first such is said in out->warning. */
static int note_version(struct clm_store *s, const char *model, const git_oid *commit, struct clm_which *out)
{
	json_t *events, *ev;
	json_int_t best_t = -1;
	size_t i;
	int found = 0;

	if (clm_notes_events(s, commit, &events) < 0)
		return 0;
	json_array_foreach(events, i, ev) {
		const char *kind = json_string_value(json_object_get(ev, "kind"));
		const char *m = json_string_value(json_object_get(ev, "model"));
		const char *v = json_string_value(json_object_get(ev, "version"));
		json_int_t t = json_integer_value(json_object_get(ev, "t"));
		git_oid id;
		if (!kind || strcmp(kind, "model") || !v || strcmp(m ? m : CLM_STORE_DEFAULT_MODEL, model) ||
		    git_oid_fromstr(&id, v) < 0 || t < best_t)
			continue;
		if (!clm_store_is_version(s, model, &id)) {
			char hex[GIT_OID_HEXSZ + 1];
			if (!out->warning[0])
				snprintf(out->warning, sizeof(out->warning), "ignoring the model note on %.12s: "
					 "%.12s is not a version of model '%.100s'", git_oid_tostr(hex, sizeof(hex), commit),
					 v, model);
			continue;
		}
		git_oid_cpy(&out->version, &id);
		best_t = t;
		found = 1;
	}
	json_decref(events);
	clm_error_clear();
	return found;
}

static int walk_notes(struct clm_store *s, const char *model, const git_oid *start, struct clm_which *out)
{
	git_oid cur;
	int distance = 0;

	git_oid_cpy(&cur, start);
	for (;;) {
		if (note_version(s, model, &cur, out)) {
			out->reason = CLM_WHICH_NOTE;
			if (distance == 0)
				snprintf(out->detail, sizeof(out->detail), "model note on this commit");
			else {
				char hex[GIT_OID_HEXSZ + 1];
				git_oid_tostr(hex, sizeof(hex), &cur);
				snprintf(out->detail, sizeof(out->detail), "model note on first-parent ancestor %.12s "
					 "(%d commit%s back)", hex, distance, distance == 1 ? "" : "s");
			}
			return 1;
		}
		if (clm_git_first_parent(s->repo, &cur) <= 0) {
			clm_error_clear();
			return 0;
		}
		distance++;
	}
}

/* The local branch being asked about: HEAD's when `commit_rev` is NULL, or the branch `commit_rev`
 * names; "" for anything else (a commit id, a tag, a detached HEAD). */
static void asked_branch(struct clm_store *s, const char *commit_rev, char *out, size_t size)
{
	git_reference *ref = NULL;
	char name[512];

	out[0] = '\0';
	if (!commit_rev) {
		if (git_repository_head(&ref, s->repo) == 0 && git_reference_is_branch(ref))
			snprintf(out, size, "%s", git_reference_shorthand(ref));
	} else if (snprintf(name, sizeof(name), "refs/heads/%s", commit_rev) < (int)sizeof(name) &&
		   git_reference_lookup(&ref, s->repo, name) == 0) {
		snprintf(out, size, "%s", commit_rev);
	}
	git_reference_free(ref);
}

/* The canary stage, when it serves `branch`; one that names no version of the model is said in
 * out->warning and serves nothing. */
static int stage_serves(struct clm_store *s, const char *model, const char *branch, struct clm_which *out)
{
	struct clm_stage st;
	int rc = branch[0] ? clm_stage_get(s, model, &st) : CLM_ENOTFOUND;

	if (rc == CLM_EINVALID && !out->warning[0])
		snprintf(out->warning, sizeof(out->warning), "%s", clm_error());
	if (rc < 0 || !clm_stage_branch_matches(st.branches, branch)) {
		clm_error_clear();
		return 0;
	}
	git_oid_cpy(&out->version, &st.version);
	out->reason = CLM_WHICH_STAGE;
	snprintf(out->detail, sizeof(out->detail), "canary stage for %.150s (branch %.60s)", st.branches, branch);
	return 1;
}

int clm_store_which(struct clm_store *s, const char *model, const char *explicit_rev, const char *commit_rev,
		    struct clm_which *out)
{
	char branch[256];
	git_object *obj = NULL, *c = NULL;
	git_oid commit;
	int have_commit = 0, rc;

	memset(out, 0, sizeof(*out));
	if (!model)
		model = CLM_STORE_DEFAULT_MODEL;
	if (explicit_rev) {
		if ((rc = clm_store_resolve(s, model, explicit_rev, &out->version)) < 0)
			return rc;
		out->reason = CLM_WHICH_EXPLICIT;
		snprintf(out->detail, sizeof(out->detail), "asked for explicitly (--model %s)", explicit_rev);
		return 0;
	}
	rc = git_revparse_single(&obj, s->repo, commit_rev ? commit_rev : "HEAD");
	if (rc == 0 && git_object_peel(&c, obj, GIT_OBJECT_COMMIT) == 0) {
		git_oid_cpy(&commit, git_object_id(c));
		git_oid_tostr(out->commit, sizeof(out->commit), &commit);
		have_commit = 1;
	}
	git_object_free(c);
	git_object_free(obj);
	if (!have_commit && commit_rev)
		return clm_error_set(CLM_ENOTFOUND, "'%s' is not a commit", commit_rev);
	if (have_commit) {
		struct tag_scan t = { s, &commit, out, 0, "" };
		git_tag_foreach(s->repo, tag_cb, &t);
		if (t.found) {
			out->reason = CLM_WHICH_PIN;
			snprintf(out->detail, sizeof(out->detail), "pinned to tag '%.200s', which points at this commit", t.best);
			return 0;
		}
		asked_branch(s, commit_rev, branch, sizeof(branch));
		if (stage_serves(s, model, branch, out) || walk_notes(s, model, &commit, out))
			return 0;
	}
	if ((rc = clm_store_head(s, model, &out->version)) < 0)
		return rc;
	out->reason = CLM_WHICH_HEAD;
	snprintf(out->detail, sizeof(out->detail), "no pin or model note applies; head of model '%s'", model);
	return 0;
}
