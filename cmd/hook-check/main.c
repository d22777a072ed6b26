/* git-clmodel-hook: what the installed hooks run. The same as `git clmodel hooks run`, in a binary
 * that links neither OpenBLAS nor libcurl: a hook runs on every pull and branch switch, and those
 * libraries' start-up (a BLAS thread pool, TLS stacks) would cost more than the check itself. */
#include "update/hooks.h"
#include "git/repo.h"
#include "util/error.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, const char **argv)
{
	struct clm_strbuf said = CLM_STRBUF_INIT;
	char self[PATH_MAX], main_binary[PATH_MAX + 16];
	git_repository *repo = NULL;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	/* A hook never fails the git command that runs it: every problem ends in exit 0. */
	if (argc < 2 || len <= 0)
		return 0;
	self[len] = '\0';
	slash = strrchr(self, '/');
	snprintf(main_binary, sizeof(main_binary), "%.*s/git-clmodel", (int)(slash - self), self);
	if (clm_repo_open(&repo) < 0)
		return 0;
	if (clm_hooks_run(repo, argc - 1, argv + 1, main_binary, stdin, &said) < 0)
		fprintf(stderr, "git-clmodel: hook: %s\n", clm_error());
	fputs(said.buf, stdout);
	clm_strbuf_release(&said);
	clm_repo_close(repo);
	return 0;
}
