/* libcore/remote/objstore: pointer files, the verified cache, and transfers against a real nginx
 * WebDAV server on 127.0.0.1 (tests/objstore/dav-server.sh; skipped when nginx cannot start). */
#include "test_helpers.h"
#include "remote/objstore.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/sha256.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- pointer files ---- */

static void pointer_round_trip(void **state)
{
	struct clm_obj_ref ref = { "", 123456789 }, back;
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	(void)state;
	clm_sha256_hex("abc", 3, ref.sha256);
	assert_int_equal(clm_obj_pointer_format(&ref, &sb), 0);
	assert_string_equal(sb.buf, "clmodel-object v1\nsha256 "
				    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nsize 123456789\n");
	assert_int_equal(clm_obj_pointer_parse(sb.buf, sb.len, &back), 0);
	assert_string_equal(back.sha256, ref.sha256);
	assert_int_equal(back.size, ref.size);
	assert_int_equal(clm_obj_pointer_parse("\x01\x02\x03\x04", 4, &back), CLM_ENOTFOUND);
	assert_int_equal(clm_obj_pointer_parse("", 0, &back), CLM_ENOTFOUND);
	clm_strbuf_release(&sb);
}

static void pointer_refuses_malformed(void **state)
{
	const char *h = "clmodel-object v1\n", *sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	char bad[8][256];
	struct clm_obj_ref r;
	(void)state;
	snprintf(bad[0], 256, "%ssha256 %.63s\nsize 1\n", h, sha);
	snprintf(bad[1], 256, "%ssha256 %sX\nsize 1\n", h, sha);
	snprintf(bad[2], 256, "%ssha256 %s\nsize \n", h, sha);
	snprintf(bad[3], 256, "%ssha256 %s\nsize 01\n", h, sha);
	snprintf(bad[4], 256, "%ssha256 %s\nsize 99999999999999999999999\n", h, sha);
	snprintf(bad[5], 256, "%ssha256 %s\nsize 5\nextra\n", h, sha);
	snprintf(bad[6], 256, "%sSHA256 %s\nsize 5\n", h, sha);
	snprintf(bad[7], 256, "%ssha256 %s\nsize 5", h, sha);
	for (int i = 0; i < 8; i++) {
		/* an exact-size heap copy, so ASan sees any read past the end */
		size_t len = strlen(bad[i]);
		char *copy = malloc(len);
		memcpy(copy, bad[i], len);
		if (clm_obj_pointer_parse(copy, len, &r) != CLM_EINVALID)
			fail_msg("pointer %d accepted", i);
		free(copy);
	}
}

/* ---- the cache ---- */

static void cache_verifies_and_removes_corruption(void **state)
{
	struct clm_objstore os = { "http://unused", "cache", 0, 0, { 0 } };
	struct clm_obj_ref ref;
	char path[128];
	void *data;
	FILE *fp;
	(void)state;
	assert_int_equal(clm_objstore_cache_put(&os, "weights!", 8, &ref), 0);
	assert_int_equal(ref.size, 8);
	assert_int_equal(clm_objstore_cache_read(&os, &ref, &data), 0);
	assert_memory_equal(data, "weights!", 8);
	free(data);
	snprintf(path, sizeof(path), "cache/%s", ref.sha256);
	fp = fopen(path, "r+");
	fputc('W', fp);
	fclose(fp);
	assert_int_equal(clm_objstore_cache_read(&os, &ref, &data), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "fails its sha256 check"));
	assert_false(clm_path_exists(path));
	assert_int_equal(clm_objstore_cache_read(&os, &ref, &data), CLM_ENOTFOUND);
}

/* ---- against nginx ---- */

struct dav {
	char dir[256];
	char url[128];
};

static int dav_start(struct dav *d)
{
	char cmd[1024], *tmp = clm_test_tmpdir();
	const char *top = getenv("CLM_TOP");
	FILE *p;
	int ok;

	snprintf(d->dir, sizeof(d->dir), "%s/%s/dav", getcwd(cmd, sizeof(cmd)), tmp);
	free(tmp);
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/objstore/dav-server.sh' start '%s'", top ? top : ".", d->dir);
	p = popen(cmd, "r");
	ok = p && fgets(d->url, sizeof(d->url), p) && !strncmp(d->url, "http://", 7);
	if (p)
		pclose(p);
	d->url[strcspn(d->url, "\n")] = '\0';
	return ok ? 0 : -1;
}

