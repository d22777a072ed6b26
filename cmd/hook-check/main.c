/* git-clmodel-hook: what the installed hooks run. The same as `git clmodel hooks run`, in a binary
 * that links neither OpenBLAS nor libcurl: a hook runs on every pull and branch switch, and those
 * libraries' start-up (a BLAS thread pool, TLS stacks) would cost more than the check itself. */
#include "update/hooks.h"
#include "git/repo.h"
#include "rollout/run.h"
#include "util/error.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* After a commit or a merge, suggestions may have landed: one monitoring pass, which may promote
 * or roll back the canary. It never waits for the lock a running update holds: next time. */
static void monitor(const char *hook)
{
	struct clm_monitor_result r = { 0 };
	struct clm_rollout_decision d;
	struct clm_store s;

	if (strcmp(hook, "post-commit") && strcmp(hook, "post-merge"))
		return;
	if (clm_store_open(&s, NULL) < 0)
		return;
	s.lock_wait_ms = 0;
	if (clm_rollout_run(&s, NULL, 0, &r, &d) == 0 && (d.action == CLM_ROLLOUT_PROMOTE || d.action == CLM_ROLLOUT_ROLLBACK))
		printf("git-clmodel: canary %s: %s\n", d.action == CLM_ROLLOUT_PROMOTE ? "promoted to the head" : "rolled back",
		       d.reason);
	clm_error_clear();
	clm_monitor_result_release(&r);
	clm_store_close(&s);
}

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
	monitor(argv[1]);
	return 0;
}
