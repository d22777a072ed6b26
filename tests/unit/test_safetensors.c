/* libcore/io/safetensors: round trip, metadata, dtype conversion, and malformed files. */
#include "test_helpers.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <unistd.h>

static void fill_list(struct clm_tensor_list *l)
{
	float w[6] = { 1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-30f };
	uint16_t h[3] = { 0x3c00, 0x7bff, 0x0001 };
	int32_t ids[2] = { -7, 123456 };
	int64_t s23[2] = { 2, 3 }, s3 = 3, s2 = 2;
	float scalar = 42.0f;

	assert_int_equal(clm_tensor_list_add(l, "wte.weight", CLM_DTYPE_F32, 2, s23, w, sizeof(w)), 0);
	assert_int_equal(clm_tensor_list_add(l, "half", CLM_DTYPE_F16, 1, &s3, h, sizeof(h)), 0);
	assert_int_equal(clm_tensor_list_add(l, "ids", CLM_DTYPE_I32, 1, &s2, ids, sizeof(ids)), 0);
	assert_int_equal(clm_tensor_list_add(l, "scalar", CLM_DTYPE_F32, 0, NULL, &scalar, 4), 0);
	assert_int_equal(clm_tensor_list_add(l, "empty", CLM_DTYPE_F32, 1, (int64_t[]){ 0 }, NULL, 0), 0);
}

static void write_raw(const char *path, const char *header, size_t hlen, const void *data, size_t dlen)
{
	FILE *fp = fopen(path, "wb");
	unsigned char lenbuf[8];

	for (int i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
	assert_non_null(fp);
	fwrite(lenbuf, 1, 8, fp);
	fwrite(header, 1, hlen, fp);
	if (dlen)
		fwrite(data, 1, dlen, fp);
	fclose(fp);
}

static void round_trip_is_bit_exact(void **state)
{
	struct clm_tensor_list a = { 0 }, b = { 0 };
	struct clm_strbuf f1 = CLM_STRBUF_INIT, f2 = CLM_STRBUF_INIT;
	json_t *meta = json_pack("{ss}", "note", "hello"), *got = NULL;
	(void)state;

	fill_list(&a);
	assert_int_equal(clm_safetensors_write("a.safetensors", &a, meta), 0);
	assert_int_equal(clm_safetensors_read("a.safetensors", 0, &b, &got), 0);
	assert_int_equal(b.n, a.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.items[i].name, b.items[i].name);
		assert_int_equal(a.items[i].dtype, b.items[i].dtype);
		assert_int_equal(a.items[i].ndim, b.items[i].ndim);
		for (int d = 0; d < a.items[i].ndim; d++)
			assert_int_equal(a.items[i].shape[d], b.items[i].shape[d]);
		assert_int_equal(a.items[i].nbytes, b.items[i].nbytes);
		if (a.items[i].nbytes)
			assert_memory_equal(a.items[i].data, b.items[i].data, a.items[i].nbytes);
	}
	assert_string_equal(json_string_value(json_object_get(got, "note")), "hello");
	assert_string_equal(json_string_value(json_object_get(got, "format")), "pt");
	assert_string_equal(json_string_value(json_object_get(got, "clmodel_format")), CLM_SAFETENSORS_FORMAT_VERSION);
	/* Writing what was read gives the same bytes. */
	assert_int_equal(clm_safetensors_write("b.safetensors", &b, got), 0);
	assert_int_equal(clm_read_file("a.safetensors", 0, &f1), 0);
	assert_int_equal(clm_read_file("b.safetensors", 0, &f2), 0);
	assert_int_equal(f1.len, f2.len);
	assert_memory_equal(f1.buf, f2.buf, f1.len);
	/* The data section starts 8-byte aligned. */
	assert_int_equal((f1.buf[0] & 0xff) % 8, 0);
	clm_strbuf_release(&f1);
	clm_strbuf_release(&f2);
	json_decref(meta);
	json_decref(got);
	clm_tensor_list_release(&a);
	clm_tensor_list_release(&b);
}

/* export --out into a shared folder: a symlink planted at the old temporary name
 * (<path>.tmp.<pid>) pointed the write at another file. */
static void write_ignores_a_planted_temporary(void **state)
{
	struct clm_tensor_list a = { 0 };
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char planted[64];
	(void)state;

	fill_list(&a);
	assert_int_equal(clm_write_file_atomic("victim.txt", "precious", 8), 0);
	snprintf(planted, sizeof(planted), "p.safetensors.tmp.%ld", (long)getpid());
	assert_int_equal(symlink("victim.txt", planted), 0);
	assert_int_equal(clm_safetensors_write("p.safetensors", &a, NULL), 0);
	assert_int_equal(clm_read_file("victim.txt", 0, &sb), 0);
	assert_string_equal(sb.buf, "precious");
	unlink(planted);
	clm_strbuf_release(&sb);
	clm_tensor_list_release(&a);
}

