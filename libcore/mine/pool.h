/* Mining's worker threads. The walk reads the repository on its own thread and hands each
 * changed source file over as a job; workers, each with its own parsers and parse cache, turn
 * jobs into examples; the walk collects them in the order it submitted them, so the output does
 * not depend on the number of threads. Every version of one path goes to the same worker, which
 * keeps that file's parse for its next change. */
#ifndef CLM_MINE_POOL_H
#define CLM_MINE_POOL_H

#include <stddef.h>
#include <git2.h>
#include "mine/code_examples.h"

/* An example a job produced, with copies of its texts. */
struct clm_job_example {
	struct clm_mined_example ex; /* points into the copies below and into the job */
	char *source, *target, *name, *grammar;
};

struct clm_code_job {
	struct clm_file_change change; /* points into the fields below */
	char *path, *commit;           /* owned */
	git_blob *old_blob, *new_blob; /* hold the bytes of both sides; owned, freed on the walk's thread */
	struct clm_hunk *hunks;        /* owned */
	/* Filled by the worker. */
	struct clm_job_example *examples;
	size_t nexamples, alloc;
	size_t skipped_long;
	int rc;
	char *message;                 /* the worker's error message when rc < 0 */
	int done;
	struct clm_code_job *next_queued, *next_submitted;
};

struct clm_mine_pool;

/* Start `n` workers (n >= 2) whose miners cap examples at `max_tokens`. 0 or a negative code. */
int clm_mine_pool_start(struct clm_mine_pool **out, unsigned n, size_t max_tokens);

/* Queue `job` for the worker that owns its path. */
void clm_mine_pool_submit(struct clm_mine_pool *p, struct clm_code_job *job);

/* Wait until `job` is done. */
void clm_mine_pool_wait(struct clm_mine_pool *p, struct clm_code_job *job);

/* Let the workers finish what is queued, join them and free the pool (NULL is fine). */
void clm_mine_pool_stop(struct clm_mine_pool *p);

/* Run `job` on miner `m` (on any thread): fill its examples, skipped count and result. */
void clm_code_job_run(struct clm_code_miner *m, struct clm_code_job *job);

/* Free a job and everything it holds. */
void clm_code_job_free(struct clm_code_job *job);

#endif
