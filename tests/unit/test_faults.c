/* Faults around model-store writes: the disk filling up and a read-only .git during a version
 * write (a small tmpfs and a read-only bind mount; skipped where this process may not mount),
 * concurrent writers, and hostile model files (NaN/Inf weights in safetensors and in the store's
 * blobs, huge declared shapes, offsets past the end). Kill -9 loops live in test_store.c. */
#include "test_helpers.h"
#include "store/store.h"
#include "io/safetensors.h"
#include "util/error.h"

#include <errno.h>
#include <math.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static const char config[] = "{\"model_type\":\"gpt2\",\"n_layer\":1}";
static const char tokenizer[] = "{\"model\":{\"type\":\"BPE\"}}";

static void run(const char *fmt, const char *dir)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, dir, dir);
	assert_int_equal(system(cmd), 0);
}

/* A repository with one code commit in `dir` (created). */
static void make_repo(const char *dir)
{
	run("mkdir -p %s && cd %s && git init -q && echo a > a.txt && git add a.txt && "
	    "GIT_AUTHOR_DATE='1700000000 +0000' GIT_COMMITTER_DATE='1700000000 +0000' git commit -qm base", dir);
}

/* One tensor of `n` pseudo-random floats (zlib cannot shrink them) from `seed`. */
static void random_weights(struct clm_tensor_list *l, size_t n, uint32_t seed)
{
	float *buf = malloc(n * sizeof(float));
	uint32_t x = seed * 2654435761u + 1;
	int64_t shape = (int64_t)n;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (float)(x % 2000000) / 1000.0f - 1000.0f;
	}
	assert_int_equal(clm_tensor_list_add(l, "h.0.mlp.c_fc.weight", CLM_DTYPE_F32, 1, &shape, buf, n * 4), 0);
	free(buf);
}

/* Write a version of `n` random floats on top of the head of `dir`; returns the store's code. */
static int write_version(const char *dir, size_t n, uint32_t seed, const char *summary, git_oid *out)
{
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_version_spec sp;
	int rc = clm_store_open(&s, dir);

	if (rc < 0)
		return rc;
	s.lock_wait_ms = 60000;
	random_weights(&w, n, seed);
	memset(&sp, 0, sizeof(sp));
	sp.config_json = config;
	sp.config_len = strlen(config);
	sp.tokenizer_json = tokenizer;
	sp.tokenizer_len = strlen(tokenizer);
	sp.weights = &w;
	sp.summary = summary;
	sp.source = "HEAD";
	rc = clm_store_write_version(&s, &sp, out);
	clm_tensor_list_release(&w);
	clm_store_close(&s);
	return rc;
}

static void head_of(const char *dir, git_oid *out)
{
	struct clm_store s;

	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(clm_store_head(&s, NULL, out), 0);
	clm_store_close(&s);
}

static void fsck_clean(const char *dir)
{
	run("cd %s && git fsck --no-progress --no-dangling >/dev/null 2>&1", dir);
}

/* The scratch folder and mount point of one test; the teardown unmounts even after a failed
 * assert. Paths are relative to the test's working directory. */
struct mount_state {
	char base[64];
	char mnt[128];
	int mounted;
};

static int unmount_teardown(void **state)
{
	struct mount_state *m = *state;

	if (m && m->mounted)
		umount2(m->mnt, MNT_DETACH);
	free(m);
	return 0;
}

static int mount_setup(void **state)
{
	struct mount_state *m = calloc(1, sizeof(*m));
	char *dir = clm_test_tmpdir();

	if (!m || !dir || strlen(dir) >= sizeof(m->base))
		return -1;
	strcpy(m->base, dir);
	free(dir);
	*state = m;
	return 0;
}

