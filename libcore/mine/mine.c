#include "mine/mine.h"
#include "git/blob.h"
#include "mine/code_examples.h"
#include "mine/events.h"
#include "mine/history_walk.h"
#include "mine/state.h"
#include "mine/pool.h"
#include "mine/task.h"
#include "git/repo.h"
#include "data/taskdir.h"
#include "mine/tree_changes.h"
#include "parsers/functions.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/progress.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define CLM_MINE_OBJECT_CACHE (4 * 1024 * 1024)
/* Changed files submitted but not yet collected: bounds the blobs held for the workers. */
#define CLM_MINE_JOBS_OUT 16
#define CLM_MINE_PACK_WINDOW (4 * 1024 * 1024)
#define CLM_MINE_PACK_MAPPED (16 * 1024 * 1024)

struct miner {
	git_repository *repo;
	const struct clm_mine_options *o;
	struct clm_mine_stats *st;
	struct clm_progress progress;
	struct clm_code_miner code;
	struct clm_strbuf tasks_dir;
	struct clm_mine_task task;
	struct clm_mine_task_ctx tc;
	/* The last commit walked and its tree: on a first-parent walk, the next commit's parent. */
	git_oid prev_commit;
	git_tree *prev_tree;
	struct clm_tree_memo subtrees;
	/* Changed files handed to the workers (pool NULL: mined on this thread), oldest first. */
	struct clm_mine_pool *pool;
	struct clm_code_job *first_job, *last_job;
	size_t submitted;
};

void clm_mine_options_init(struct clm_mine_options *o)
{
	memset(o, 0, sizeof(*o));
	o->window = CLM_MINE_DEFAULT_WINDOW;
	o->max_tokens = CLM_MINE_DEFAULT_MAX_TOKENS;
}

static void warn(void *ctx, const char *msg)
{
	struct miner *m = ctx;
	clm_progress_note(&m->progress, "warning: %s", msg);
}

static void warn_missing(struct miner *m, const char *path, const git_oid *commit)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof(hex), commit);
	m->st->missing_objects++;
	clm_progress_note(&m->progress, "warning: %s at %.12s: %s; skipped", path, hex, clm_error());
}

static int emit(void *ctx, struct clm_mined_example *ex)
{
	struct miner *m = ctx;
	int rc = clm_task_writer_add(&m->task.writer, ex);
	if (rc > 0)
		m->st->examples++;
	return rc < 0 ? rc : 0;
}

/* Hand the examples of submitted jobs to the task, oldest first, until at most `keep` jobs are
 * still out. The first failing job's error stops the run. */
