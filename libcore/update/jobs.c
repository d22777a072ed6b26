#include "update/jobs.h"
#include "git/repo.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Append <common git dir>/clmodel/<name> to `out`, creating the folder when missing. */
static int clmodel_file(git_repository *repo, const char *name, struct clm_strbuf *out)
{
	size_t start = out->len;
	int rc = clm_repo_state_path(repo, NULL, out);

	if (rc == 0)
		rc = clm_mkdir_p(out->buf + start, 0755);
	return rc < 0 ? rc : clm_strbuf_addf(out, "/%s", name);
}

int clm_jobs_enqueue(git_repository *repo, const char *reason, const git_oid *old_commit,
		     const git_oid *new_commit)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, line = CLM_STRBUF_INIT;
	char old_hex[GIT_OID_HEXSZ + 1], new_hex[GIT_OID_HEXSZ + 1];
	int fd, rc = clmodel_file(repo, "queue", &path);

	if (rc < 0)
		goto cleanup;
	git_oid_tostr(old_hex, sizeof(old_hex), old_commit);
	git_oid_tostr(new_hex, sizeof(new_hex), new_commit);
	/* reason is one of our hook names: no JSON escaping needed, but refuse anything else. */
	if (strpbrk(reason, "\"\\\n")) {
		rc = clm_error_set(CLM_EINVALID, "bad job reason");
		goto cleanup;
	}
	clm_strbuf_addf(&line, "{\"t\":%lld,\"reason\":\"%s\",\"old\":\"%s\",\"new\":\"%s\"}\n",
			(long long)time(NULL), reason, old_hex, new_hex);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line.buf, line.len) != (ssize_t)line.len)
		rc = clm_error_set(CLM_EIO, "cannot queue job in %s: %s", path.buf, strerror(errno));
	if (fd >= 0)
		close(fd);
cleanup:
	clm_strbuf_release(&path);
	clm_strbuf_release(&line);
	return rc;
}

int clm_jobs_count(git_repository *repo, size_t *count)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
	int rc = clmodel_file(repo, "queue", &path);

	*count = 0;
	if (rc == 0) {
		rc = clm_read_file(path.buf, 64 << 20, &data);
		if (rc == CLM_ENOTFOUND)
			rc = 0;
		for (size_t i = 0; i < data.len; i++)
			*count += data.buf[i] == '\n';
	}
	clm_strbuf_release(&path);
	clm_strbuf_release(&data);
	return rc;
}

int clm_jobs_take(git_repository *repo, struct clm_strbuf *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, taken = CLM_STRBUF_INIT;
	int rc = clmodel_file(repo, "queue", &path);

	if (rc == 0) {
		clm_strbuf_addf(&taken, "%s.taken.%ld", path.buf, (long)getpid());
		if (rename(path.buf, taken.buf) < 0) {
			if (errno != ENOENT)
				rc = clm_error_set(CLM_EIO, "cannot take queue %s: %s", path.buf, strerror(errno));
		} else {
			rc = clm_read_file(taken.buf, 64 << 20, out);
			if (rc == 0)
				unlink(taken.buf);
		}
	}
	clm_strbuf_release(&path);
	clm_strbuf_release(&taken);
	return rc;
}

int clm_jobs_spawn(git_repository *repo, const char *const *argv)
{
	struct clm_strbuf log = CLM_STRBUF_INIT;
	const char *cwd = git_repository_is_bare(repo) ? git_repository_path(repo)
						       : git_repository_workdir(repo);
	int rc = clmodel_file(repo, "log", &log), status;
	pid_t pid;

	if (rc < 0)
		goto cleanup;
	pid = fork();
	if (pid < 0) {
		rc = clm_error_set(CLM_EIO, "cannot start background job: %s", strerror(errno));
		goto cleanup;
	}
	if (pid == 0) {
		/* Double fork: the middle child exits at once, so the job is adopted by init and the
		 * hook (and the git command that ran it) never waits for it. */
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		int in = open("/dev/null", O_RDONLY), fd = open(log.buf, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (in < 0 || fd < 0 || chdir(cwd) < 0)
			_exit(1);
		dup2(in, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(in);
		close(fd);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
cleanup:
	clm_strbuf_release(&log);
	return rc;
}
