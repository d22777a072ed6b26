#include "git/repo.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clm_git_error(int gitrc, const char *fmt, ...)
{
	const git_error *e = git_error_last();
	int sys_errno = errno; /* libgit2 fails some writes (disk full) without a message of its own */
	char ctx[512];
	va_list ap;
	int code = gitrc == GIT_ENOTFOUND ? CLM_ENOTFOUND : gitrc == GIT_EMODIFIED ? CLM_ECONFLICT
		 : gitrc == GIT_ELOCKED ? CLM_ELOCKED : gitrc == GIT_EINVALIDSPEC ? CLM_EINVALID : CLM_EGENERIC;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	return clm_error_set(code, "%s: %s", ctx, e && e->message ? e->message
			     : sys_errno ? strerror(sys_errno) : "libgit2 error");
}

int clm_repo_open(git_repository **out)
{
	int rc;

	git_libgit2_init();
	rc = git_repository_open_ext(out, ".", 0, NULL);
	if (rc < 0) {
		*out = NULL;
		rc = clm_git_error(rc, "not a git repository");
		git_libgit2_shutdown();
		return rc;
	}
	return 0;
}

void clm_repo_close(git_repository *repo)
{
	if (!repo)
		return;
	git_repository_free(repo);
	git_libgit2_shutdown();
}

int clm_repo_state_path(git_repository *repo, const char *sub, struct clm_strbuf *out)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	if (clm_strbuf_addf(out, "%s%sclmodel%s%s", common, n && common[n - 1] == '/' ? "" : "/",
			    sub && *sub ? "/" : "", sub ? sub : "") < 0)
		return CLM_ENOMEM;
	return 0;
}

int clm_repo_config_string(git_repository *repo, const char *key, struct clm_strbuf *out)
{
	git_config *cfg = NULL;
	git_buf value = { 0 };
	int rc = git_repository_config_snapshot(&cfg, repo);

	if (rc == 0)
		rc = git_config_get_string_buf(&value, cfg, key);
	if (rc == GIT_ENOTFOUND)
		rc = clm_error_set(CLM_ENOTFOUND, "%s is not set", key);
	else if (rc < 0)
		rc = clm_git_error(rc, "cannot read %s", key);
	else
		rc = clm_strbuf_add(out, value.ptr, value.size);
	git_buf_dispose(&value);
	git_config_free(cfg);
	return rc;
}

int clm_repo_config_double(git_repository *repo, const char *key, double *out)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char *end;
	int rc = clm_repo_config_string(repo, key, &sb);

	if (rc == 0) {
		*out = strtod(sb.buf, &end);
		if (end == sb.buf || *end)
			rc = clm_error_set(CLM_EINVALID, "%s = '%s' is not a number", key, sb.buf);
	}
	clm_strbuf_release(&sb);
	return rc;
}

int clm_git_first_parent(git_repository *repo, git_oid *id)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, repo, id), has;

	if (rc < 0)
		return clm_git_error(rc, "cannot read commit %.12s", git_oid_tostr_s(id));
	has = git_commit_parentcount(c) > 0;
	if (has)
		git_oid_cpy(id, git_commit_parent_id(c, 0));
	git_commit_free(c);
	return has;
}
