/* Function extraction, docstrings, enclosing-function lookup and imports, per language. */
#include "test_helpers.h"
#include "parsers/docstring.h"
#include "parsers/functions.h"
#include "parsers/imports.h"

struct parsed {
	TSParser *parser;
	TSTree *tree;
	struct clm_function_list fns;
	struct clm_import_list imports;
	const char *src;
};

static void parse(struct parsed *p, const char *lang_name, const char *src)
{
	const struct clm_language *lang = clm_language_by_name(lang_name);
	memset(p, 0, sizeof(*p));
	assert_non_null(lang);
	p->src = src;
	assert_int_equal(clm_language_parser(lang, &p->parser), 0);
	p->tree = ts_parser_parse_string(p->parser, NULL, src, (uint32_t)strlen(src));
	assert_non_null(p->tree);
	assert_int_equal(clm_functions_extract(lang, p->tree, src, strlen(src), &p->fns), 0);
	assert_int_equal(clm_imports_extract(lang, p->tree, src, strlen(src), &p->imports), 0);
}

static void release(struct parsed *p)
{
	clm_function_list_release(&p->fns);
	clm_import_list_release(&p->imports);
	ts_tree_delete(p->tree);
	ts_parser_delete(p->parser);
}

static const struct clm_function *fn(const struct parsed *p, const char *name)
{
	const struct clm_function *f = clm_function_find(&p->fns, name);
	if (!f)
		fail_msg("no function %s", name);
	return f;
}

static void assert_span(const struct parsed *p, const struct clm_function *f, const char *text)
{
	size_t n = strlen(text);
	assert_int_equal(f->end_byte - f->start_byte, n);
	assert_memory_equal(p->src + f->start_byte, text, n);
}

static int has_import(const struct parsed *p, const char *module, const char *bound)
{
	for (size_t i = 0; i < p->imports.n; i++)
		if (!strcmp(p->imports.items[i].module, module) && !strcmp(p->imports.items[i].bound, bound))
			return 1;
	return 0;
}

static void test_python(void **state)
{
	static const char src[] =
		"import os, numpy as np\n"
		"from requests import get, Session as S\n"
		"from x.y import *\n"
		"\n"
		"@decorator\n"
		"def top(a, b):\n"
		"    \"\"\"Add two numbers. Returns the sum.\n"
		"\n"
		"    More text.\n"
		"    \"\"\"\n"
		"    return a + b\n"
		"\n"
		"class Client:\n"
		"    def fetch(self, url):\n"
		"        def inner():\n"
		"            return 1\n"
		"        return get(url)\n";
	struct parsed p;
	const struct clm_function *f;
	(void)state;

	parse(&p, "python", src);
	assert_int_equal(p.fns.n, 3);
	f = fn(&p, "top");
	assert_int_equal(f->start_line, 5);
	assert_int_equal(f->end_line, 11);
	assert_string_equal(f->doc, "Add two numbers. Returns the sum.\n\nMore text.");
	assert_string_equal(f->summary, "Add two numbers.");
	assert_true(f->doc_end > f->doc_start);
	assert_memory_equal(p.src + f->start_byte, "@decorator\ndef top(a, b):\n    ", f->body_start - f->start_byte);
	f = fn(&p, "Client.fetch");
	assert_span(&p, f, "    def fetch(self, url):\n        def inner():\n            return 1\n        return get(url)");
	assert_null(f->doc);
	assert_int_equal(fn(&p, "Client.fetch.inner")->depth, 1);
	assert_ptr_equal(clm_function_enclosing(&p.fns, 16, 16), fn(&p, "Client.fetch.inner"));
	assert_ptr_equal(clm_function_enclosing(&p.fns, 15, 17), fn(&p, "Client.fetch"));
	assert_null(clm_function_enclosing(&p.fns, 1, 2));
	assert_true(has_import(&p, "os", "os"));
	assert_true(has_import(&p, "numpy", "np"));
	assert_true(has_import(&p, "requests", "get"));
	assert_true(has_import(&p, "requests", "S"));
	assert_true(has_import(&p, "x.y", "*"));
	{
		int32_t map[17];
		clm_functions_line_map(&p.fns, 17, map);
		assert_int_equal(map[0], -1);
		assert_int_equal(map[10], 0);
		assert_int_equal(map[15], 2);
		assert_int_equal(map[16], 1);
	}
	release(&p);
}

