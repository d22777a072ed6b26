#include "git/lock.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The PID written in a lock file, or 0 when unreadable (being written or garbage). */
static long lock_owner(const char *path)
{
	char buf[32] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

static int owner_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Move a dead owner's lock aside atomically; only one contender's rename succeeds, and it
 * re-checks that what it moved still belonged to the dead owner. */
static int break_stale(const char *path, long dead_pid)
{
	char aside[4096];

	snprintf(aside, sizeof(aside), "%s.stale.%ld", path, (long)getpid());
	if (rename(path, aside) < 0)
		return errno == ENOENT ? 0 : clm_error_set(CLM_EIO, "cannot remove stale lock '%s': %s", path,
							 strerror(errno));
	if (lock_owner(aside) != dead_pid) {
		/* A live writer took the lock between our check and the rename: give it back. */
		if (link(aside, path) < 0) {
			unlink(aside);
			return clm_error_set(CLM_ELOCKED, "lock '%s' changed hands while breaking it", path);
		}
	}
	unlink(aside);
	return 0;
}

/* Write our PID into a private file, then link it to the lock path: link() is atomic and fails
 * when the lock exists, so a lock file is never seen without its owner's PID. */
static int try_create(const char *path)
{
	char tmp[4096], pidbuf[32];
	int fd, len, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return clm_error_set(CLM_EIO, "cannot create lock '%s': %s", tmp, strerror(errno));
	len = snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
	if (write(fd, pidbuf, (size_t)len) != len)
		rc = clm_error_set(CLM_EIO, "cannot write lock '%s': %s", tmp, strerror(errno));
	close(fd);
	if (rc == 0 && link(tmp, path) < 0)
		rc = errno == EEXIST ? 1 : clm_error_set(CLM_EIO, "cannot create lock '%s': %s", path, strerror(errno));
	unlink(tmp);
	return rc;
}

int clm_lock_acquire(struct clm_lock *lock, const char *path, int wait_ms)
{
	int waited = 0;

	lock->path = NULL;
	lock->broke_stale = 0;
	for (;;) {
		int rc = try_create(path);
		long owner;
		if (rc < 0)
			return rc;
		if (rc == 0) {
			lock->path = strdup(path);
			if (!lock->path) {
				unlink(path);
				return clm_error_oom();
			}
			return 0;
		}
		owner = lock_owner(path);
		if (owner > 0 && !owner_alive(owner)) {
			rc = break_stale(path, owner);
			if (rc < 0 && rc != CLM_ELOCKED)
				return rc;
			lock->broke_stale = 1;
			continue;
		}
		if (waited >= wait_ms && owner <= 0)
			return clm_error_set(CLM_ELOCKED, "lock '%s' exists but names no process; remove it if no "
					     "git-clmodel is running", path);
		if (waited >= wait_ms)
			return clm_error_set(CLM_ELOCKED, "another git-clmodel process (pid %ld) is writing the model "
					     "store; lock '%s' held; try again when it has finished", owner, path);
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
		waited += 50;
	}
}

long clm_lock_holder(const char *path)
{
	long pid = lock_owner(path);
	return owner_alive(pid) ? pid : 0;
}

void clm_lock_release(struct clm_lock *lock)
{
	if (!lock->path)
		return;
	unlink(lock->path);
	free(lock->path);
	lock->path = NULL;
}
