/* libcore/util: errors, strbuf, files, JSON and JSON lines. */
#include "test_helpers.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/jsonl.h"
#include "util/strbuf.h"

#include <sys/stat.h>
#include <unistd.h>

static void strbuf_grows_and_keeps_nul_bytes(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	(void)state;
	assert_string_equal(sb.buf, "");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(clm_strbuf_addf(&sb, "%d,", i), 0);
	assert_true(sb.len > 1000);
	assert_int_equal(sb.buf[sb.len], '\0');
	clm_strbuf_reset(&sb);
	assert_int_equal(clm_strbuf_add(&sb, "a\0b", 3), 0);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, "a\0b", 3);
	clm_strbuf_release(&sb);
	assert_int_equal(sb.len, 0);
}

static void strbuf_detach_of_empty_is_a_string(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	size_t len = 99;
	char *s = clm_strbuf_detach(&sb, &len);
	(void)state;
	assert_non_null(s);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
}

static void error_wrap_prefixes(void **state)
{
	(void)state;
	assert_int_equal(clm_error_set(CLM_EINVALID, "bad %s", "thing"), CLM_EINVALID);
	assert_int_equal(clm_error_wrap(CLM_EINVALID, "reading '%s'", "x.json"), CLM_EINVALID);
	assert_string_equal(clm_error(), "reading 'x.json': bad thing");
	clm_error_clear();
	assert_string_equal(clm_error(), "");
}

static void file_roundtrip_atomic_and_capped(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char *dir = clm_test_tmpdir(), path[256];
	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/c.txt", dir);
	assert_int_equal(clm_write_file_atomic(path, "x", 1), CLM_EIO); /* parent missing */
	snprintf(path, sizeof(path), "%s/a/b", dir);
	assert_int_equal(clm_mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b/c.txt", dir);
	assert_int_equal(clm_write_file_atomic(path, "hello", 5), 0);
	assert_int_equal(clm_read_file(path, 0, &sb), 0);
	assert_string_equal(sb.buf, "hello");
	clm_strbuf_reset(&sb);
	assert_int_equal(clm_read_file(path, 4, &sb), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "larger than 4 bytes"));
	assert_int_equal(clm_read_file("/nonexistent/zz", 0, &sb), CLM_ENOTFOUND);
	clm_strbuf_release(&sb);
	free(dir);
}

/* A shared output folder may hold symlinks planted where our files and temporaries go: writing
 * never follows them (the old temporary name was <path>.tmp.<pid>, opened without O_EXCL). */
static void file_write_ignores_planted_symlinks(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT, tmp = CLM_STRBUF_INIT;
	char *dir = clm_test_tmpdir(), path[256], victim[256], planted[300];
	struct stat st;
	int fd;
	(void)state;
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(clm_write_file_atomic(victim, "precious", 8), 0);
	snprintf(planted, sizeof(planted), "%s.tmp.%ld", path, (long)getpid());
	assert_int_equal(symlink("victim", planted), 0);
	assert_int_equal(symlink("victim", path), 0);
	assert_int_equal(clm_write_file_atomic(path, "new", 3), 0);
	assert_int_equal(clm_read_file(victim, 0, &sb), 0);
	assert_string_equal(sb.buf, "precious");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode)); /* the link itself was replaced */
	fd = clm_temp_create(path, &tmp);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lstat(tmp.buf, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(tmp.buf);
	clm_strbuf_release(&tmp);
	clm_strbuf_release(&sb);
	free(dir);
}

static void json_parse_rejects_garbage_with_position(void **state)
{
	json_t *v;
	int64_t n;
	(void)state;
	assert_null(clm_json_parse("{\"a\": }", 7, "cfg"));
	assert_non_null(strstr(clm_error(), "cfg: invalid JSON at line 1"));
	assert_null(clm_json_parse("{\"a\":1,\"a\":2}", 13, "dup"));
	v = clm_json_parse("{\"n\": 5, \"s\": \"x\"}", 18, "obj");
	assert_non_null(v);
	assert_int_equal(clm_json_get_int(v, "n", 0, 10, &n, "obj"), 0);
	assert_int_equal(n, 5);
	assert_int_equal(clm_json_get_int(v, "n", 0, 4, &n, "obj"), CLM_EINVALID);
	assert_int_equal(clm_json_get_int(v, "s", 0, 4, &n, "obj"), CLM_EINVALID);
	assert_null(clm_json_get_string(v, "missing", "obj"));
	assert_non_null(strstr(clm_error(), "field 'missing' is missing"));
	json_decref(v);
}