static void test_javascript(void **state)
{
	static const char src[] =
		"import axios, { get as g } from 'axios';\n"
		"import * as _ from \"lodash/fp\";\n"
		"const { a, b: c } = require('left-pad');\n"
		"/**\n"
		" * Fetch a thing. More.\n"
		" * @param url the url\n"
		" */\n"
		"export function fetchIt(url) {\n"
		"  return axios.get(url);\n"
		"}\n"
		"x = 1; // trailing comment\n"
		"const helper = async (y) => { return y; };\n"
		"class Svc {\n"
		"  /** Run it. */\n"
		"  run() { return 1; }\n"
		"}\n"
		"/**\n"
		" * Send a response.\n"
		" */\n"
		"res.send = function send(body) {\n"
		"  return axios.post(body);\n"
		"};\n"
		"Svc.prototype.stop = () => 0;\n"
		"total = 1 + 2;\n";
	struct parsed p;
	const struct clm_function *f;
	(void)state;

	parse(&p, "javascript", src);
	assert_int_equal(p.fns.n, 5);
	f = fn(&p, "res.send");
	assert_string_equal(f->summary, "Send a response.");
	assert_span(&p, f, "res.send = function send(body) {\n  return axios.post(body);\n};");
	f = fn(&p, "Svc.prototype.stop");
	assert_span(&p, f, "Svc.prototype.stop = () => 0;");
	f = fn(&p, "fetchIt");
	assert_string_equal(f->summary, "Fetch a thing.");
	assert_int_equal(f->start_line, 8);
	assert_memory_equal(p.src + f->lead_start, "/**", 3);
	f = fn(&p, "helper");
	assert_null(f->doc); /* a comment trailing code on the line before is not a doc comment */
	assert_span(&p, f, "const helper = async (y) => { return y; };");
	assert_string_equal(fn(&p, "Svc.run")->summary, "Run it.");
	assert_true(has_import(&p, "axios", "axios"));
	assert_true(has_import(&p, "axios", "g"));
	assert_true(has_import(&p, "lodash/fp", "_"));
	assert_true(has_import(&p, "left-pad", "a"));
	assert_true(has_import(&p, "left-pad", "c"));
	{
		const char *names[] = { "axios" };
		f = fn(&p, "fetchIt");
		assert_true(clm_range_mentions(p.tree, p.src, f->start_byte, f->end_byte, names, 1));
		f = fn(&p, "helper");
		assert_false(clm_range_mentions(p.tree, p.src, f->start_byte, f->end_byte, names, 1));
	}
	release(&p);
}