static void half_loads_as_f32_on_request(void **state)
{
	struct clm_tensor_list a = { 0 }, b = { 0 };
	const struct clm_named_tensor *t;
	const float *f;
	(void)state;

	fill_list(&a);
	assert_int_equal(clm_safetensors_write("h.safetensors", &a, NULL), 0);
	assert_int_equal(clm_safetensors_read("h.safetensors", CLM_SAFETENSORS_TO_F32, &b, NULL), 0);
	t = clm_tensor_list_find(&b, "half");
	assert_non_null(t);
	assert_int_equal(t->dtype, CLM_DTYPE_F32);
	assert_int_equal(t->nbytes, 12);
	f = t->data;
	assert_true(f[0] == 1.0f && f[1] == 65504.0f);
	assert_int_equal(clm_tensor_list_find(&b, "ids")->dtype, CLM_DTYPE_I32);
	clm_tensor_list_release(&a);
	clm_tensor_list_release(&b);
}

static void bf16_file_from_outside_loads(void **state)
{
	/* A header as another writer might lay it out: keys in any order, no metadata. */
	const char *hdr = "{\"b\":{\"data_offsets\":[4,8],\"shape\":[2],\"dtype\":\"BF16\"},"
			  "\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
	unsigned char data[8] = { 0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x40, 0xc0 };
	struct clm_tensor_list l = { 0 };
	json_t *meta;
	(void)state;

	write_raw("bf.safetensors", hdr, strlen(hdr), data, sizeof(data));
	assert_int_equal(clm_safetensors_read("bf.safetensors", CLM_SAFETENSORS_TO_F32, &l, &meta), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].name, "a"); /* file order */
	assert_true(((float *)l.items[0].data)[1] == -2.0f);
	assert_true(((float *)l.items[1].data)[0] == 1.0f && ((float *)l.items[1].data)[1] == -3.0f);
	assert_int_equal(json_object_size(meta), 0);
	json_decref(meta);
	clm_tensor_list_release(&l);
}

/* A malformed file is refused, the message contains `want`, and the list is untouched. */
static void expect_refused(const char *hdr, size_t dlen, const char *want)
{
	unsigned char data[64] = { 0 };
	struct clm_tensor_list l = { 0 };
	int64_t one = 1;
	float x = 1;

	assert_true(dlen <= sizeof(data));
	assert_int_equal(clm_tensor_list_add(&l, "keep", CLM_DTYPE_F32, 1, &one, &x, 4), 0);
	write_raw("bad.safetensors", hdr, strlen(hdr), data, dlen);
	assert_true(clm_safetensors_read("bad.safetensors", 0, &l, NULL) < 0);
	if (!strstr(clm_error(), want))
		fail_msg("message '%s' lacks '%s'", clm_error(), want);
	assert_int_equal(l.n, 1);
	clm_tensor_list_release(&l);
}

static void malformed_headers_are_refused(void **state)
{
	(void)state;
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", 8, "invalid JSON");
	expect_refused("[1,2]", 0, "does not start with '{'");
	expect_refused("{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "dtype");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "span 8 bytes");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "shape[0]");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,8]}}", 8, "dimensions");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "beyond the end");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "data_offsets");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "data_offsets");
	expect_refused("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "'dtype'");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
		       "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlaps");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		       "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "belong to no tensor");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12, "after the last tensor");
	expect_refused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
		       "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "invalid JSON");
	expect_refused("{\"__metadata__\":{\"v\":1}}", 0, "not a string");
	expect_refused("{\"\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "empty name");
	expect_refused("{\"a\":7}", 0, "not an object");
}

static void bad_lengths_are_refused(void **state)
{
	unsigned char huge[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}' };
	struct clm_tensor_list l = { 0 };
	FILE *fp;
	(void)state;

	fp = fopen("short.safetensors", "wb");
	fwrite("abc", 1, 3, fp);
	fclose(fp);
	assert_int_equal(clm_safetensors_read("short.safetensors", 0, &l, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "too short"));
	fp = fopen("huge.safetensors", "wb");
	fwrite(huge, 1, sizeof(huge), fp);
	fclose(fp);
	assert_int_equal(clm_safetensors_read("huge.safetensors", 0, &l, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "header length"));
	assert_int_equal(clm_safetensors_read("missing.safetensors", 0, &l, NULL), CLM_ENOTFOUND);
	assert_int_equal(l.n, 0);
}

static void writer_refuses_duplicate_names(void **state)
{
	struct clm_tensor_list l = { 0 };
	int64_t one = 1;
	float x = 1;
	(void)state;

	assert_int_equal(clm_tensor_list_add(&l, "w", CLM_DTYPE_F32, 1, &one, &x, 4), 0);
	assert_int_equal(clm_tensor_list_add(&l, "w", CLM_DTYPE_F32, 1, &one, &x, 4), 0);
	assert_int_equal(clm_safetensors_write("dup.safetensors", &l, NULL), CLM_EINVALID);
	assert_int_equal(access("dup.safetensors", F_OK), -1);
	clm_tensor_list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_bit_exact),
		cmocka_unit_test(half_loads_as_f32_on_request),
		cmocka_unit_test(write_ignores_a_planted_temporary),
		cmocka_unit_test(bf16_file_from_outside_loads),
		cmocka_unit_test(malformed_headers_are_refused),
		cmocka_unit_test(bad_lengths_are_refused),
		cmocka_unit_test(writer_refuses_duplicate_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
