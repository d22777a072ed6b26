#include "store/promote.h"
#include "store/notes.h"
#include "git/refs.h"
#include "git/repo.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

int clm_candidate_ref(struct clm_store *s, const char *model, const char *name, char *out, size_t size)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	git_oid id;

	if (!strncmp(name, CLM_STORE_CANDIDATES_PREFIX, strlen(CLM_STORE_CANDIDATES_PREFIX)))
		snprintf(out, size, "%s", name);
	else if (!strncmp(name, "candidates/", 11))
		snprintf(out, size, "refs/clmodel/%s", name);
	else if (strchr(name, '/'))
		snprintf(out, size, "%s%s", CLM_STORE_CANDIDATES_PREFIX, name);
	else
		snprintf(out, size, "%s%s/%s", CLM_STORE_CANDIDATES_PREFIX, m, name);
	if (clm_ref_read(s->repo, out, &id) < 0)
		return clm_error_set(CLM_ENOTFOUND, "no candidate '%s' (%s)", name, out);
	return 0;
}

/* A note or stage may only name these, so a fetched one cannot make any other commit (another
 * model's, a code commit, one pushed beside ours) serve. */
int clm_store_is_version(struct clm_store *s, const char *model, const git_oid *id)
{
	char glob[300];
	git_reference_iterator *it = NULL;
	git_reference *ref;
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	git_oid cur;
	int found = 0;

	if (clm_store_head(s, m, &cur) == 0)
		do {
			if (git_oid_equal(&cur, id))
				return 1;
		} while (clm_git_first_parent(s->repo, &cur) > 0);
	snprintf(glob, sizeof(glob), "%s%s/*", CLM_STORE_CANDIDATES_PREFIX, m);
	if (git_reference_iterator_glob_new(&it, s->repo, glob) == 0) {
		while (!found && git_reference_next(&ref, it) == 0) {
			found = git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
				git_oid_equal(git_reference_target(ref), id);
			git_reference_free(ref);
		}
		git_reference_iterator_free(it);
	}
	clm_error_clear();
	return found;
}

/* Value of the "Clmodel-Source:" trailer of a version commit, or "" when there is none. */
static void source_trailer(const git_commit *c, char *out, size_t size)
{
	const char *msg = git_commit_message(c), *p = strstr(msg, "\nClmodel-Source: ");
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen("\nClmodel-Source: ");
	while (p[n] && p[n] != '\n' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

static int note_promotion(struct clm_store *s, const char *model, const git_commit *c, const git_oid *version)
{
	char source[GIT_OID_HEXSZ + 1];
	git_oid target;
	json_t *f;
	int rc;

	source_trailer(c, source, sizeof(source));
	if (!source[0] || git_oid_fromstr(&target, source) < 0)
		return 0;
	f = json_pack("{s:s,s:s,s:b}", "model", model ? model : CLM_STORE_DEFAULT_MODEL, "version",
		      git_oid_tostr_s(version), "promoted", 1);
	if (!f)
		return clm_error_oom();
	rc = clm_notes_add(s, &target, "model", f);
	json_decref(f);
	return rc;
}

int clm_store_promote(struct clm_store *s, const char *model, const char *ref, git_oid *out)
{
	char model_ref[256];
	git_oid head, candidate;
	git_commit *c = NULL;
	int rc = clm_store_model_ref(model, model_ref, sizeof(model_ref));

	if (rc == 0)
		rc = clm_store_lock(s);
	if (rc < 0)
		return rc;
	rc = clm_store_head(s, model, &head);
	if (rc == 0)
		rc = clm_ref_read(s->repo, ref, &candidate);
	if (rc == 0 && (rc = git_commit_lookup(&c, s->repo, &candidate)) < 0)
		rc = clm_git_error(rc, "cannot read candidate %s", ref);
	if (rc == 0 && (git_commit_parentcount(c) != 1 || !git_oid_equal(git_commit_parent_id(c, 0), &head)))
		rc = clm_error_set(CLM_ECONFLICT, "%s was trained from %.12s, but the head is now %.12s; promoting it "
				   "would drop versions (run git clmodel update again)", ref,
				   git_commit_parentcount(c) ? git_oid_tostr_s(git_commit_parent_id(c, 0)) : "nothing",
				   git_oid_tostr_s(&head));
	if (rc == 0)
		rc = clm_ref_cas(s->repo, model_ref, &candidate, &head, "clmodel: promote candidate");
	if (rc == 0)
		rc = note_promotion(s, model, c, &candidate);
	if (rc == 0)
		rc = clm_ref_delete_cas(s->repo, ref, &candidate);
	if (rc == 0)
		git_oid_cpy(out, &candidate);
	git_commit_free(c);
	clm_store_unlock(s);
	return rc;
}
