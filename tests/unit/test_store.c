/* libcore/store: versions round trip, blob reuse, corruption by name, CAS, lock, kill safety. */
#include "test_helpers.h"
#include "git/lock.h"
#include "store/notes.h"
#include "git/refs.h"
#include "store/store.h"
#include "store/show.h"
#include "store/which.h"
#include "util/error.h"
#include "util/progress.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char config[] = "{\"model_type\":\"gpt2\",\"n_layer\":1}";
static const char tokenizer[] = "{\"model\":{\"type\":\"BPE\"}}";

/* A fresh repository with one code commit; returns its directory (caller frees). */
static char *make_repo(void)
{
	char *dir = clm_test_tmpdir(), cmd[512];

	assert_non_null(dir);
	snprintf(cmd, sizeof(cmd), "cd %s && git init -q && echo a > a.txt && git add a.txt && "
		 "GIT_AUTHOR_DATE='1700000000 +0000' GIT_COMMITTER_DATE='1700000000 +0000' git commit -qm base", dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

/* A synthetic model: a big "backbone" tensor and a small "prompt" tensor filled from `seed`. */
static void make_weights(struct clm_tensor_list *l, size_t big, float seed)
{
	float *b = malloc(big * sizeof(float)), p[8];
	int64_t sb = (int64_t)big, sp = 8;

	for (size_t i = 0; i < big; i++)
		b[i] = (float)i * 0.25f;
	for (int i = 0; i < 8; i++)
		p[i] = seed + (float)i;
	assert_int_equal(clm_tensor_list_add(l, "h.0.attn.c_attn.weight", CLM_DTYPE_F32, 1, &sb, b, big * 4), 0);
	assert_int_equal(clm_tensor_list_add(l, "prompt/key 0", CLM_DTYPE_F32, 1, &sp, p, sizeof(p)), 0);
	free(b);
}

static void spec_init(struct clm_version_spec *sp, const struct clm_tensor_list *w, const char *summary)
{
	memset(sp, 0, sizeof(*sp));
	sp->config_json = config;
	sp->config_len = strlen(config);
	sp->tokenizer_json = tokenizer;
	sp->tokenizer_len = strlen(tokenizer);
	sp->weights = w;
	sp->summary = summary;
}

struct odb_sum {
	git_odb *odb;
	size_t bytes, count;
};

static int add_object_size(const git_oid *id, void *payload)
{
	struct odb_sum *sum = payload;
	size_t len;
	git_object_t type;

	assert_int_equal(git_odb_read_header(&len, &type, sum->odb, id), 0);
	sum->bytes += len;
	sum->count++;
	return 0;
}

/* Total uncompressed size of every object in the repository. */
static size_t odb_total(git_repository *repo)
{
	struct odb_sum sum = { NULL, 0, 0 };

	assert_int_equal(git_repository_odb(&sum.odb, repo), 0);
	assert_int_equal(git_odb_foreach(sum.odb, add_object_size, &sum), 0);
	git_odb_free(sum.odb);
	return sum.bytes;
}

static void version_round_trip_and_blob_reuse(void **state)
{
	char *dir = make_repo();
	struct clm_store s;
	struct clm_tensor_list w0 = { 0 }, w1 = { 0 };
	struct clm_file_list files = { 0 };
	struct clm_version_spec sp;
	struct clm_version v;
	git_oid v0, v1, head;
	size_t before, added;
	(void)state;

	assert_int_equal(clm_store_open(&s, dir), 0);
	make_weights(&w0, 50000, 1.0f);
	assert_int_equal(clm_file_list_add(&files, "tasks/pypi/x/1..2/task.json", "{}", 2), 0);
	assert_int_equal(clm_file_list_add(&files, "cl/strategy.json", "{\"name\":\"pp\"}", 13), 0);
	assert_int_equal(clm_file_list_add(&files, "tokenizer_config.json", "{}", 2), 0);
	spec_init(&sp, &w0, "Base model");
	sp.files = &files;
	sp.expect_head = "";
	assert_int_equal(clm_store_write_version(&s, &sp, &v0), 0);
	assert_int_equal(clm_store_head(&s, NULL, &head), 0);
	assert_true(git_oid_equal(&head, &v0));

	/* Only the small tensor changes: the new objects hold it, not the 200 KB backbone. */
	make_weights(&w1, 50000, 2.0f);
	clm_file_list_release(&files);
	assert_int_equal(clm_file_list_add(&files, "tasks/pypi/y/2..3/task.json", "{\"n\":1}", 7), 0);
	spec_init(&sp, &w1, "Learn task y");
	sp.files = &files;
	sp.keep_tasks = 1;
	sp.strategy = "pp";
	sp.task = "pypi/y/2..3";
	sp.source = "HEAD";
	before = odb_total(s.repo);
	assert_int_equal(clm_store_write_version(&s, &sp, &v1), 0);
	added = odb_total(s.repo) - before;
	print_message("# new object bytes for a version changing 32 bytes of 200 KB: %zu\n", added);
	assert_true(added < 4096);

	assert_int_equal(clm_store_read_version(&s, &v1, CLM_READ_WEIGHTS | CLM_READ_FILES, &v), 0);
	assert_string_equal(v.summary, "Learn task y");
	assert_string_equal(v.strategy, "pp");
	assert_string_equal(v.task, "pypi/y/2..3");
	assert_non_null(v.source);
	assert_int_equal(strlen(v.source), 40);
	assert_int_equal(v.weights.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(v.weights.items[i].name, w1.items[i].name);
		assert_int_equal(v.weights.items[i].nbytes, w1.items[i].nbytes);
		assert_memory_equal(v.weights.items[i].data, w1.items[i].data, w1.items[i].nbytes);
	}
	assert_non_null(clm_file_list_find(&v.files, "tasks/pypi/x/1..2/task.json")); /* kept */
	assert_non_null(clm_file_list_find(&v.files, "tasks/pypi/y/2..3/task.json"));
	assert_null(clm_file_list_find(&v.files, "cl/strategy.json")); /* cl/ is per version */
	assert_non_null(clm_file_list_find(&v.files, "tokenizer_config.json")); /* side files carry forward */
	assert_memory_equal(v.config_json, config, strlen(config));
	{
		char want[GIT_OID_HEXSZ + 1];
		git_oid_tostr(want, sizeof(want), &v0);
		assert_string_equal(v.parent, want);
	}
	clm_version_release(&v);

	/* The note on the source commit names the version; resolution by name~N works. */
	{
		git_oid src, r;
		json_t *ev;
		assert_int_equal(git_reference_name_to_id(&src, s.repo, "HEAD"), 0);
		assert_int_equal(clm_notes_events(&s, &src, &ev), 0);
		assert_int_equal(json_array_size(ev), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "kind")), "model");
		json_decref(ev);
		assert_int_equal(clm_store_resolve(&s, NULL, "default~1", &r), 0);
		assert_true(git_oid_equal(&r, &v0));
		assert_int_equal(clm_store_resolve(&s, NULL, "HEAD", &r), CLM_EINVALID);
	}

	/* A writer that read v0 and trains too long must not overwrite v1. */
	{
		char old[GIT_OID_HEXSZ + 1];
		git_oid v2;
		git_oid_tostr(old, sizeof(old), &v0);
		spec_init(&sp, &w1, "Stale writer");
		sp.expect_head = old;
		assert_int_equal(clm_store_write_version(&s, &sp, &v2), CLM_ECONFLICT);
		assert_int_equal(clm_store_head(&s, NULL, &head), 0);
		assert_true(git_oid_equal(&head, &v1));
	}
	/* A candidate goes to its own reference, parented on the head, and leaves the head alone. */
	{
		git_oid cand, got;
		struct clm_which which;
		json_t *ev;
		git_oid src;
		spec_init(&sp, &w0, "Candidate");
		sp.ref = "refs/clmodel/candidates/default";
		sp.source = "HEAD";
		sp.reason = "forgetting too high";
		assert_int_equal(clm_store_write_version(&s, &sp, &cand), 0);
		/* Its note line says "candidate", so the commit is still served by v1. */
		assert_int_equal(git_reference_name_to_id(&src, s.repo, "HEAD"), 0);
		assert_int_equal(clm_notes_events(&s, &src, &ev), 0);
		assert_int_equal(json_array_size(ev), 2);
		json_decref(ev);
		assert_int_equal(clm_store_which(&s, NULL, NULL, NULL, &which), 0);
		assert_int_equal(which.reason, CLM_WHICH_NOTE);
		assert_true(git_oid_equal(&which.version, &v1));
		assert_int_equal(clm_store_head(&s, NULL, &head), 0);
		assert_true(git_oid_equal(&head, &v1));
		assert_int_equal(clm_ref_read(s.repo, "refs/clmodel/candidates/default", &got), 0);
		assert_true(git_oid_equal(&got, &cand));
		assert_int_equal(clm_store_read_version(&s, &cand, 0, &v), 0);
		assert_string_equal(v.parent, git_oid_tostr_s(&v1));
		clm_version_release(&v);
		sp.ref = "refs/clmodel/models/other";
		assert_int_equal(clm_store_write_version(&s, &sp, &cand), CLM_EINVALID);
	}
	clm_file_list_release(&files);
	clm_tensor_list_release(&w0);
	clm_tensor_list_release(&w1);
	clm_store_close(&s);
	free(dir);
}

