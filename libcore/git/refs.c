#include "git/refs.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>

int clm_git_error(int gitrc, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	char ctx[512];
	va_list ap;
	int code = gitrc == GIT_ENOTFOUND ? CLM_ENOTFOUND : gitrc == GIT_EMODIFIED ? CLM_ECONFLICT
		 : gitrc == GIT_ELOCKED ? CLM_ELOCKED : CLM_EGENERIC;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	return clm_error_set(code, "%s: %s", ctx, e && e->message ? e->message : "libgit2 error");
}

int clm_ref_read(git_repository *repo, const char *name, git_oid *out)
{
	git_reference *ref = NULL;
	int rc = git_reference_lookup(&ref, repo, name);

	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return clm_error_set(CLM_ENOTFOUND, "reference '%s' does not exist", name);
	if (rc < 0)
		return clm_git_error(rc, "cannot read '%s'", name);
	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
		git_reference_free(ref);
		return clm_error_set(CLM_EINVALID, "reference '%s' is symbolic", name);
	}
	git_oid_cpy(out, git_reference_target(ref));
	git_reference_free(ref);
	return 0;
}

int clm_ref_cas(git_repository *repo, const char *name, const git_oid *new_oid, const git_oid *old_oid,
		const char *log_message)
{
	git_reference *ref = NULL;
	int rc;

	if (old_oid)
		rc = git_reference_create_matching(&ref, repo, name, new_oid, 1, old_oid, log_message);
	else
		rc = git_reference_create(&ref, repo, name, new_oid, 0, log_message);
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS || (rc == GIT_ENOTFOUND && old_oid))
		return clm_error_set(CLM_ECONFLICT, "'%s' changed while we were updating it; nothing was "
				     "written to it, try again", name);
	if (rc < 0)
		return clm_git_error(rc, "cannot update '%s'", name);
	return 0;
}

int clm_ref_delete_cas(git_repository *repo, const char *name, const git_oid *old_oid)
{
	git_reference *ref = NULL;
	int rc = git_reference_lookup(&ref, repo, name);

	if (rc == GIT_ENOTFOUND)
		return clm_error_set(CLM_ENOTFOUND, "reference '%s' does not exist", name);
	if (rc < 0)
		return clm_git_error(rc, "cannot read '%s'", name);
	if (git_reference_type(ref) != GIT_REFERENCE_DIRECT || !git_oid_equal(git_reference_target(ref), old_oid)) {
		git_reference_free(ref);
		return clm_error_set(CLM_ECONFLICT, "'%s' changed while we were deleting it; left as is", name);
	}
	/* libgit2 checks again, under the reference's lock, that the value is still the one we read. */
	rc = git_reference_delete(ref);
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED)
		return clm_error_set(CLM_ECONFLICT, "'%s' changed while we were deleting it; left as is", name);
	return rc < 0 ? clm_git_error(rc, "cannot delete '%s'", name) : 0;
}
