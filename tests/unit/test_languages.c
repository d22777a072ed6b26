/* parsers/languages: every pinned grammar loads into this libtree-sitter and parses. */
#include "test_helpers.h"
#include "parsers/languages.h"
#include "util/error.h"

static void every_grammar_loads(void **state)
{
	(void)state;
	if (clm_languages_check() < 0)
		fail_msg("%s", clm_error());
}

static void paths_map_to_languages(void **state)
{
	(void)state;
	assert_string_equal(clm_language_for_path("src/a/b.py")->name, "python");
	assert_string_equal(clm_language_for_path("X.JAVA")->name, "java");
	assert_string_equal(clm_language_for_path("app.tsx")->name, "tsx");
	assert_string_equal(clm_language_for_path("lib.rs")->name, "rust");
	assert_string_equal(clm_language_for_path("Program.cs")->name, "c_sharp");
	assert_null(clm_language_for_path("README.md"));
	assert_null(clm_language_for_path(".py"));
	assert_string_equal(clm_language_by_name("csharp")->name, "c_sharp");
	assert_null(clm_language_by_name("cobol"));
}

static void parses_real_code(void **state)
{
	static const struct { const char *lang, *code; } samples[] = {
		{ "python", "def f(x):\n    return x + 1\n" },
		{ "java", "class A { int f(int x) { return x + 1; } }" },
		{ "go", "package main\nfunc f(x int) int { return x + 1 }\n" },
		{ "rust", "fn f(x: i32) -> i32 { x + 1 }" },
		{ "c_sharp", "class A { int F(int x) { return x + 1; } }" },
		{ "typescript", "function f(x: number): number { return x + 1; }" },
		{ "toml", "[package]\nname = \"x\"\n" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		TSParser *p;
		TSTree *t;
		assert_int_equal(clm_language_parser(clm_language_by_name(samples[i].lang), &p), 0);
		t = ts_parser_parse_string(p, NULL, samples[i].code, (uint32_t)strlen(samples[i].code));
		assert_non_null(t);
		assert_false(ts_node_has_error(ts_tree_root_node(t)));
		ts_tree_delete(t);
		ts_parser_delete(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_grammar_loads),
		cmocka_unit_test(paths_map_to_languages),
		cmocka_unit_test(parses_real_code),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