/* Random-looking floats, so zlib cannot shrink them and a write takes measurable time. */
static void make_big_weights(struct clm_tensor_list *l, unsigned seed)
{
	size_t n = 128 * 1024;
	uint32_t *buf = malloc(n * 4), x = seed * 2654435761u + 1;
	int64_t shape = (int64_t)n;
	char name[32];

	for (int t = 0; t < 4; t++) {
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = x & 0xbfffffffu; /* exponent below all-ones: finite, as readers demand */
		}
		snprintf(name, sizeof(name), "h.%d.mlp.c_fc.weight", t);
		assert_int_equal(clm_tensor_list_add(l, name, CLM_DTYPE_F32, 1, &shape, buf, n * 4), 0);
	}
	free(buf);
}

static void write_big_version(const char *dir, unsigned seed)
{
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_version_spec sp;
	git_oid id;
	int rc;

	assert_int_equal(clm_store_open(&s, dir), 0);
	s.lock_wait_ms = 5000;
	make_big_weights(&w, seed);
	spec_init(&sp, &w, "Big version");
	sp.source = "HEAD";
	rc = clm_store_write_version(&s, &sp, &id);
	if (rc < 0)
		fprintf(stderr, "# write failed: %s\n", clm_error());
	assert_int_equal(rc, 0);
	clm_tensor_list_release(&w);
	clm_store_close(&s);
}

