#include "store/child.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run `git --git-dir=<ours> <args...>`; on failure the message quotes git's own output. */
int clm_store_run_git(struct clm_store *s, const char *const *args)
{
	struct clm_strbuf out = CLM_STRBUF_INIT, gitdir = CLM_STRBUF_INIT;
	const char **argv;
	int pipefd[2], status = 0, n = 0, rc = 0;
	size_t count = 0;
	pid_t pid;
	char buf[4096];
	ssize_t got;

	while (args[count])
		count++;
	argv = calloc(count + 3, sizeof(*argv));
	if (!argv || clm_strbuf_addf(&gitdir, "--git-dir=%s", git_repository_path(s->repo)) < 0) {
		free(argv);
		return clm_error_oom();
	}
	argv[n++] = "git";
	argv[n++] = gitdir.buf;
	for (size_t i = 0; i < count; i++)
		argv[n++] = args[i];
	if (pipe(pipefd) < 0) {
		rc = clm_error_set(CLM_EIO, "cannot run git: %s", strerror(errno));
		goto cleanup;
	}
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		rc = clm_error_set(CLM_EIO, "cannot run git: %s", strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execvp("git", (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while ((got = read(pipefd[0], buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		clm_strbuf_add(&out, buf, (size_t)got);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		clm_strbuf_rtrim(&out);
		rc = clm_error_set(CLM_EGENERIC, "git %s failed%s%s", args[0], out.len ? ":\n" : "", out.buf);
	}
cleanup:
	clm_strbuf_release(&out);
	clm_strbuf_release(&gitdir);
	free(argv);
	return rc;
}
