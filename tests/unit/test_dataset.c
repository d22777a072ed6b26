/* libcore/data: task datasets, splits, CodeTask loaders and Python docstring extraction. */
#include "test_helpers.h"
#include "data/codetask.h"
#include "data/dataset.h"
#include "data/pydoc.h"
#include "util/error.h"

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char *good_lines =
	"{\"id\":\"a1\",\"task\":\"t\",\"kind\":\"refine\",\"lang\":\"java\",\"source\":\"x\",\"target\":\"y\","
	"\"prov\":{\"commit\":\"abc\",\"path\":\"A.java\",\"lines\":[1,3]}}\n"
	"\n"
	"{\"id\":\"a2\",\"task\":\"t\",\"kind\":\"summarize\",\"lang\":\"python\",\"source\":\"def f(): pass\",\"target\":\"F.\"}\n";

static void loads_and_round_trips(void **state)
{
	struct clm_dataset ds = { 0 }, again = { 0 };
	(void)state;
	write_text("good.jsonl", good_lines);
	assert_int_equal(clm_dataset_load_jsonl(&ds, "good.jsonl"), 0);
	assert_int_equal(ds.n, 2);
	assert_int_equal(ds.items[1].kind, CLM_KIND_SUMMARIZE);
	assert_string_equal(ds.items[1].source, "def f(): pass");
	assert_non_null(ds.items[0].prov);
	assert_null(ds.items[1].prov);
	assert_int_equal(clm_dataset_save_jsonl(&ds, "again.jsonl"), 0);
	assert_int_equal(clm_dataset_load_jsonl(&again, "again.jsonl"), 0);
	assert_int_equal(again.n, 2);
	assert_string_equal(again.items[0].target, "y");
	assert_string_equal(json_string_value(json_object_get(again.items[0].prov, "path")), "A.java");
	clm_dataset_release(&ds);
	clm_dataset_release(&again);
}

static void rejects_malformed_lines_with_position(void **state)
{
	static const char *const bad[] = {
		"{\"id\":\"a\",\"task\":\"t\",\"kind\":\"refine\",\"lang\":\"java\",\"source\":\"x\"}\n",
		"{\"id\":\"a\",\"task\":\"t\",\"kind\":\"dance\",\"lang\":\"java\",\"source\":\"x\",\"target\":\"y\"}\n",
		"{\"id\":\"a\",\"task\":\"t\",\"kind\":\"refine\",\"lang\":\"java\",\"source\":1,\"target\":\"y\"}\n",
		"{\"id\":\"a\",\"task\":\"t\",\"kind\":\"refine\",\"lang\":\"java\",\"source\":\"x\",\"target\":\"y\",\"prov\":3}\n",
		"{\"id\":\"a\",\"task\":\"t\",\"kind\":\"refine\"\n",
		"[1,2]\n",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct clm_dataset ds = { 0 };
		char text[1024];
		snprintf(text, sizeof(text), "%s%s", good_lines, bad[i]);
		write_text("bad.jsonl", text);
		assert_int_equal(clm_dataset_load_jsonl(&ds, "bad.jsonl"), CLM_EINVALID);
		assert_non_null(strstr(clm_error(), "bad.jsonl:4"));
		assert_int_equal(ds.n, 2);
		clm_dataset_release(&ds);
	}
}

static void splits_are_a_function_of_the_id(void **state)
{
	size_t count[3] = { 0 };
	char id[17];
	(void)state;
	for (int i = 0; i < 2000; i++) {
		char src[32];
		snprintf(src, sizeof(src), "code %d", i);
		clm_example_content_id("t", src, "y", id);
		assert_int_equal(clm_split_of_id(id), clm_split_of_id(id));
		count[clm_split_of_id(id)]++;
	}
	assert_true(count[CLM_SPLIT_TRAIN] > 1500 && count[CLM_SPLIT_TRAIN] < 1700);
	assert_true(count[CLM_SPLIT_VALID] > 140 && count[CLM_SPLIT_VALID] < 260);
	assert_true(count[CLM_SPLIT_TEST] > 140 && count[CLM_SPLIT_TEST] < 260);
	clm_example_content_id("t", "ab", "c", id);
	{
		char other[17];
		clm_example_content_id("t", "a", "bc", other);
		assert_string_not_equal(id, other);
	}
}