/* After a kill, the head is the old one or a complete version whose parent is the old one. */
static void check_head_after_kill(const char *dir, const git_oid *old, int *moved)
{
	struct clm_store s;
	struct clm_version v;
	git_oid head;
	char want[GIT_OID_HEXSZ + 1], cmd[512];

	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(clm_store_head(&s, NULL, &head), 0);
	*moved = !git_oid_equal(&head, old);
	if (*moved) {
		assert_int_equal(clm_store_read_version(&s, &head, CLM_READ_WEIGHTS, &v), 0);
		git_oid_tostr(want, sizeof(want), old);
		assert_string_equal(v.parent, want);
		assert_int_equal(v.weights.n, 4);
		clm_version_release(&v);
	}
	clm_store_close(&s);
	snprintf(cmd, sizeof(cmd), "cd %s && git fsck --no-progress --no-dangling >fsck.log 2>&1", dir);
	assert_int_equal(system(cmd), 0);
}

static void kill_at_any_point_leaves_old_head_or_new_version(void **state)
{
	char *dir = make_repo();
	git_oid old;
	double start, full;
	int trials = getenv("CLM_FAULTS_FULL") ? 50 : 12, moved_count = 0; /* 50: make check-faults */
	(void)state;

	write_big_version(dir, 1);
	start = clm_now();
	write_big_version(dir, 2);
	full = clm_now() - start;
	print_message("# one 2 MB version write took %.3f s; killing writers at %d points across twice that\n", full, trials);
	for (int k = 0; k < trials; k++) {
		struct clm_store s;
		int moved;
		pid_t pid;
		long delay_us = (long)(full * 2.0e6 * k / trials);
		assert_int_equal(clm_store_open(&s, dir), 0);
		assert_int_equal(clm_store_head(&s, NULL, &old), 0);
		clm_store_close(&s);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			write_big_version(dir, 100 + (unsigned)k);
			_exit(0);
		}
		usleep((useconds_t)delay_us);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		check_head_after_kill(dir, &old, &moved);
		moved_count += moved;
	}
	print_message("# %d of %d killed writers had finished their version\n", moved_count, trials);
	/* The dead writers' lock is stale: the next writer breaks it and succeeds. */
	write_big_version(dir, 999);
	free(dir);
}

