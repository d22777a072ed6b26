#include "mine/pool.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct worker {
	struct clm_mine_pool *pool;
	pthread_t thread;
	int started;
	struct clm_code_miner miner;
	struct clm_code_job *head, *tail; /* queued jobs, oldest first */
};

struct clm_mine_pool {
	pthread_mutex_t lock;
	pthread_cond_t work, done; /* a job was queued; a job was finished */
	int stopping;
	unsigned n;
	struct worker *workers;
};

static char *dup_text(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* clm_example_fn that keeps a copy of the example in the job. */
static int keep_example(void *ctx, struct clm_mined_example *ex)
{
	struct clm_code_job *job = ctx;
	struct clm_job_example *e;

	if (CLM_ALLOC_GROW(job->examples, job->nexamples + 1, job->alloc) < 0)
		return CLM_ENOMEM;
	e = &job->examples[job->nexamples];
	memset(e, 0, sizeof(*e));
	e->source = dup_text(ex->source, ex->source_len);
	e->target = dup_text(ex->target, ex->target_len);
	e->name = ex->name ? strdup(ex->name) : NULL;
	e->grammar = ex->grammar ? strdup(ex->grammar) : NULL;
	if (!e->source || !e->target || (ex->name && !e->name) || (ex->grammar && !e->grammar)) {
		free(e->source);
		free(e->target);
		free(e->name);
		free(e->grammar);
		return clm_error_oom();
	}
	e->ex = *ex;
	e->ex.source = e->source;
	e->ex.target = e->target;
	e->ex.name = e->name;
	e->ex.grammar = e->grammar;
	e->ex.commit = job->commit;
	e->ex.path = job->path;
	job->nexamples++;
	return 0;
}

void clm_code_job_run(struct clm_code_miner *m, struct clm_code_job *job)
{
	m->skipped_long = 0;
	job->rc = clm_code_examples(m, &job->change, keep_example, job);
	job->skipped_long = m->skipped_long;
	if (job->rc < 0)
		job->message = strdup(clm_error());
}

void clm_code_job_free(struct clm_code_job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->nexamples; i++) {
		free(job->examples[i].source);
		free(job->examples[i].target);
		free(job->examples[i].name);
		free(job->examples[i].grammar);
	}
	free(job->examples);
	free(job->message);
	free(job->hunks);
	free(job->path);
	free(job->commit);
	git_blob_free(job->old_blob);
	git_blob_free(job->new_blob);
	free(job);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct clm_mine_pool *p = w->pool;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct clm_code_job *job;
		while (!w->head && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (!w->head)
			break;
		job = w->head;
		w->head = job->next_queued;
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		clm_code_job_run(&w->miner, job);
		pthread_mutex_lock(&p->lock);
		job->done = 1;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int clm_mine_pool_start(struct clm_mine_pool **out, unsigned n, size_t max_tokens)
{
	struct clm_mine_pool *p = calloc(1, sizeof(*p));
	int rc = 0;

	*out = NULL;
	if (!p || !(p->workers = calloc(n, sizeof(*p->workers)))) {
		free(p);
		return clm_error_oom();
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->n = n;
	for (unsigned i = 0; rc == 0 && i < n; i++) {
		struct worker *w = &p->workers[i];
		w->pool = p;
		rc = clm_code_miner_init(&w->miner, max_tokens, n);
		if (rc == 0 && pthread_create(&w->thread, NULL, worker_main, w) != 0)
			rc = clm_error_set(CLM_EGENERIC, "cannot start a mining thread");
		w->started = rc == 0;
	}
	if (rc < 0) {
		clm_mine_pool_stop(p);
		return rc;
	}
	*out = p;
	return 0;
}

void clm_mine_pool_submit(struct clm_mine_pool *p, struct clm_code_job *job)
{
	struct worker *w = &p->workers[clm_hash_bytes(job->path, strlen(job->path)) % p->n];

	job->next_queued = NULL;
	pthread_mutex_lock(&p->lock);
	if (w->tail)
		w->tail->next_queued = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

void clm_mine_pool_wait(struct clm_mine_pool *p, struct clm_code_job *job)
{
	pthread_mutex_lock(&p->lock);
	while (!job->done)
		pthread_cond_wait(&p->done, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void clm_mine_pool_stop(struct clm_mine_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n; i++) {
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
		clm_code_miner_release(&p->workers[i].miner);
	}
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->workers);
	free(p);
}