static int collect_jobs(struct miner *m, size_t keep)
{
	int rc = 0;

	while (m->submitted > keep) {
		struct clm_code_job *job = m->first_job;
		if (m->pool)
			clm_mine_pool_wait(m->pool, job);
		rc = job->rc;
		if (rc < 0)
			clm_error_set(rc, "%s", job->message ? job->message : "mining a file failed");
		for (size_t i = 0; rc == 0 && i < job->nexamples; i++)
			rc = emit(m, &job->examples[i].ex);
		m->st->skipped_functions += job->skipped_long;
		m->first_job = job->next_submitted;
		if (!m->first_job)
			m->last_job = NULL;
		m->submitted--;
		clm_code_job_free(job);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int close_task(struct miner *m)
{
	int rc;

	if (!m->task.active)
		return 0;
	if ((rc = collect_jobs(m, 0)) == 0)
		rc = clm_mine_task_finish(&m->task, &m->tc);
	if (rc == 0) {
		m->st->tasks++;
		if (m->o->on_task)
			rc = m->o->on_task(m->o->ctx, m->task.meta);
	}
	clm_mine_task_release(&m->task);
	return rc;
}

/* Read a file's blob for mining; 1 means skip it (too big, binary, generated, missing). */
static int read_source(struct miner *m, const git_diff_file *f, git_commit *commit, git_blob **out)
{
	int rc = clm_blob_read_capped(m->repo, &f->id, CLM_BLOB_MAX_BYTES, out);

	if (rc == CLM_ENOTFOUND) {
		warn_missing(m, f->path, git_commit_id(commit));
		return 1;
	}
	if (rc != 0)
		return rc;
	if (clm_blob_is_binary(git_blob_rawcontent(*out), (size_t)git_blob_rawsize(*out)) ||
	    clm_code_is_generated(git_blob_rawcontent(*out), (size_t)git_blob_rawsize(*out))) {
		git_blob_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

static int is_blob_mode(uint16_t mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

/* A job for one changed file: the blobs (moved in), hunks and provenance it needs. */
static int make_job(struct miner *m, const char *hex, const git_diff_delta *d, git_blob *old, git_blob *nw,
		    struct clm_code_job **out)
{
	struct clm_code_job *job = calloc(1, sizeof(*job));
	struct clm_file_change *c;
	int rc = 0;

	*out = NULL;
	if (!job) {
		git_blob_free(old);
		git_blob_free(nw);
		return clm_error_oom();
	}
	job->old_blob = old;
	job->new_blob = nw;
	job->path = strdup(d->new_file.path);
	job->commit = strdup(hex);
	if (!job->path || !job->commit)
		rc = clm_error_oom();
	c = &job->change;
	c->lang = clm_language_for_path(d->new_file.path);
	c->path = job->path;
	c->commit = job->commit;
	c->new_src = git_blob_rawcontent(nw);
	c->new_len = (size_t)git_blob_rawsize(nw);
	c->new_id = *git_blob_id(nw);
	if (old) {
		c->old_src = git_blob_rawcontent(old);
		c->old_len = (size_t)git_blob_rawsize(old);
		c->old_id = *git_blob_id(old);
		if (rc == 0)
			rc = clm_blob_hunks(old, nw, d->new_file.path, &job->hunks, &c->nhunks);
		c->hunks = job->hunks;
	}
	c->deps = m->task.deps;
	c->ndeps = m->task.ndeps;
	if (rc < 0) {
		clm_code_job_free(job);
		return rc;
	}
	*out = job;
	return 0;
}

static int mine_file(struct miner *m, git_commit *commit, const char *hex, const git_diff_delta *d)
{
	git_blob *old = NULL, *nw = NULL;
	struct clm_code_job *job;
	int rc;

	rc = read_source(m, &d->new_file, commit, &nw);
	if (rc == 0 && d->status != GIT_DELTA_ADDED && is_blob_mode(d->old_file.mode))
		rc = read_source(m, &d->old_file, commit, &old);
	if (rc != 0) {
		git_blob_free(old);
		git_blob_free(nw);
		m->st->skipped_files += rc > 0;
		return rc > 0 ? 0 : rc;
	}
	m->st->files++;
	if ((rc = make_job(m, hex, d, old, nw, &job)) < 0)
		return rc;
	if (m->last_job)
		m->last_job->next_submitted = job;
	else
		m->first_job = job;
	m->last_job = job;
	m->submitted++;
	if (!m->pool) {
		clm_code_job_run(&m->code, job);
		return collect_jobs(m, 0);
	}
	clm_mine_pool_submit(m->pool, job);
	return collect_jobs(m, CLM_MINE_JOBS_OUT);
}

static int mine_code(struct miner *m, git_commit *commit, git_diff *diff)
{
	git_diff_find_options fo;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	if (git_diff_find_similar(diff, &fo) < 0)
		clm_progress_note(&m->progress, "warning: rename detection failed at %.12s", hex);
	for (size_t i = 0; rc == 0 && i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status == GIT_DELTA_DELETED || !is_blob_mode(d->new_file.mode))
			continue;
		if (clm_path_is_hostile(d->new_file.path)) {
			m->st->skipped_files++;
			clm_progress_note(&m->progress, "warning: skipping %s at %.12s: a path git refuses to check out",
					  d->new_file.path, hex);
			continue;
		}
		if (clm_code_path_skipped(d->new_file.path)) {
			m->st->skipped_files += clm_language_for_path(d->new_file.path) != NULL &&
						clm_functions_supported(clm_language_for_path(d->new_file.path));
			continue;
		}
		rc = mine_file(m, commit, hex, d);
	}
	return rc;
}

/* The first parent's tree: 0 with *out NULL for a root commit, 1 when the parent is not in the
 * object store (a shallow boundary or a missing object). */
static int parent_tree(struct miner *m, git_commit *c, git_tree **out)
{
	git_commit *p;

	*out = NULL;
	if (git_commit_parentcount(c) == 0)
		return 0;
	if (m->prev_tree && git_oid_equal(git_commit_parent_id(c, 0), &m->prev_commit))
		return git_tree_dup(out, m->prev_tree) < 0;
	if (git_commit_parent(&p, c, 0) < 0)
		return 1;
	if (git_commit_tree(out, p) < 0) {
		git_commit_free(p);
		return 1;
	}
	git_commit_free(p);
	return 0;
}

/* Mine one commit of the walk; takes `c` (NULL when it could not be read). */
static int mine_commit(struct miner *m, const git_oid *oid, git_commit *c)
{
	git_tree *old = NULL, *nw = NULL;
	git_diff *diff = NULL;
	git_diff_options dopts;
	struct clm_dep_event_list events = { 0 };
	char hex[GIT_OID_HEXSZ + 1];
	int rc = 0, pr, touches;

	git_oid_tostr(hex, sizeof(hex), oid);
	if (!c || git_commit_tree(&nw, c) < 0) {
		clm_git_error(GIT_ENOTFOUND, "commit or tree missing");
		warn_missing(m, "commit", oid);
		goto cleanup;
	}
	if (m->o->all_parents && git_commit_parentcount(c) > 1)
		goto cleanup; /* every side commit is walked itself; the merge adds nothing new */
	pr = parent_tree(m, c, &old);
	if (pr > 0) {
		if (!m->st->shallow)
			clm_progress_note(&m->progress, "note: history ends at %.12s (shallow clone or missing parent); "
					  "older commits are not mined", hex);
		m->st->shallow = 1;
		goto cleanup;
	}
	touches = clm_tree_change_touches_manifest(m->repo, old, nw, &m->subtrees, NULL);
	if (touches < 0) {
		warn_missing(m, "tree", oid);
		goto cleanup;
	}
	if (!touches && !m->task.active)
		goto cleanup; /* the common case: nothing to read beyond the trees */
	git_diff_options_init(&dopts, GIT_DIFF_OPTIONS_VERSION);
	dopts.flags |= GIT_DIFF_SKIP_BINARY_CHECK;
	if (git_diff_tree_to_tree(&diff, m->repo, old, nw, &dopts) < 0) {
		clm_git_error(GIT_ERROR, "tree diff");
		warn_missing(m, "tree", oid);
		goto cleanup;
	}
	if (touches && (rc = clm_events_from_diff(m->repo, diff, old, nw, oid, warn, m, &events)) < 0)
		goto cleanup;
	if (events.n) {
		if ((rc = close_task(m)) < 0 || (rc = clm_mine_task_open(&m->task, &m->tc, c, &events)) < 0)
			goto cleanup;
		m->st->events += events.n;
	} else if (m->task.active) {
		if (m->task.window_left == 0) {
			rc = close_task(m);
			goto cleanup;
		}
		m->task.window_left--;
	}
	if (m->task.active) {
		m->task.window_commits++;
		memcpy(m->task.last_commit, hex, sizeof(hex));
		rc = mine_code(m, c, diff);
	}
cleanup:
	if (nw) {
		git_tree_free(m->prev_tree);
		m->prev_tree = nw;
		m->prev_commit = *oid;
		nw = NULL;
	}
	clm_dep_event_list_release(&events);
	git_diff_free(diff);
	git_tree_free(old);
	git_tree_free(nw);
	git_commit_free(c);
	return rc;
}

/* libgit2's process-wide settings that mining changes, to put back afterwards. */
struct git_settings {
	ssize_t cache_max;
	size_t window_size, window_limit;
};

/* libgit2 keeps up to 256 MB of trees and commits cached, and maps pack files a gigabyte at a
 * time; a walk rarely meets an object twice, so a small cache and few mapped windows keep memory
 * bounded by the largest diff instead of the history. Hashing every blob read again costs a
 * tenth of the run; mining only reads, as git log does. */
static void git_settings_for_mining(struct git_settings *saved)
{
	ssize_t cached;

	git_libgit2_opts(GIT_OPT_GET_CACHED_MEMORY, &cached, &saved->cache_max);
	git_libgit2_opts(GIT_OPT_GET_MWINDOW_SIZE, &saved->window_size);
	git_libgit2_opts(GIT_OPT_GET_MWINDOW_MAPPED_LIMIT, &saved->window_limit);
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)CLM_MINE_OBJECT_CACHE);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)CLM_MINE_PACK_WINDOW);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)CLM_MINE_PACK_MAPPED);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
}