static void second_writer_fails_clearly_or_waits(void **state)
{
	char *dir = make_repo();
	struct clm_store a, b;
	struct clm_tensor_list w = { 0 };
	struct clm_version_spec sp;
	git_oid id;
	pid_t pid;
	int status;
	(void)state;

	make_weights(&w, 100, 1.0f);
	spec_init(&sp, &w, "First");
	assert_int_equal(clm_store_open(&a, dir), 0);
	assert_int_equal(clm_store_open(&b, dir), 0);
	b.lock_wait_ms = 0;
	assert_int_equal(clm_store_lock(&a), 0);
	assert_int_equal(clm_store_write_version(&b, &sp, &id), CLM_ELOCKED);
	assert_non_null(strstr(clm_error(), "another git-clmodel process"));
	assert_int_equal(clm_store_head(&b, NULL, &id), CLM_ENOTFOUND);
	clm_store_unlock(&a);
	assert_int_equal(clm_store_write_version(&b, &sp, &id), 0);

	/* A child holds the lock for a moment; a waiting writer gets its turn after it. */
	pid = fork();
	if (pid == 0) {
		struct clm_store c;
		if (clm_store_open(&c, dir) < 0 || clm_store_lock(&c) < 0)
			_exit(1);
		usleep(300 * 1000);
		clm_store_close(&c);
		_exit(0);
	}
	usleep(100 * 1000);
	b.lock_wait_ms = 10000;
	spec_init(&sp, &w, "Second");
	assert_int_equal(clm_store_write_version(&b, &sp, &id), 0);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	clm_store_close(&a);
	clm_store_close(&b);
	clm_tensor_list_release(&w);
	free(dir);
}

static void stale_lock_of_a_dead_process_is_broken(void **state)
{
	char *dir = make_repo(), path[512];
	struct clm_store s;
	pid_t pid = fork();
	FILE *fp;
	(void)state;

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0); /* `pid` now names no process */
	assert_int_equal(clm_store_open(&s, dir), 0);
	snprintf(path, sizeof(path), "%s/lock", s.dir);
	fp = fopen(path, "w");
	fprintf(fp, "%ld\n", (long)pid);
	fclose(fp);
	s.lock_wait_ms = 0;
	assert_int_equal(clm_store_lock(&s), 0);
	assert_true(s.lock.broke_stale);
	clm_store_unlock(&s);
	assert_int_equal(access(path, F_OK), -1);
	clm_store_close(&s);
	free(dir);
}

static void bad_specs_are_refused(void **state)
{
	char *dir = make_repo();
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_file_list files = { 0 };
	struct clm_version_spec sp;
	git_oid id;
	(void)state;

	assert_int_equal(clm_store_open(&s, dir), 0);
	make_weights(&w, 10, 0.0f);
	spec_init(&sp, &w, "two\nlines");
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_EINVALID);
	spec_init(&sp, &w, "ok");
	sp.config_json = "[1]";
	sp.config_len = 3;
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_EINVALID);
	spec_init(&sp, &w, "ok");
	assert_int_equal(clm_file_list_add(&files, "../escape", "x", 1), 0);
	sp.files = &files;
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_EINVALID);
	clm_file_list_release(&files);
	assert_int_equal(clm_file_list_add(&files, "tasks/a", "x", 1), 0);
	assert_int_equal(clm_file_list_add(&files, "tasks/a/b", "x", 1), 0);
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "both a file and a directory"));
	spec_init(&sp, &w, "ok");
	sp.source = "no-such-commit";
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_ENOTFOUND);
	spec_init(&sp, &w, "ok");
	sp.model = "bad/name";
	assert_int_equal(clm_store_write_version(&s, &sp, &id), CLM_EINVALID);
	assert_int_equal(clm_store_head(&s, NULL, &id), CLM_ENOTFOUND);
	clm_file_list_release(&files);
	clm_tensor_list_release(&w);
	clm_store_close(&s);
	free(dir);
}

/* Run the built binary in `dir` and return its stdout (caller frees). */
static char *run_cli(const char *dir, const char *args)
{
	char cmd[1024], buf[4096];
	struct clm_strbuf out = CLM_STRBUF_INIT;
	FILE *fp;
	size_t n;

	snprintf(cmd, sizeof(cmd), "\"%s\" -C %s %s", getenv("CLM_BIN"), dir, args);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		clm_strbuf_add(&out, buf, n);
	assert_int_equal(pclose(fp), 0);
	return clm_strbuf_detach(&out, NULL);
}

