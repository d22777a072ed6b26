/* libcore/suggest/check: degenerate repetition, unparseable rewrites and unchanged functions are
 * refused; an ordinary rewrite passes, even when the input itself repeats. */
#include "test_helpers.h"
#include "suggest/check.h"
#include "util/error.h"

static const char *const source = "def fetch(city):\n    return requests.get(URL + city)\n";

static int check(enum clm_task_kind kind, const char *lang, const char *src, const char *out, char **why)
{
	struct clm_suggest_input in = { kind, lang, src, NULL, 0, 0, 0 };
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = clm_suggest_check(&in, out, &sb);
	*why = clm_strbuf_detach(&sb, NULL);
	return rc;
}

static void repetition_runs(void **state)
{
	(void)state;
	assert_int_equal(clm_repetition_run("def f(x):\n    return x + 1\n"), 1);
	assert_int_equal(clm_repetition_run("request_request_request_request_request_"), 5);
	assert_int_equal(clm_repetition_run("# pragma:\n# pragma:\n# pragma:\n# pragma:\n"), 4);
	/* short runs (under 8 tokens) are ordinary code */
	assert_int_equal(clm_repetition_run("f(g(h(x)))"), 1);
}

static void suggestions_are_judged(void **state)
{
	const char *repeated = "def fetch(city):\n    a = 1\n    a = 1\n    a = 1\n    a = 1\n    a = 1\n";
	char *why;
	(void)state;
	assert_int_equal(check(CLM_KIND_REFINE, "python", source,
			       "def fetch(city):\n    return requests.fetch(URL + city)\n", &why), 1);
	free(why);
	assert_int_equal(check(CLM_KIND_REFINE, "python", source, source, &why), 0);
	assert_non_null(strstr(why, "no change"));
	free(why);
	assert_int_equal(check(CLM_KIND_REFINE, "python", source, "def fetch(city):\n    return (((\n", &why), 0);
	assert_non_null(strstr(why, "does not parse as python"));
	free(why);
	assert_int_equal(check(CLM_KIND_REFINE, "python", source,
			       "def fetch(city):\n    request_request_request_request_request_request\n", &why), 0);
	assert_non_null(strstr(why, "degenerate"));
	free(why);
	/* the input repeats as much: not the model's doing */
	assert_int_equal(check(CLM_KIND_REFINE, "python", repeated, "def fetch(city):\n    a = 2\n    a = 1\n    a = 1\n"
			       "    a = 1\n    a = 1\n    a = 1\n", &why), 1);
	free(why);
	assert_int_equal(check(CLM_KIND_COMPLETE, "python", "def f(x):\n", "   \n", &why), 0);
	assert_non_null(strstr(why, "nothing"));
	free(why);
	/* no language: no parse check */
	assert_int_equal(check(CLM_KIND_REFINE, "", source, "def fetch(city):\n    return (((\n", &why), 1);
	free(why);
}

static void a_function_is_judged_in_its_file(void **state)
{
	/* A Java method does not parse on its own, but does in its class. */
	const char *file = "class A {\n  int f(int x) {\n    return x;\n  }\n}\n";
	const char *method = "  int f(int x) {\n    return x;\n  }\n";
	struct clm_suggest_input in = { CLM_KIND_REFINE, "java", method, file, strlen(file), 2, 4 };
	struct clm_strbuf why = CLM_STRBUF_INIT;
	(void)state;
	assert_int_equal(clm_suggest_check(&in, "  int f(int x) {\n    return x + 1;\n  }\n", &why), 1);
	assert_int_equal(clm_suggest_check(&in, "  int f(int x) {\n    return x +;\n", &why), 0);
	assert_non_null(strstr(why.buf, "does not parse as java"));
	clm_strbuf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(repetition_runs),
		cmocka_unit_test(suggestions_are_judged),
		cmocka_unit_test(a_function_is_judged_in_its_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