static void codetask_subsets_are_nested(void **state)
{
	struct clm_dataset small = { 0 }, big = { 0 };
	FILE *fp;
	(void)state;
	assert_int_equal(system("mkdir -p sub/bugs2fix"), 0);
	fp = fopen("sub/bugs2fix/valid.jsonl", "w");
	assert_non_null(fp);
	for (int i = 0; i < 200; i++)
		fprintf(fp, "{\"id\": \"bugs2fix-valid-%d\", \"source\": \"s%d\", \"target\": \"t%d\"}\n", i, i, i);
	fclose(fp);
	assert_int_equal(clm_codetask_load("sub", "bugs2fix", "valid", 20, &small), 0);
	assert_int_equal(clm_codetask_load("sub", "bugs2fix", "valid", 60, &big), 0);
	assert_int_equal(small.n, 20);
	assert_int_equal(big.n, 60);
	assert_int_equal(small.items[0].kind, CLM_KIND_REFINE);
	assert_string_equal(small.items[0].task, "bugs2fix");
	for (size_t i = 0; i < small.n; i++) {
		int found = 0;
		for (size_t j = 0; j < big.n; j++)
			found |= !strcmp(small.items[i].id, big.items[j].id) && !strcmp(small.items[i].source, big.items[j].source);
		assert_true(found);
		if (i)
			assert_true(strcmp(small.items[i - 1].id, small.items[i].id) != 0);
	}
	assert_int_equal(clm_codetask_load("sub", "nope", "valid", 1, &small), CLM_ENOTFOUND);
	clm_dataset_release(&small);
	clm_dataset_release(&big);
}

static void codetask_rejects_bad_line(void **state)
{
	struct clm_dataset ds = { 0 };
	(void)state;
	assert_int_equal(system("mkdir -p ct/concode"), 0);
	write_text("ct/concode/train.jsonl", "{\"id\":\"1\",\"source\":\"a\",\"target\":\"b\"}\n{\"id\":\"2\",\"source\":\"a\"}\n");
	assert_int_equal(clm_codetask_load("ct", "concode", "train", 0, &ds), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "train.jsonl:2"));
	clm_dataset_release(&ds);
}

static void pydoc_extracts_functions_with_docstrings(void **state)
{
	const char *py =
		"def add(a, b):\n"
		"    \"\"\"Return the sum of two numbers.\n\n    More text.\n    \"\"\"\n"
		"    return a + b\n\n"
		"def nodoc(x):\n    return x\n\n"
		"class K:\n"
		"    def method(self):\n"
		"        'Compute something useful here.'\n"
		"        return 1\n";
	struct clm_dataset ds = { 0 };
	(void)state;
	assert_int_equal(clm_pydoc_extract("m.py", py, strlen(py), "pydoc", 4000, &ds), 0);
	assert_int_equal(ds.n, 2);
	assert_string_equal(ds.items[0].target, "Return the sum of two numbers.");
	assert_string_equal(ds.items[0].source, "def add(a, b):\n    return a + b");
	assert_string_equal(ds.items[1].target, "Compute something useful here.");
	assert_null(strstr(ds.items[1].source, "Compute"));
	assert_int_equal(ds.items[0].kind, CLM_KIND_SUMMARIZE);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(ds.items[0].prov, "lines"), 0)), 1);
	clm_dataset_release(&ds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_and_round_trips),
		cmocka_unit_test(rejects_malformed_lines_with_position),
		cmocka_unit_test(splits_are_a_function_of_the_id),
		cmocka_unit_test(codetask_subsets_are_nested),
		cmocka_unit_test(codetask_rejects_bad_line),
		cmocka_unit_test(pydoc_extracts_functions_with_docstrings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