static void jsonl_streams_objects_and_reports_line(void **state)
{
	const char *text = "{\"a\":1}\n\n{\"a\":2}\r\n[1]\n";
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct clm_jsonl_reader r;
	json_t *o;
	(void)state;
	clm_jsonl_reader_init(&r, fp, "data.jsonl", 0);
	assert_int_equal(clm_jsonl_next(&r, &o), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "a")), 1);
	json_decref(o);
	assert_int_equal(clm_jsonl_next(&r, &o), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "a")), 2);
	json_decref(o);
	assert_int_equal(clm_jsonl_next(&r, &o), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "data.jsonl:4: expected a JSON object"));
	clm_jsonl_reader_release(&r);
	fclose(fp);
}

/* An overlong line is refused and passed over whole, shorter or longer than one read chunk: the
 * next call reads the next line, never the middle of the long one. */
static void jsonl_rejects_overlong_line(void **state)
{
	static char text[20300];
	size_t n = 0;
	FILE *fp;
	struct clm_jsonl_reader r;
	json_t *o;
	(void)state;
	memset(text, 'x', 200);
	n = 200;
	text[n++] = '\n';
	memset(text + n, 'x', 20000);
	n += 20000;
	n += (size_t)sprintf(text + n, "{\"a\":1}\n{\"b\":2}\n");
	fp = fmemopen(text, n, "r");
	clm_jsonl_reader_init(&r, fp, "big.jsonl", 100);
	assert_int_equal(clm_jsonl_next(&r, &o), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "big.jsonl:1: line longer than 100 bytes"));
	assert_int_equal(clm_jsonl_next(&r, &o), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "big.jsonl:2: line longer than 100 bytes"));
	assert_int_equal(clm_jsonl_next(&r, &o), 1);
	assert_non_null(json_object_get(o, "b"));
	assert_int_equal(r.lineno, 3);
	json_decref(o);
	assert_int_equal(clm_jsonl_next(&r, &o), 0);
	clm_jsonl_reader_release(&r);
	fclose(fp);
}

/* Valid UTF-8 passes through unchanged; every invalid sequence becomes one U+FFFD. */
static void json_string_lossy_keeps_valid_and_replaces_invalid(void **state)
{
	static const char *const cases[][2] = {
		{ "plain ascii", "plain ascii" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },                /* not a lead byte */
		{ "\xc3(", "\xef\xbf\xbd(" },                       /* missing continuation */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },          /* overlong '/' */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* surrogate D800 */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* past U+10FFFF */
		{ "end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd" },     /* cut short */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = clm_json_string_lossy(cases[i][0]);
		assert_non_null(j);
		assert_string_equal(json_string_value(j), cases[i][1]);
		json_decref(j);
	}
}

/* One element at a time: the values survive, capacity grows geometrically (few reallocations),
 * and a request that cannot be sized fails without touching the array. */
static void alloc_grow_is_geometric_and_checked(void **state)
{
	uint64_t *v = NULL;
	size_t n = 0, alloc = 0, grows = 0, last = 0;
	(void)state;
	for (; n < 100000; n++) {
		assert_int_equal(CLM_ALLOC_GROW(v, n + 1, alloc), 0);
		assert_true(alloc >= n + 1);
		grows += alloc != last;
		last = alloc;
		v[n] = n * 7;
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i], i * 7);
	assert_true(grows < 40);
	assert_int_equal(CLM_ALLOC_GROW(v, 10, alloc), 0); /* no shrink, no realloc */
	assert_int_equal(alloc, last);
	assert_int_equal(CLM_ALLOC_GROW(v, SIZE_MAX / 4, alloc), CLM_ENOMEM);
	assert_non_null(strstr(clm_error(), "too large"));
	assert_int_equal(alloc, last);
	assert_int_equal(v[n - 1], (n - 1) * 7);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strbuf_grows_and_keeps_nul_bytes),
		cmocka_unit_test(strbuf_detach_of_empty_is_a_string),
		cmocka_unit_test(error_wrap_prefixes),
		cmocka_unit_test(file_roundtrip_atomic_and_capped),
		cmocka_unit_test(file_write_ignores_planted_symlinks),
		cmocka_unit_test(json_parse_rejects_garbage_with_position),
		cmocka_unit_test(jsonl_streams_objects_and_reports_line),
		cmocka_unit_test(jsonl_rejects_overlong_line),
		cmocka_unit_test(json_string_lossy_keeps_valid_and_replaces_invalid),
		cmocka_unit_test(alloc_grow_is_geometric_and_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
