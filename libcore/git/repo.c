#include "git/repo.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
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
