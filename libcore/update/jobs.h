/* Queued background work: hooks append update jobs; one background `update --queued` drains
 * them under the repository lock. Files live in <common git dir>/clmodel/ (queue, log). */
#ifndef CLM_UPDATE_JOBS_H
#define CLM_UPDATE_JOBS_H

#include <stddef.h>
#include <git2.h>
#include "util/strbuf.h"

/* Queue an update job: one JSON line {"t":..,"reason":..,"old":..,"new":..}, appended with
 * O_APPEND in one write so concurrent hooks never interleave. */
int clm_jobs_enqueue(git_repository *repo, const char *reason, const git_oid *old_commit,
		     const git_oid *new_commit);

/* Count queued jobs (0 when there is no queue). */
int clm_jobs_count(git_repository *repo, size_t *count);

/* Take every queued job: the queue is renamed away atomically (new jobs start a new queue) and
 * its lines are appended to `out`. */
int clm_jobs_take(git_repository *repo, struct clm_strbuf *out);

/* Start `argv` (argv[0] an absolute path) detached in a new session with cwd at the work tree
 * (or git dir when bare), stdin from /dev/null and both output streams appended to
 * <common git dir>/clmodel/log. Returns once the child is started. */
int clm_jobs_spawn(git_repository *repo, const char *const *argv);

#endif