static void disk_full_during_a_version_write_keeps_the_old_head(void **state)
{
	struct mount_state *m = *state;
	char repo[160], filler[160];
	git_oid v1, v2, head;
	int failed = 0, rc;

	snprintf(m->mnt, sizeof(m->mnt), "%s/mnt", m->base);
	run("mkdir -p %s", m->mnt);
	if (mount("tmpfs", m->mnt, "tmpfs", 0, "size=4m") < 0) {
		print_message("# cannot mount a tmpfs here (%s): disk-full test skipped\n", strerror(errno));
		skip();
	}
	m->mounted = 1;
	snprintf(repo, sizeof(repo), "%s/repo", m->mnt);
	snprintf(filler, sizeof(filler), "%s/filler", m->mnt);
	make_repo(repo);
	assert_int_equal(write_version(repo, 16 << 10, 1, "First", &v1), 0);
	/* Fill the file system, then give back `gap` bytes, so the write runs out of space at every
	 * stage in turn: lock, weight blob, index, trees, commit, reference, note. */
	for (long gap = 0; gap <= 480 << 10; gap += 24 << 10) {
		char cmd[512];
		struct clm_store s;
		struct clm_version v;
		snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s bs=4k 2>/dev/null; truncate -s -%ld %s", filler,
			 gap, filler);
		assert_int_equal(system(cmd) == -1, 0);
		rc = write_version(repo, 64 << 10, (uint32_t)gap, "Next", &v2);
		unlink(filler);
		head_of(repo, &head);
		if (rc < 0) {
			failed++;
			print_message("# %ld KiB free: %s\n", gap >> 10, clm_error());
			assert_non_null(strstr(clm_error(), "No space left on device"));
			assert_true(git_oid_equal(&head, &v1));
		} else {
			/* it fitted: a complete version on top of the old head */
			assert_true(git_oid_equal(&head, &v2));
			assert_int_equal(clm_store_open(&s, repo), 0);
			assert_int_equal(clm_store_read_version(&s, &head, CLM_READ_WEIGHTS, &v), 0);
			assert_int_equal(git_oid_fromstr(&head, v.parent), 0);
			assert_true(git_oid_equal(&head, &v1));
			clm_version_release(&v);
			clm_store_close(&s);
			v1 = v2;
		}
		fsck_clean(repo);
	}
	print_message("# %d of 21 writes ran out of space\n", failed);
	assert_true(failed > 0);
	/* with room again a write succeeds: no lock or half-written state was left behind */
	assert_int_equal(write_version(repo, 256 << 10, 2, "Second", &v2), 0);
	head_of(repo, &head);
	assert_true(git_oid_equal(&head, &v2));
	fsck_clean(repo);
}