static void show_and_log_report_tasks_and_scores(void **state)
{
	static const char matrix[] = "{\"metric\":\"bleu\",\"tasks\":[\"pypi/x/1..2\",\"npm/y/3..4\"],"
				     "\"R\":[[0.5,null],[0.4,0.7]],\"summary\":{\"average\":0.55,\"forgetting\":0.1}}";
	char *dir = make_repo(), *text;
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_file_list files = { 0 };
	struct clm_version_spec sp;
	struct clm_version_info *items;
	size_t n;
	git_oid v0, v1;
	json_t *d, *task;
	(void)state;

	assert_int_equal(clm_store_open(&s, dir), 0);
	make_weights(&w, 1000, 1.0f);
	spec_init(&sp, &w, "Base");
	assert_int_equal(clm_store_write_version(&s, &sp, &v0), 0);
	clm_tensor_list_release(&w);
	make_weights(&w, 1000, 5.0f);
	assert_int_equal(clm_file_list_add(&files, "tasks/pypi/x/1..2/task.json", "{\"counts\":{\"train\":3}}", 22), 0);
	assert_int_equal(clm_file_list_add(&files, "tasks/pypi/x/1..2/train.jsonl", "{}\n{}\n{}\n", 9), 0);
	assert_int_equal(clm_file_list_add(&files, "eval/matrix.json", matrix, strlen(matrix)), 0);
	assert_int_equal(clm_file_list_add(&files, "cl/strategy.json", "{}", 2), 0);
	spec_init(&sp, &w, "Learn x");
	sp.files = &files;
	sp.task = "pypi/x/1..2";
	assert_int_equal(clm_store_write_version(&s, &sp, &v1), 0);

	assert_int_equal(clm_store_show(&s, &v1, &d), 0);
	task = json_array_get(json_object_get(d, "tasks"), 0);
	assert_string_equal(json_string_value(json_object_get(task, "id")), "pypi/x/1..2");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(task, "files"), "train.jsonl")), 9);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "weights"), "new_bytes")), 32);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "weights"), "new_tensors")), 1);
	assert_true(json_is_object(json_object_get(d, "matrix")));
	assert_int_equal(json_array_size(json_object_get(d, "files")), 2); /* cl/strategy.json, eval/matrix.json */
	json_decref(d);

	assert_int_equal(clm_store_list(&s, &v1, 0, &items, &n), 0);
	assert_int_equal(n, 2);
	assert_true(items[0].has_scores);
	assert_true(items[0].average > 0.549 && items[0].average < 0.551);
	assert_true(items[0].forgetting > 0.099 && items[0].forgetting < 0.101);
	assert_false(items[1].has_scores);
	clm_version_infos_free(items, n);
	clm_store_close(&s);

	text = run_cli(dir, "show");
	assert_non_null(strstr(text, "pypi/x/1..2  task.json=22  train.jsonl=9"));
	assert_non_null(strstr(text, "accuracy matrix R[i][j] = bleu"));
	assert_non_null(strstr(text, " 0.4000  0.7000"));
	free(text);
	text = run_cli(dir, "log");
	assert_non_null(strstr(text, "task=pypi/x/1..2  avg=0.5500  forgetting=0.1000"));
	free(text);
	clm_file_list_release(&files);
	clm_tensor_list_release(&w);
	free(dir);
}

/* CPU seconds to write a first version of `n` one-value tensors into a fresh repository (all the
 * same value, so one blob: the time is the bookkeeping per tensor, not zlib). */
static double write_many(size_t n)
{
	char *dir = make_repo(), name[64];
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_version_spec sp;
	int64_t one = 1;
	git_oid v;
	clock_t start;

	for (size_t i = 0; i < n; i++) {
		float x = 1.0f;
		snprintf(name, sizeof(name), "h.%zu.attn.c_attn.weight", i);
		assert_int_equal(clm_tensor_list_add(&w, name, CLM_DTYPE_F32, 1, &one, &x, sizeof(x)), 0);
	}
	assert_int_equal(clm_store_open(&s, dir), 0);
	spec_init(&sp, &w, "Many tensors");
	sp.expect_head = "";
	start = clock();
	assert_int_equal(clm_store_write_version(&s, &sp, &v), 0);
	double t = (double)(clock() - start) / CLOCKS_PER_SEC;
	clm_store_close(&s);
	clm_tensor_list_release(&w);
	free(dir);
	return t;
}

/* init --base and import were quadratic in the tensor count (10k: 0.7 s, 40k: 7.2 s): a linear
 * search of the planned paths and a pairwise duplicate check. Four times the tensors must cost
 * well under sixteen times the time, measured against 5k in the same run. */
static void writing_is_linear_in_tensors(void **state)
{
	double t5, t20;
	(void)state;

	t5 = write_many(5000);
	t20 = write_many(20000);
	print_message("# writing a version: 5k tensors %.2f s, 20k tensors %.2f s CPU\n", t5, t20);
	assert_true(t20 < 8 * t5 + 0.2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(version_round_trip_and_blob_reuse),
		cmocka_unit_test(bad_specs_are_refused),
		cmocka_unit_test(writing_is_linear_in_tensors),
		cmocka_unit_test(show_and_log_report_tasks_and_scores),
		cmocka_unit_test(second_writer_fails_clearly_or_waits),
		cmocka_unit_test(stale_lock_of_a_dead_process_is_broken),
		cmocka_unit_test(kill_at_any_point_leaves_old_head_or_new_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