static void git_settings_restore(const struct git_settings *saved)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, saved->cache_max);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, saved->window_size);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, saved->window_limit);
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1); /* libgit2's default; it has no getter */
}

/* Threads that extract examples: as asked, else one per processor up to CLM_MINE_AUTO_THREADS
 * (the walk's own thread bounds what more would gain, and each holds its parses). */
static unsigned mining_threads(const struct clm_mine_options *o)
{
	long n = o->threads ? (long)o->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (!o->threads && n > CLM_MINE_AUTO_THREADS)
		n = CLM_MINE_AUTO_THREADS;
	if (n < 1)
		return 1;
	return n > CLM_MINE_MAX_THREADS ? CLM_MINE_MAX_THREADS : (unsigned)n;
}

int clm_mine(git_repository *repo, const struct clm_mine_options *o, struct clm_mine_stats *st)
{
	struct miner m = { .repo = repo, .o = o, .st = st, .tasks_dir = CLM_STRBUF_INIT };
	struct clm_mine_state state = { 0 };
	struct clm_history_walk walk = { 0 };
	git_oid oid, tip;
	size_t tip_depth = CLM_DEPTH_UNKNOWN;
	struct git_settings saved;
	unsigned threads = mining_threads(o);
	int rc, use_state = !o->stream && !o->rescan;

	memset(st, 0, sizeof(*st));
	git_settings_for_mining(&saved);
	clm_progress_begin(&m.progress, "mining", 0, o->quiet);
	m.progress.unit = "commits";
	m.tc.ids = json_object();
	if (!m.tc.ids) {
		rc = clm_error_oom();
		goto cleanup;
	}
	if ((rc = clm_code_miner_init(&m.code, o->max_tokens, 1)) < 0 ||
	    (rc = clm_repo_state_path(repo, "tasks", &m.tasks_dir)) < 0)
		goto cleanup;
	if (threads > 1 && (rc = clm_mine_pool_start(&m.pool, threads, o->max_tokens)) < 0)
		goto cleanup;
	if (use_state && (rc = clm_mine_state_load(repo, &state)) < 0)
		goto cleanup;
	if (!o->range && git_repository_head_unborn(repo) == 1) {
		clm_progress_note(&m.progress, "note: no commits yet; nothing to mine");
		goto cleanup;
	}
	if ((rc = clm_history_walk_start(&walk, repo, o->range, o->all_parents, state.tips, state.depths, state.n, &tip,
					 &tip_depth)) < 0)
		goto cleanup;
	m.tc.tasks_dir = m.tasks_dir.buf;
	m.tc.stream = o->stream;
	m.tc.rescan = o->rescan;
	m.tc.window = o->window;
	if (use_state && (rc = clm_mine_task_resume(&m.task, &m.tc, repo, &state, &tip)) < 0)
		goto cleanup;
	rc = 0;
	if (walk.first_parent_only)
		clm_progress_note(&m.progress, "note: shallow clone; walking first parents only");
	while (rc == 0) {
		git_commit *commit;
		int wr = clm_history_walk_next(&walk, &oid, &commit);
		if (wr == 0)
			break;
		if (wr < 0) {
			clm_progress_note(&m.progress, "warning: %s; stopping the walk here", clm_error());
			st->shallow = 1;
			break;
		}
		st->commits++;
		rc = mine_commit(&m, &oid, commit);
		clm_progress_update(&m.progress, st->commits, "%zu events, %zu examples", st->events, st->examples);
	}
	if (walk.boundary && !st->shallow) {
		clm_progress_note(&m.progress, "note: history ends at a shallow-clone boundary; older commits are "
				  "not mined");
		st->shallow = 1;
	}
	if (rc == 0 && !o->stream) {
		/* A window cut short by the end of history is continued by the next run. */
		if (o->rescan && (rc = clm_mine_state_load(repo, &state)) < 0)
			goto cleanup;
		if (m.task.active && m.task.window_left > 0) {
			git_oid last;
			rc = git_oid_fromstr(&last, m.task.last_commit) < 0 ? clm_error_set(CLM_EGENERIC, "bad commit id") : 0;
			if (rc == 0)
				rc = clm_mine_state_set_open(&state, json_string_value(json_object_get(m.task.meta, "id")),
							     &last, m.task.window_left, m.task.window_commits);
		} else {
			rc = clm_mine_state_set_open(&state, NULL, NULL, 0, 0);
		}
	}
	if (rc == 0)
		rc = close_task(&m);
	if (rc == 0 && !o->stream && (rc = clm_mine_state_add(repo, &state, &tip, tip_depth)) == 0)
		rc = clm_mine_state_save(repo, &state);
cleanup:
	clm_progress_end(&m.progress);
	clm_mine_pool_stop(m.pool); /* workers may still read the task's dependencies */
	while (m.first_job) {
		struct clm_code_job *next = m.first_job->next_submitted;
		clm_code_job_free(m.first_job);
		m.first_job = next;
	}
	clm_mine_task_release(&m.task);
	git_tree_free(m.prev_tree);
	clm_tree_memo_release(&m.subtrees);
	clm_history_walk_release(&walk);
	clm_mine_state_release(&state);
	clm_code_miner_release(&m.code);
	clm_strbuf_release(&m.tasks_dir);
	json_decref(m.tc.ids);
	git_settings_restore(&saved);
	return rc;
}