static void test_go_rust_java_csharp(void **state)
{
	struct parsed p;
	(void)state;

	parse(&p, "go",
	      "package main\n\nimport (\n\t\"fmt\"\n\tr \"github.com/go-redis/redis/v9\"\n\t\"gopkg.in/yaml.v3\"\n"
	      "\t\"github.com/mattn/go-sqlite3\"\n\t\"github.com/x/y/v2\"\n)\n\n"
	      "// Hello says hello.\n// Second line.\nfunc Hello() {}\n\n"
	      "// Get gets.\nfunc (c *Client) Get(k string) string { return \"\" }\n");
	assert_string_equal(fn(&p, "Hello")->doc, "Hello says hello.\nSecond line.");
	assert_string_equal(fn(&p, "Client.Get")->summary, "Get gets.");
	assert_true(has_import(&p, "github.com/go-redis/redis/v9", "r"));
	assert_true(has_import(&p, "gopkg.in/yaml.v3", "yaml"));
	assert_true(has_import(&p, "github.com/mattn/go-sqlite3", "sqlite3"));
	assert_true(has_import(&p, "github.com/x/y/v2", "y"));
	release(&p);

	parse(&p, "rust",
	      "use serde_json::{to_string, Value as V};\nuse crate::local;\n\n/// Parse a value. Extra.\n#[inline]\n"
	      "pub fn parse(s: &str) -> V { serde_json::from_str(s).unwrap() }\n\nimpl<T> Foo<T> {\n    fn new() -> Self { Foo {} }\n}\n"
	      "#[cfg(test)]\nmod tests {\n    use regex::Regex;\n    fn outer() {\n        fn inner() {}\n"
	      "        let f = |x: u8| x + 1;\n    }\n}\n");
	assert_string_equal(fn(&p, "parse")->summary, "Parse a value.");
	assert_non_null(fn(&p, "Foo.new"));
	assert_non_null(fn(&p, "tests.outer"));
	assert_non_null(fn(&p, "tests.outer.inner"));
	assert_int_equal(p.fns.n, 4);
	assert_true(has_import(&p, "regex", "Regex"));
	assert_true(has_import(&p, "serde_json", "to_string"));
	assert_true(has_import(&p, "serde_json", "V"));
	assert_false(has_import(&p, "local", "local"));
	release(&p);

	parse(&p, "java",
	      "import com.google.gson.Gson;\nimport java.util.*;\nclass E {\n  /** Convert to JSON. Then more. */\n"
	      "  @Override\n  public String toJson(Object o) { return new Gson().toJson(o); }\n"
	      "  abstract void nobody();\n}\n");
	assert_int_equal(p.fns.n, 1);
	assert_string_equal(fn(&p, "E.toJson")->summary, "Convert to JSON.");
	assert_true(has_import(&p, "com.google.gson.Gson", "Gson"));
	assert_true(has_import(&p, "java.util", "*"));
	release(&p);

	parse(&p, "c_sharp",
	      "using Newtonsoft.Json;\nusing J = System.Text.Json;\nnamespace App {\n  class P {\n"
	      "    /// <summary>Serialize it.</summary>\n    public string Ser(object o) => JsonConvert.SerializeObject(o);\n  }\n}\n");
	assert_string_equal(fn(&p, "App.P.Ser")->summary, "Serialize it.");
	assert_true(has_import(&p, "Newtonsoft.Json", "*"));
	assert_true(has_import(&p, "System.Text.Json", "J"));
	release(&p);

	parse(&p, "c_sharp",
	      "using System;\nnamespace App;\nrecord R(int X) {\n  public int Twice() {\n"
	      "    int Add(int a) { return a + X; }\n    return Add(X);\n  }\n#if NET8\n"
	      "  public int Thrice() { return 3 * X; }\n#else\n  public int Thrice() { return X + X + X; }\n#endif\n}\n");
	assert_non_null(fn(&p, "R.Twice")); /* a file-scoped namespace encloses nothing in the tree */
	assert_non_null(fn(&p, "R.Twice.Add"));
	assert_non_null(fn(&p, "R.Thrice")); /* methods under #if are found too */
	assert_int_equal(p.fns.n, 4);
	release(&p);
}

static void test_c_cpp_ruby_ts(void **state)
{
	struct parsed p;
	(void)state;

	parse(&p, "c", "#include <stdio.h>\n/* Main entry. */\nstatic int *main2(int argc) { return 0; }\nint decl(void);\n");
	assert_int_equal(p.fns.n, 1);
	assert_string_equal(fn(&p, "main2")->summary, "Main entry.");
	assert_true(has_import(&p, "stdio.h", "*"));
	release(&p);

	parse(&p, "cpp", "namespace n {\nclass K {\n  int get() const { return 1; }\n};\n}\nint K::put(int x) { return x; }\n");
	assert_non_null(fn(&p, "n.K.get"));
	assert_non_null(fn(&p, "K::put"));
	release(&p);

	parse(&p, "ruby", "require 'json'\nclass A\n  # Greets. Loudly.\n  def greet(x)\n    JSON.dump(x)\n  end\nend\n");
	assert_string_equal(fn(&p, "A.greet")->summary, "Greets.");
	assert_true(has_import(&p, "json", "*"));
	release(&p);

	parse(&p, "typescript", "import { z } from \"zod\";\nexport const parse = (s: string): number => { return 1; };\n"
				"function declOnly(a: number): number;\n");
	assert_int_equal(p.fns.n, 1);
	assert_span(&p, fn(&p, "parse"), "export const parse = (s: string): number => { return 1; };");
	release(&p);
}

