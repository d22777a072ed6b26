/* An exclusive lock file (O_EXCL, holding the owner's PID) that serializes model-store writers.
 * A lock whose owner process no longer exists is stale and is broken. */
#ifndef CLM_GIT_LOCK_H
#define CLM_GIT_LOCK_H

struct clm_lock {
	char *path; /* owned; NULL when not held */
	int broke_stale; /* set when acquiring removed a dead owner's lock */
};

/* Take the lock file `path`, waiting up to `wait_ms` milliseconds for a live owner to finish.
 * Returns 0, or CLM_ELOCKED with a message naming the owner's PID, or CLM_EIO. */
int clm_lock_acquire(struct clm_lock *lock, const char *path, int wait_ms);

/* PID of the live process holding the lock file `path`, or 0 when it is free or stale. */
long clm_lock_holder(const char *path);

/* Remove the lock file if held (safe to call when not held). */
void clm_lock_release(struct clm_lock *lock);

#endif
