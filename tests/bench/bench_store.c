/* Model store benchmark: write a version (all tensors new), write one changing a single tensor,
 * read back with checksum verification. Baselines measured in the same run: SHA-256 over the
 * same bytes, and git storing the whole model as one blob. Prints numbers; asserts nothing. */
#include "store/store.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_TENSORS 12
#define TENSOR_FLOATS (1024 * 1024)

struct odb_sum {
	git_odb *odb;
	size_t bytes;
};

static int add_size(const git_oid *id, void *payload)
{
	struct odb_sum *s = payload;
	size_t len;
	git_object_t type;

	if (git_odb_read_header(&len, &type, s->odb, id) == 0)
		s->bytes += len;
	return 0;
}

static size_t odb_bytes(git_repository *repo)
{
	struct odb_sum s = { NULL, 0 };

	if (git_repository_odb(&s.odb, repo) == 0) {
		git_odb_foreach(s.odb, add_size, &s);
		git_odb_free(s.odb);
	}
	return s.bytes;
}

/* Incompressible values, like trained weights. */
static void fill(uint32_t *buf, size_t n, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

static int make_weights(struct clm_tensor_list *l, uint32_t changed_seed)
{
	uint32_t *buf = malloc(TENSOR_FLOATS * 4);
	int64_t shape[2] = { 1024, 1024 };
	char name[64];
	int rc = 0;

	if (!buf)
		return -1;
	for (int t = 0; t < N_TENSORS && rc == 0; t++) {
		fill(buf, TENSOR_FLOATS, t == 0 ? changed_seed : (uint32_t)t + 1000);
		snprintf(name, sizeof(name), "h.%d.attn.c_attn.weight", t);
		rc = clm_tensor_list_add(l, name, CLM_DTYPE_F32, 2, shape, buf, TENSOR_FLOATS * 4);
	}
	free(buf);
	return rc;
}

static int write_version(struct clm_store *s, const struct clm_tensor_list *w, const char *summary, git_oid *out)
{
	static const char config[] = "{\"model_type\":\"gpt2\"}", tok[] = "{}";
	struct clm_version_spec sp;

	memset(&sp, 0, sizeof(sp));
	sp.config_json = config;
	sp.config_len = strlen(config);
	sp.tokenizer_json = tok;
	sp.tokenizer_len = strlen(tok);
	sp.weights = w;
	sp.summary = summary;
	return clm_store_write_version(s, &sp, out);
}

int main(void)
{
	char dir[] = "/tmp/clm-bench-store-XXXXXX", cmd[256];
	struct clm_tensor_list w0 = { 0 }, w1 = { 0 };
	struct clm_store s;
	struct clm_version v;
	double mb = (double)N_TENSORS * TENSOR_FLOATS * 4 / 1e6, t, sha_s, blob_s, w0_s, w1_s, read_s;
	size_t before, new1;
	git_oid id0, id1, blob;
	unsigned char digest[32];
	int rc = 1;

	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd), "git init -q %s", dir);
	if (system(cmd) != 0 || make_weights(&w0, 1) < 0 || make_weights(&w1, 2) < 0 || clm_store_open(&s, dir) < 0) {
		fprintf(stderr, "bench_store: setup failed: %s\n", clm_error());
		return 1;
	}
	t = clm_now();
	for (size_t i = 0; i < w0.n; i++) {
		struct clm_sha256 c;
		clm_sha256_init(&c);
		clm_sha256_update(&c, w0.items[i].data, w0.items[i].nbytes);
		clm_sha256_final(&c, digest);
	}
	sha_s = clm_now() - t;
	{
		/* Baseline: the same bytes as one blob, which is what git itself does with a file. */
		char *all = malloc(N_TENSORS * (size_t)TENSOR_FLOATS * 4);
		uint32_t *fresh = malloc(TENSOR_FLOATS * 4);
		for (size_t i = 0; all && fresh && i < w0.n; i++) {
			fill(fresh, TENSOR_FLOATS, (uint32_t)i + 5000); /* different bytes: a fresh blob */
			memcpy(all + i * TENSOR_FLOATS * 4, fresh, TENSOR_FLOATS * 4);
		}
		t = clm_now();
		git_blob_create_from_buffer(&blob, s.repo, all, N_TENSORS * (size_t)TENSOR_FLOATS * 4);
		blob_s = clm_now() - t;
		free(all);
		free(fresh);
	}
	t = clm_now();
	if (write_version(&s, &w0, "v0", &id0) < 0)
		goto fail;
	w0_s = clm_now() - t;
	before = odb_bytes(s.repo);
	t = clm_now();
	if (write_version(&s, &w1, "v1: one tensor changed", &id1) < 0)
		goto fail;
	w1_s = clm_now() - t;
	new1 = odb_bytes(s.repo) - before;
	t = clm_now();
	if (clm_store_read_version(&s, &id1, CLM_READ_WEIGHTS, &v) < 0)
		goto fail;
	read_s = clm_now() - t;
	clm_version_release(&v);

	printf("config: %d tensors of %d f32 (%.1f MB), incompressible values; one changed in v1\n", N_TENSORS,
	       TENSOR_FLOATS, mb);
	printf("%-44s %8.3f s %8.1f MB/s\n", "baseline: sha256 of all tensors", sha_s, mb / sha_s);
	printf("%-44s %8.3f s %8.1f MB/s\n", "baseline: git stores the model as one blob", blob_s, mb / blob_s);
	printf("%-44s %8.3f s %8.1f MB/s\n", "write version, every tensor new", w0_s, mb / w0_s);
	printf("%-44s %8.3f s   new objects %zu bytes (tensor %d)\n", "write version, one tensor changed", w1_s, new1,
	       TENSOR_FLOATS * 4);
	printf("%-44s %8.3f s %8.1f MB/s\n", "read version with checksum verification", read_s, mb / read_s);
	printf("model_mb: %.1f\nsha256_mb_per_s: %.1f\ngit_blob_mb_per_s: %.1f\nwrite_new_mb_per_s: %.1f\n"
	       "write_one_changed_s: %.3f\nwrite_one_changed_new_bytes: %zu\nread_verify_mb_per_s: %.1f\n", mb,
	       mb / sha_s, mb / blob_s, mb / w0_s, w1_s, new1, mb / read_s);
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "bench_store: %s\n", clm_error());
	clm_store_close(&s);
	clm_tensor_list_release(&w0);
	clm_tensor_list_release(&w1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
