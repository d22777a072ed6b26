/* Mined examples and task folders: content ids, splits, duplicate dropping, escaping, atomic
 * task folders and loading them back. */
#include "test_helpers.h"
#include "data/mined_example.h"
#include "data/taskdir.h"
#include "util/fileio.h"
#include "util/idset.h"

#include <unistd.h>

static struct clm_mined_example sample(const char *kind, const char *target)
{
	struct clm_mined_example ex = { 0 };
	ex.kind = kind;
	ex.lang = "python";
	ex.source = "def f():\n    pass";
	ex.source_len = strlen(ex.source);
	ex.target = target;
	ex.target_len = strlen(target);
	ex.name = "f";
	ex.uses_dep = 1;
	ex.commit = "0123456789012345678901234567890123456789";
	ex.path = "a.py";
	ex.line_start = 1;
	ex.line_end = 2;
	ex.grammar = "python@0.23.6";
	return ex;
}

static void test_ids_and_splits(void **state)
{
	struct clm_mined_example a = sample("refine", "x"), b = sample("generate", "x");
	char ia[41], ib[41], ia2[41];
	size_t counts[3] = { 0 };
	(void)state;

	assert_int_equal(clm_mined_example_id(&a, ia), 0);
	assert_int_equal(clm_mined_example_id(&a, ia2), 0);
	assert_int_equal(clm_mined_example_id(&b, ib), 0);
	assert_string_equal(ia, ia2);
	assert_string_not_equal(ia, ib);
	assert_int_equal(strlen(ia), 40);
	/* The split is a function of the id alone, and the buckets are roughly 80/10/10. */
	for (int i = 0; i < 2000; i++) {
		char t[16], id[41];
		struct clm_mined_example e = sample("refine", t);
		snprintf(t, sizeof(t), "%d", i);
		e.target_len = strlen(t);
		assert_int_equal(clm_mined_example_id(&e, id), 0);
		assert_int_equal(clm_split_of_id(id), clm_split_of_id(id));
		counts[clm_split_of_id(id)]++;
	}
	assert_in_range(counts[CLM_SPLIT_TRAIN], 1500, 1700);
	assert_in_range(counts[CLM_SPLIT_VALID], 120, 280);
	assert_in_range(counts[CLM_SPLIT_TEST], 120, 280);
}

static void test_idset(void **state)
{
	struct clm_idset s = { 0 };
	char hex[41];
	(void)state;

	for (int i = 0; i < 5000; i++) {
		snprintf(hex, sizeof(hex), "%040x", i * 2654435761u);
		assert_int_equal(clm_idset_add(&s, hex), 1);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(hex, sizeof(hex), "%040x", i * 2654435761u);
		assert_int_equal(clm_idset_add(&s, hex), 0);
	}
	assert_int_equal(s.n, 5000);
	clm_idset_release(&s);
}

static void test_escape(void **state)
{
	char *e;
	(void)state;
	e = clm_task_id_escape("pypi/requests/2.31.0..3.0.0");
	assert_string_equal(e, "pypi%2Frequests%2F2.31.0..3.0.0");
	free(e);
	e = clm_task_id_escape("npm/@scope/x/>=1 <2..none+1");
	assert_string_equal(e, "npm%2F@scope%2Fx%2F%3E%3D1%20%3C2..none+1");
	free(e);
	e = clm_task_id_escape("..");
	assert_string_equal(e, "..%2E");
	free(e);
}

static void test_task_folder(void **state)
{
	char *dir = clm_test_tmpdir();
	struct clm_task_writer w;
	struct clm_mined_example a = sample("refine", "one"), b = sample("summarize", "two");
	json_t *meta, *tasks;
	char path[512];
	(void)state;

	assert_non_null(dir);
	assert_int_equal(clm_task_writer_open(&w, dir, "pypi/x/1..2", NULL), 0);
	assert_int_equal(clm_task_writer_add(&w, &a), 1);
	assert_int_equal(clm_task_writer_add(&w, &a), 0); /* exact duplicate */
	assert_int_equal(clm_task_writer_add(&w, &b), 1);
	b.target = "\xff\xfe";
	b.target_len = 2;
	assert_int_equal(clm_task_writer_add(&w, &b), 0); /* not UTF-8 */
	assert_int_equal(clm_task_writer_count(&w), 2);
	snprintf(path, sizeof(path), "%s/pypi%%2Fx%%2F1..2", dir);
	assert_false(clm_path_exists(path)); /* nothing visible before finish */
	meta = json_pack("{s:s,s:s,s:i}", "id", "pypi/x/1..2", "commit", "abc", "time", 5);
	assert_int_equal(clm_task_writer_finish(&w, meta), 0);
	clm_task_writer_release(&w);
	json_decref(meta);
	assert_true(clm_path_exists(path));

	assert_int_equal(clm_tasks_load(dir, &tasks), 0);
	assert_int_equal(json_array_size(tasks), 1);
	{
		json_t *c = json_object_get(json_array_get(tasks, 0), "counts");
		assert_int_equal(json_integer_value(json_object_get(c, "duplicates")), 1);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "kind"), "refine")), 1);
		assert_int_equal(json_integer_value(json_object_get(c, "train")) +
					 json_integer_value(json_object_get(c, "valid")) +
					 json_integer_value(json_object_get(c, "test")), 2);
	}
	json_decref(tasks);

	/* An abandoned writer leaves no folder behind. */
	assert_int_equal(clm_task_writer_open(&w, dir, "pypi/y/1..2", NULL), 0);
	clm_task_writer_release(&w);
	assert_int_equal(clm_tasks_load(dir, &tasks), 0);
	assert_int_equal(json_array_size(tasks), 1);
	json_decref(tasks);
	assert_int_equal(clm_tasks_load("no-such-dir", &tasks), 0);
	assert_int_equal(json_array_size(tasks), 0);
	json_decref(tasks);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_splits), cmocka_unit_test(test_idset), cmocka_unit_test(test_escape),
		cmocka_unit_test(test_task_folder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