static void dav_stop(struct dav *d)
{
	char cmd[1024];
	const char *top = getenv("CLM_TOP");
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/objstore/dav-server.sh' stop '%s'", top ? top : ".", d->dir);
	if (system(cmd) != 0)
		print_message("# could not stop nginx\n");
}

/* One server for all tests, stopped by the group teardown even when a test fails. */
static struct dav group_dav;
static int have_dav;

static int start_group(void **state)
{
	(void)state;
	have_dav = dav_start(&group_dav) == 0;
	return 0;
}

static int stop_group(void **state)
{
	(void)state;
	if (have_dav)
		dav_stop(&group_dav);
	return 0;
}

/* The group's server, or skip the calling test with a message when nginx cannot start. */
static void need_dav(struct dav *d)
{
	if (!have_dav) {
		print_message("# nginx cannot start here: object store test skipped\n");
		skip();
	}
	*d = group_dav;
}

static void fast_store(struct clm_objstore *os, const char *url, const char *cache)
{
	memset(os, 0, sizeof(*os));
	os->url = url;
	os->cache_dir = cache;
	os->parallel = 3;
	clm_http_options_default(&os->http);
	os->http.connect_timeout_ms = 2000;
	os->http.timeout_ms = 20000;
	os->http.backoff_ms = 10;
	os->http.backoff_max_ms = 50;
}

/* `n` bytes of a pattern that depends on `seed`, cached as an object. */
static void make_object(struct clm_objstore *os, size_t n, unsigned seed, struct clm_obj_ref *ref)
{
	unsigned char *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)((i * 2654435761u + seed) >> 13);
	assert_int_equal(clm_objstore_cache_put(os, b, n, ref), 0);
	free(b);
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void upload_then_fetch_several_at_once(void **state)
{
	struct dav d;
	struct clm_objstore up, down;
	struct clm_obj_ref refs[5];
	struct clm_objstore_stats st;
	void *data;
	(void)state;
	need_dav(&d);
	fast_store(&up, d.url, "up-cache");
	for (int i = 0; i < 5; i++)
		make_object(&up, (size_t)(1 + i * 300000), (unsigned)i, &refs[i]);
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_upload(&up, refs, 5, &st), 0);
	assert_int_equal(st.uploaded, 5);
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_upload(&up, refs, 5, &st), 0); /* nothing moves twice */
	assert_int_equal(st.uploaded, 0);
	assert_int_equal(st.present, 5);

	fast_store(&down, d.url, "down-cache");
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_fetch(&down, refs, 5, &st), 0);
	assert_int_equal(st.downloaded, 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(clm_objstore_cache_read(&down, &refs[i], &data), 0);
		free(data);
	}
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_fetch(&down, refs, 5, &st), 0);
	assert_int_equal(st.present, 5);
	assert_int_equal(st.downloaded, 0);
}

static void corrupted_object_on_the_server_is_refused(void **state)
{
	struct dav d;
	struct clm_objstore os;
	struct clm_obj_ref ref;
	char path[512];
	FILE *fp;
	(void)state;
	need_dav(&d);
	fast_store(&os, d.url, "c-cache");
	make_object(&os, 100000, 7, &ref);
	assert_int_equal(clm_objstore_upload(&os, &ref, 1, NULL), 0);
	snprintf(path, sizeof(path), "%s/data/%s", d.dir, ref.sha256);
	fp = fopen(path, "r+"); /* flip one byte on the server, size unchanged */
	assert_non_null(fp);
	fseek(fp, 5000, SEEK_SET);
	fputc('!', fp);
	fclose(fp);
	fast_store(&os, d.url, "c-cache2");
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, NULL), CLM_EIO);
	assert_non_null(strstr(clm_error(), "sha256"));
	assert_non_null(strstr(clm_error(), d.url));
	snprintf(path, sizeof(path), "c-cache2/%s", ref.sha256);
	assert_false(clm_path_exists(path));
	snprintf(path, sizeof(path), "c-cache2/%s.part", ref.sha256);
	assert_false(clm_path_exists(path));
}

