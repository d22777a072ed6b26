/* Summarization examples from a folder of Python files: order, skipped folders, limits, output. */
#include "test_helpers.h"
#include "data/pysummarize.h"
#include "util/error.h"
#include "util/fileio.h"

#include <sys/stat.h>

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_int_equal(clm_write_file_atomic(path, text, strlen(text)), 0);
}

static char *run(const char *dir, size_t max, struct clm_pysummarize_stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(clm_pysummarize_dir(dir, "pydoc", 512, max, out, st), 0);
	fclose(out);
	return buf;
}

static void test_folder(void **state)
{
	char *dir = clm_test_tmpdir(), sub[512], *out, *again;
	struct clm_pysummarize_stats st;
	(void)state;

	snprintf(sub, sizeof(sub), "%s/pkg", dir);
	mkdir(sub, 0777);
	snprintf(sub, sizeof(sub), "%s/tests", dir);
	mkdir(sub, 0777);
	put(dir, "b.py", "def beta(x):\n    \"\"\"Return beta. More.\"\"\"\n    return x\n\n"
			 "def nodoc():\n    return 1\n");
	put(dir, "a.py", "class A:\n    def alpha(self):\n        '''Alpha method.'''\n        return 2\n");
	put(dir, "pkg/c.py", "def gamma():\n    \"\"\"Gamma.\"\"\"\n    return 3\n");
	put(dir, "tests/test_x.py", "def test_it():\n    \"\"\"Skipped.\"\"\"\n    return 4\n");
	put(dir, "notes.txt", "def no():\n    \"\"\"Not Python.\"\"\"\n");

	out = run(dir, 0, &st);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.examples, 3);
	/* Files in sorted order, then sub-folders. */
	assert_non_null(strstr(out, "\"name\":\"A.alpha\""));
	assert_true(strstr(out, "A.alpha") < strstr(out, "\"beta\""));
	assert_true(strstr(out, "\"beta\"") < strstr(out, "gamma"));
	assert_non_null(strstr(out, "\"source\":\"def beta(x):\\n    return x\",\"target\":\"Return beta.\",\"task\":\"pydoc\"}"));
	assert_non_null(strstr(out, "\"path\":\"pkg/c.py\""));
	assert_null(strstr(out, "Skipped"));
	assert_null(strstr(out, "nodoc"));
	again = run(dir, 0, &st);
	assert_string_equal(out, again);
	free(again);
	free(out);

	out = run(dir, 2, &st);
	assert_int_equal(st.examples, 2);
	assert_null(strstr(out, "gamma"));
	free(out);
	{
		FILE *null = fopen("/dev/null", "w");
		assert_int_equal(clm_pysummarize_dir("no/such/dir", "t", 10, 0, null, &st), CLM_ENOTFOUND);
		fclose(null);
	}
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_folder) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