/* Thousands of nested blocks: the iterative walk must not recurse per level. */
static void test_deep_nesting(void **state)
{
	size_t depth = 20000, n = 0;
	char *src = malloc(depth * 40 + 64);
	struct parsed p;
	(void)state;

	for (size_t i = 0; i < depth; i++)
		n += (size_t)sprintf(src + n, "function f%zu() {\n", i);
	for (size_t i = 0; i < depth; i++)
		src[n++] = '}';
	src[n] = '\0';
	parse(&p, "javascript", src);
	assert_int_equal(p.fns.n, depth);
	assert_int_equal(p.fns.items[depth - 1].depth, depth - 1);
	release(&p);
	free(src);
}

static void test_docstrings(void **state)
{
	char *s;
	(void)state;

	s = clm_doc_from_python_string("r'''\n    Title line.\n\n      indented\n    '''", 43);
	assert_string_equal(s, "Title line.\n\n  indented");
	free(s);
	assert_null(clm_doc_from_python_string("\"\"\"   \"\"\"", 9));
	s = clm_doc_from_comment("/**\n * One. Two.\n */", 19);
	assert_string_equal(s, "One. Two.");
	free(s);
	s = clm_doc_first_sentence("Version 1.2 is here. Next.");
	assert_string_equal(s, "Version 1.2 is here.");
	free(s);
	s = clm_doc_first_sentence("No period\nbut two lines\n\nsecond paragraph");
	assert_string_equal(s, "No period but two lines");
	free(s);
	assert_null(clm_doc_first_sentence("   \n  "));
}

static void test_package_match(void **state)
{
	(void)state;
	assert_true(clm_import_from_package("pypi", "requests", "requests.adapters"));
	assert_true(clm_import_from_package("pypi", "PyYAML", "yaml"));
	assert_true(clm_import_from_package("pypi", "python-dateutil", "dateutil.parser"));
	assert_false(clm_import_from_package("pypi", "requests", "requests_oauthlib"));
	assert_true(clm_import_from_package("npm", "@scope/pkg", "@scope/pkg/sub"));
	assert_false(clm_import_from_package("npm", "react", "react-dom"));
	assert_true(clm_import_from_package("go", "github.com/go-redis/redis", "github.com/go-redis/redis/v9"));
	assert_true(clm_import_from_package("go", "github.com/go-redis/redis", "github.com/go-redis/redis/v9/internal"));
	assert_false(clm_import_from_package("go", "github.com/go-redis/redis", "github.com/go-redis/redismock"));
	assert_true(clm_import_from_package("cargo", "serde-json", "serde_json"));
	assert_true(clm_import_from_package("maven", "com.google.code.gson:gson", "com.google.gson.Gson"));
	assert_true(clm_import_from_package("maven", "com.fasterxml.jackson.core:jackson-databind",
					    "com.fasterxml.jackson.databind.ObjectMapper"));
	assert_false(clm_import_from_package("maven", "junit:junit", "org.example.Thing"));
	assert_true(clm_import_from_package("nuget", "Newtonsoft.Json", "Newtonsoft.Json.Linq"));
	assert_false(clm_import_from_package("nuget", "Newtonsoft.Json", "Newtonsoft.Jsonx"));
	assert_true(clm_import_from_package("rubygems", "net-http", "net/http"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python),          cmocka_unit_test(test_javascript),
		cmocka_unit_test(test_go_rust_java_csharp), cmocka_unit_test(test_c_cpp_ruby_ts),
		cmocka_unit_test(test_deep_nesting),    cmocka_unit_test(test_docstrings),
		cmocka_unit_test(test_package_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