static void read_only_git_refuses_the_write_clearly(void **state)
{
	struct mount_state *m = *state;
	char repo[160];
	git_oid v1, v2, head;
	struct clm_store s;
	struct clm_version v;

	snprintf(repo, sizeof(repo), "%s/repo", m->base);
	snprintf(m->mnt, sizeof(m->mnt), "%s/repo/.git", m->base);
	make_repo(repo);
	assert_int_equal(write_version(repo, 4096, 1, "First", &v1), 0);
	if (mount(m->mnt, m->mnt, NULL, MS_BIND, NULL) < 0) {
		print_message("# cannot bind-mount here (%s): read-only test skipped\n", strerror(errno));
		skip();
	}
	m->mounted = 1;
	if (mount(NULL, m->mnt, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		print_message("# cannot remount read-only (%s): read-only test skipped\n", strerror(errno));
		skip();
	}
	assert_true(write_version(repo, 4096, 2, "Second", &v2) < 0);
	print_message("# read-only .git: %s\n", clm_error());
	assert_non_null(strstr(clm_error(), "Read-only file system"));
	/* reading still works on a read-only repository */
	assert_int_equal(clm_store_open(&s, repo), 0);
	assert_int_equal(clm_store_head(&s, NULL, &head), 0);
	assert_true(git_oid_equal(&head, &v1));
	assert_int_equal(clm_store_read_version(&s, &head, CLM_READ_WEIGHTS, &v), 0);
	clm_version_release(&v);
	clm_store_close(&s);
	assert_int_equal(umount2(m->mnt, MNT_DETACH), 0);
	m->mounted = 0;
	fsck_clean(repo);
	assert_int_equal(write_version(repo, 4096, 2, "Second", &v2), 0);
}

static void concurrent_writers_are_serialized_and_nothing_is_lost(void **state)
{
	enum { WRITERS = 4, EACH = 3 };
	char *dir = clm_test_tmpdir(), cmd[512];
	git_oid id;
	struct clm_store s;
	struct clm_version v;
	int status, found[WRITERS][EACH] = { { 0 } }, chain = 0;
	(void)state;

	make_repo(dir);
	assert_int_equal(write_version(dir, 1024, 1, "Base", &id), 0);
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			for (int k = 0; k < EACH; k++) {
				char summary[64];
				snprintf(summary, sizeof(summary), "writer %d version %d", w, k);
				if (write_version(dir, 32 << 10, (uint32_t)(10 * w + k + 2), summary, &id) < 0) {
					fprintf(stderr, "writer %d: %s\n", w, clm_error());
					_exit(1);
				}
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		assert_true(wait(&status) > 0);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* the first-parent chain from the head holds every version exactly once */
	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(clm_store_head(&s, NULL, &id), 0);
	for (;;) {
		int w, k;
		assert_int_equal(clm_store_read_version(&s, &id, 0, &v), 0);
		chain++;
		if (sscanf(v.summary, "writer %d version %d", &w, &k) == 2) {
			assert_true(w >= 0 && w < WRITERS && k >= 0 && k < EACH);
			found[w][k]++;
		}
		if (!v.parent[0]) {
			clm_version_release(&v);
			break;
		}
		assert_int_equal(git_oid_fromstr(&id, v.parent), 0);
		clm_version_release(&v);
	}
	clm_store_close(&s);
	assert_int_equal(chain, 1 + WRITERS * EACH);
	for (int w = 0; w < WRITERS; w++)
		for (int k = 0; k < EACH; k++)
			assert_int_equal(found[w][k], 1);
	/* and every version's note line is on the code commit */
	snprintf(cmd, sizeof(cmd), "cd %s && test \"$(git notes --ref=clmodel show HEAD | grep -c '\"kind\":\"model\"')\" -eq %d",
		 dir, 1 + WRITERS * EACH);
	assert_int_equal(system(cmd), 0);
	fsck_clean(dir);
	free(dir);
}

/* A safetensors file with one F32 tensor of `n` values written raw; returns the path's length. */
static void write_safetensors(const char *path, const char *header, const void *data, size_t len)
{
	FILE *fp = fopen(path, "wb");
	size_t hlen = strlen(header);
	unsigned char lenbuf[8];

	assert_non_null(fp);
	for (int i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char)(hlen >> (8 * i));
	assert_int_equal(fwrite(lenbuf, 1, 8, fp), 8);
	assert_int_equal(fwrite(header, 1, hlen, fp), hlen);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void hostile_safetensors_are_refused(void **state)
{
	struct clm_tensor_list l = { 0 };
	float values[4] = { 1.0f, 2.0f, NAN, 4.0f };
	unsigned char half_inf[4] = { 0x00, 0x3c, 0x00, 0x7c }; /* 1.0, +Inf */
	(void)state;

	write_safetensors("nan.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
			  values, sizeof(values));
	assert_int_equal(clm_safetensors_read("nan.safetensors", 0, &l, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 'w' holds NaN or infinity (element 2)"));
	values[2] = -INFINITY;
	write_safetensors("inf.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
			  values, sizeof(values));
	assert_int_equal(clm_safetensors_read("inf.safetensors", CLM_SAFETENSORS_TO_F32, &l, NULL), CLM_EINVALID);
	write_safetensors("half.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
			  half_inf, sizeof(half_inf));
	assert_int_equal(clm_safetensors_read("half.safetensors", CLM_SAFETENSORS_TO_F32, &l, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 'h' holds NaN or infinity (element 1)"));
	/* declared shapes of 2^62 elements and offsets past the end: refused, nothing allocated */
	write_safetensors("huge.safetensors",
			  "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,1073741824],\"data_offsets\":[0,16]}}",
			  values, sizeof(values));
	assert_int_equal(clm_safetensors_read("huge.safetensors", 0, &l, NULL), CLM_EINVALID);
	write_safetensors("past.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}",
			  values, sizeof(values));
	assert_int_equal(clm_safetensors_read("past.safetensors", 0, &l, NULL), CLM_EINVALID);
	assert_int_equal(l.n, 0);
	values[2] = 3.0f;
	write_safetensors("ok.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
			  values, sizeof(values));
	assert_int_equal(clm_safetensors_read("ok.safetensors", 0, &l, NULL), 0);
	clm_tensor_list_release(&l);
}

/* A version whose weight blob holds a NaN (a diverged run, or a hand-made blob) is refused on
 * loading, naming the tensor; its index and config still read. */
static void nan_weights_in_the_store_are_refused_on_load(void **state)
{
	char *dir = clm_test_tmpdir();
	struct clm_store s;
	struct clm_tensor_list w = { 0 };
	struct clm_version_spec sp;
	struct clm_version v;
	float vals[3] = { 0.5f, INFINITY, 1.0f };
	int64_t shape = 3;
	git_oid id;
	(void)state;

	make_repo(dir);
	assert_int_equal(clm_tensor_list_add(&w, "wpe.weight", CLM_DTYPE_F32, 1, &shape, vals, sizeof(vals)), 0);
	memset(&sp, 0, sizeof(sp));
	sp.config_json = config;
	sp.config_len = strlen(config);
	sp.tokenizer_json = tokenizer;
	sp.tokenizer_len = strlen(tokenizer);
	sp.weights = &w;
	sp.summary = "Diverged";
	assert_int_equal(clm_store_open(&s, dir), 0);
	assert_int_equal(clm_store_write_version(&s, &sp, &id), 0);
	assert_int_equal(clm_store_read_version(&s, &id, CLM_READ_WEIGHTS, &v), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 'wpe.weight' holds NaN or infinity (element 1)"));
	assert_int_equal(clm_store_read_version(&s, &id, 0, &v), 0);
	clm_version_release(&v);
	clm_store_close(&s);
	clm_tensor_list_release(&w);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(disk_full_during_a_version_write_keeps_the_old_head, mount_setup,
						unmount_teardown),
		cmocka_unit_test_setup_teardown(read_only_git_refuses_the_write_clearly, mount_setup, unmount_teardown),
		cmocka_unit_test(concurrent_writers_are_serialized_and_nothing_is_lost),
		cmocka_unit_test(hostile_safetensors_are_refused),
		cmocka_unit_test(nan_weights_in_the_store_are_refused_on_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
