/* update/jobs: the queue hooks append to and `update --queued` drains. Concurrent enqueuers must
 * never interleave lines, taking empties the queue atomically (new jobs start a new one), and a
 * spawned job runs detached in the work tree with its output in the log. */
#include "test_helpers.h"
#include "git/repo.h"
#include "update/jobs.h"
#include "util/fileio.h"

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 8
#define JOBS_EACH 50

static git_repository *repo;

static int setup(void **state)
{
	char *dir = clm_test_tmpdir();
	(void)state;
	git_libgit2_init();
	assert_non_null(dir);
	assert_int_equal(git_repository_init(&repo, dir, 0), 0);
	free(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}

static void oid_of(int n, git_oid *out)
{
	memset(out, 0, sizeof(*out));
	out->id[0] = (unsigned char)(n >> 8);
	out->id[1] = (unsigned char)n;
}

/* Parse every line of `queue`: each must be one whole job; returns the count. */
static size_t check_lines(const char *queue, const char *reason)
{
	size_t n = 0;

	for (const char *p = queue; *p; n++) {
		const char *nl = strchr(p, '\n');
		json_error_t err;
		json_t *job;

		assert_non_null(nl);
		job = json_loadb(p, (size_t)(nl - p), 0, &err);
		assert_non_null(job);
		assert_string_equal(json_string_value(json_object_get(job, "reason")), reason);
		assert_int_equal(strlen(json_string_value(json_object_get(job, "old"))), 40);
		assert_int_equal(strlen(json_string_value(json_object_get(job, "new"))), 40);
		assert_true(json_integer_value(json_object_get(job, "t")) > 0);
		json_decref(job);
		p = nl + 1;
	}
	return n;
}

static void queue_count_take(void **state)
{
	struct clm_strbuf taken = CLM_STRBUF_INIT;
	git_oid a, b;
	size_t count = 99;
	(void)state;

	assert_int_equal(clm_jobs_count(repo, &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(clm_jobs_take(repo, &taken), 0); /* no queue: nothing taken, no error */
	assert_int_equal(taken.len, 0);
	oid_of(1, &a);
	oid_of(2, &b);
	for (int i = 0; i < 3; i++)
		assert_int_equal(clm_jobs_enqueue(repo, "post-merge", &a, &b), 0);
	assert_int_equal(clm_jobs_count(repo, &count), 0);
	assert_int_equal(count, 3);
	assert_int_equal(clm_jobs_take(repo, &taken), 0);
	assert_int_equal(check_lines(taken.buf, "post-merge"), 3);
	assert_non_null(strstr(taken.buf, "\"old\":\"0001000000"));
	assert_int_equal(clm_jobs_count(repo, &count), 0);
	assert_int_equal(count, 0);
	/* A reason that would break the JSON line is refused, and nothing is queued. */
	assert_true(clm_jobs_enqueue(repo, "post\"merge", &a, &b) < 0);
	assert_int_equal(clm_jobs_count(repo, &count), 0);
	assert_int_equal(count, 0);
	clm_strbuf_release(&taken);
}

static void concurrent_writers_never_interleave(void **state)
{
	struct clm_strbuf taken = CLM_STRBUF_INIT;
	pid_t pids[WRITERS];
	size_t count;
	(void)state;

	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			git_oid a, b;
			for (int i = 0; i < JOBS_EACH; i++) {
				oid_of(w, &a);
				oid_of(i, &b);
				if (clm_jobs_enqueue(repo, "post-rewrite", &a, &b) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(clm_jobs_count(repo, &count), 0);
	assert_int_equal(count, WRITERS * JOBS_EACH);
	assert_int_equal(clm_jobs_take(repo, &taken), 0);
	assert_int_equal(check_lines(taken.buf, "post-rewrite"), WRITERS * JOBS_EACH);
	clm_strbuf_release(&taken);
}

/* The spawned job writes to <git dir>/clmodel/log from the work tree; poll for it (it is
 * detached, so nothing to wait on). */
static void spawned_job_logs_from_the_work_tree(void **state)
{
	const char *const argv[] = { "/bin/sh", "-c", "echo spawned-job; pwd; cat", NULL };
	struct clm_strbuf log = CLM_STRBUF_INIT, want = CLM_STRBUF_INIT;
	char *workdir = realpath(git_repository_workdir(repo), NULL);
	(void)state;

	assert_non_null(workdir);
	assert_int_equal(clm_jobs_spawn(repo, argv), 0);
	clm_strbuf_addf(&want, "spawned-job\n%s\n", workdir);
	for (int tries = 0; tries < 500; tries++) {
		struct clm_strbuf path = CLM_STRBUF_INIT;
		clm_strbuf_reset(&log);
		assert_int_equal(clm_repo_state_path(repo, "log", &path), 0);
		if (clm_read_file(path.buf, 1 << 20, &log) == 0 && strstr(log.buf, want.buf)) {
			clm_strbuf_release(&path);
			break;
		}
		clm_strbuf_release(&path);
		usleep(10000);
	}
	/* stdin is /dev/null: `cat` ends at once and adds nothing. */
	assert_string_equal(log.buf, want.buf);
	free(workdir);
	clm_strbuf_release(&log);
	clm_strbuf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(queue_count_take),
		cmocka_unit_test(concurrent_writers_never_interleave),
		cmocka_unit_test(spawned_job_logs_from_the_work_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