static void interrupted_download_resumes(void **state)
{
	struct dav d;
	struct clm_objstore os;
	struct clm_obj_ref ref;
	struct clm_objstore_stats st;
	char slow[160], part[256];
	long have;
	void *data;
	(void)state;
	need_dav(&d);
	fast_store(&os, d.url, "r-up");
	make_object(&os, 2u << 20, 3, &ref);
	assert_int_equal(clm_objstore_upload(&os, &ref, 1, NULL), 0);

	snprintf(slow, sizeof(slow), "%s/slow", d.url);
	fast_store(&os, slow, "r-down");
	os.http.timeout_ms = 700; /* at 256 KB/s, about a tenth of the object arrives */
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, NULL), CLM_EIO);
	assert_non_null(strstr(clm_error(), "timeout"));
	snprintf(part, sizeof(part), "r-down/%s.part", ref.sha256);
	have = file_size(part);
	assert_true(have > 0 && have < (2l << 20));

	fast_store(&os, d.url, "r-down");
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, &st), 0);
	assert_int_equal(st.resumed, 1);
	assert_int_equal(st.bytes_down, (2u << 20) - (unsigned long)have);
	assert_false(clm_path_exists(part));
	assert_int_equal(clm_objstore_cache_read(&os, &ref, &data), 0);
	free(data);
}

static void interrupted_upload_leaves_nothing_usable(void **state)
{
	struct dav d;
	struct clm_objstore os;
	struct clm_obj_ref ref;
	struct clm_objstore_stats st;
	char path[512];
	void *data;
	(void)state;
	need_dav(&d);
	fast_store(&os, d.url, "u-cache");
	make_object(&os, 2u << 20, 11, &ref);
	os.max_send_speed = 256 * 1024;
	os.http.timeout_ms = 500;
	assert_int_equal(clm_objstore_upload(&os, &ref, 1, NULL), CLM_EIO);
	assert_non_null(strstr(clm_error(), "timeout"));
	snprintf(path, sizeof(path), "%s/data/%s", d.dir, ref.sha256);
	assert_true(file_size(path) != (long)ref.size); /* nginx keeps no half object */

	fast_store(&os, d.url, "u-cache");
	memset(&st, 0, sizeof(st));
	assert_int_equal(clm_objstore_upload(&os, &ref, 1, &st), 0);
	assert_int_equal(st.uploaded, 1);
	fast_store(&os, d.url, "u-cache2");
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, NULL), 0);
	assert_int_equal(clm_objstore_cache_read(&os, &ref, &data), 0);
	free(data);
}

static void missing_objects_and_servers_are_named(void **state)
{
	struct dav d;
	struct clm_objstore os;
	struct clm_obj_ref ref = { "", 10 };
	char part[128];
	(void)state;
	memset(ref.sha256, 'a', 64);
	need_dav(&d);
	fast_store(&os, d.url, "m-cache");
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, NULL), CLM_EIO);
	assert_non_null(strstr(clm_error(), "HTTP 404"));
	assert_non_null(strstr(clm_error(), "/aaaaaaaa"));
	snprintf(part, sizeof(part), "m-cache/%s.part", ref.sha256);
	assert_false(clm_path_exists(part)); /* no empty partial file left behind */
	assert_int_equal(clm_objstore_upload(&os, &ref, 1, NULL), CLM_EINVALID); /* not cached */
	fast_store(&os, "http://127.0.0.1:1/store", "m-cache");
	os.http.max_retries = 0;
	assert_int_equal(clm_objstore_fetch(&os, &ref, 1, NULL), CLM_EIO);
	assert_non_null(strstr(clm_error(), "http://127.0.0.1:1/store/aaaa"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pointer_round_trip),
		cmocka_unit_test(pointer_refuses_malformed),
		cmocka_unit_test(cache_verifies_and_removes_corruption),
		cmocka_unit_test(upload_then_fetch_several_at_once),
		cmocka_unit_test(corrupted_object_on_the_server_is_refused),
		cmocka_unit_test(interrupted_download_resumes),
		cmocka_unit_test(interrupted_upload_leaves_nothing_usable),
		cmocka_unit_test(missing_objects_and_servers_are_named),
	};
	return cmocka_run_group_tests(tests, start_group, stop_group);
}
