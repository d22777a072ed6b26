/* libcore/eval CodeBLEU and its tree-sitter helpers (parsers/codebleu_syntax, parsers/dataflow). */
#include "test_helpers.h"
#include "eval/codebleu.h"
#include "eval/task_score.h"
#include "eval/lines.h"
#include "parsers/codebleu_syntax.h"
#include "parsers/dataflow.h"
#include "parsers/languages.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <math.h>

static struct clm_codebleu score1(const char *lang, const char *ref, const char *pred)
{
	struct clm_codebleu c;
	assert_int_equal(clm_codebleu_corpus(lang, &ref, &pred, 1, &c), 0);
	return c;
}

static void identical_code_scores_100(void **state)
{
	static const char *const cases[][2] = {
		{ "java", "int f(int a) { int x = a + 1; if (x > 2) { x = x * a; } return x; }" },
		{ "c_sharp", "int F(int[] xs) { int s = 0; foreach (var v in xs) { s += v; } return s; }" },
		{ "python", "def f(a, b=1):\n    x = a + b\n    for i in range(x):\n        x += i\n    return x" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct clm_codebleu c = score1(cases[i][0], cases[i][1], cases[i][1]);
		assert_true(c.ref_flows > 0);
		assert_float_equal(c.ngram, 100, 1e-9);
		assert_float_equal(c.weighted_ngram, 100, 1e-9);
		assert_float_equal(c.syntax, 100, 1e-9);
		assert_float_equal(c.dataflow, 100, 1e-9);
		assert_float_equal(c.score, 100, 1e-9);
	}
}

static void renamed_variables_keep_syntax_and_dataflow(void **state)
{
	const char *ref = "int f(int a) { int x = a + 1; while (x < 10) { x = x * a; } return x; }";
	const char *pred = "int f(int count) { int total = count + 1; while (total < 10) { total = total * count; } return total; }";
	const char *py_ref = "def f(a):\n    x = a * 2\n    return x + a";
	const char *py_pred = "def f(value):\n    doubled = value * 2\n    return doubled + value";
	struct clm_codebleu c = score1("java", ref, pred), p = score1("python", py_ref, py_pred);
	(void)state;

	assert_true(c.ref_flows >= 5);
	assert_float_equal(c.dataflow, 100, 1e-9);
	assert_float_equal(c.syntax, 100, 1e-9);
	assert_true(c.ngram < 60);
	assert_true(c.score < 100);
	assert_float_equal(p.dataflow, 100, 1e-9);
	assert_float_equal(p.syntax, 100, 1e-9);
}

/* Normalisation numbers variables by first use, so swapping two independent declarations
 * leaves the multiset of flows unchanged. */
static void dataflow_ignores_declaration_order(void **state)
{
	const char *ref = "int f() { int a = 1; int b = 2; return a + b; }";
	const char *pred = "int f() { int b = 2; int a = 1; return a + b; }";
	struct clm_codebleu c = score1("java", ref, pred);
	(void)state;

	assert_true(c.ref_flows > 0);
	assert_float_equal(c.dataflow, 100, 1e-9);
}

/* A changed flow is seen: y computed from x instead of from a. */
static void dataflow_sees_a_changed_flow(void **state)
{
	const char *ref = "int f(int a) { int x = a; int y = a; return y; }";
	const char *pred = "int f(int a) { int x = a; int y = x; return y; }";
	struct clm_codebleu c = score1("java", ref, pred);
	(void)state;

	assert_true(c.matched_flows < c.ref_flows);
	assert_true(c.matched_flows > 0);
}

static void no_dataflow_does_not_divide_by_zero(void **state)
{
	const char *code = "class A { void f() { } }";
	struct clm_codebleu c = score1("java", code, code);
	const char *refs[] = { code, "int g(int a) { return a; }" }, *preds[] = { code, "int g(int a) { return a; }" };
	(void)state;

	/* as in the reference: no reference flows in the corpus means a data-flow match of 0 */
	assert_int_equal(c.ref_flows, 0);
	assert_float_equal(c.dataflow, 0, 0);
	assert_float_equal(c.score, 75, 1e-9);
	assert_int_equal(clm_codebleu_corpus("java", refs, preds, 2, &c), 0);
	assert_true(c.ref_flows > 0);
	assert_float_equal(c.dataflow, 100, 1e-9);
	assert_int_equal(clm_codebleu_corpus("python", NULL, NULL, 0, &c), 0);
	assert_float_equal(c.score, 0, 0);
	c = score1("python", "", "");
	assert_float_equal(c.score, 0.25 * c.syntax, 1e-9);
}

/* Hand-computed n-gram parts: ref "return x ;", pred "return y ;". Plain precision: unigrams
 * 2/3, no bigram or trigram matches (0.1/2, 0.1/1), no 4-grams (0.1/1). Weighted recall:
 * unigrams (1 + 0.2) / (1 + 0.2 + 0.2) since only "return" is a keyword. */
static void keyword_weighted_ngram_by_hand(void **state)
{
	struct clm_codebleu c = score1("java", "return x ;", "return y ;");
	double plain = exp(0.25 * (log(2.0 / 3.0) + log(0.05) + log(0.1) + log(0.1)));
	double weighted = exp(0.25 * (log(1.2 / 1.4) + log(0.05) + log(0.1) + log(0.1)));
	(void)state;

	assert_float_equal(c.ngram, 100 * plain, 1e-9);
	assert_float_equal(c.weighted_ngram, 100 * weighted, 1e-9);
}

/* A one-token prediction: the plain part's brevity penalty uses the real reference length
 * (exp(1 - 3/1)); the weighted part, like the reference, counts each reference as 2 tokens
 * (exp(1 - 2/1)). */
static void weighted_ngram_brevity_penalty_as_reference(void **state)
{
	struct clm_codebleu c = score1("java", "return x ;", "return");
	double plain = exp(-2.0) * exp(0.25 * (log(1.0) + log(0.1) + log(0.1) + log(0.1)));
	double weighted = exp(-1.0) * exp(0.25 * (log(1.0 / 1.4) + log(0.05) + log(0.1) + log(0.1)));
	(void)state;

	assert_float_equal(c.ngram, 100 * plain, 1e-9);
	assert_float_equal(c.weighted_ngram, 100 * weighted, 1e-9);
}

/* The reference compares subtrees as ts_node_string S-expressions; collect them here the same
 * way (recursion is fine in this test: the vectors are shallow). */
static size_t sexps(TSNode root, char ***out)
{
	size_t n = 0, cap = 256, sp = 0, stack_cap = 256;
	TSNode *stack = malloc(stack_cap * sizeof(*stack));
	char **v = malloc(cap * sizeof(*v));

	assert_non_null(stack);
	assert_non_null(v);
	stack[sp++] = root;
	while (sp) {
		TSNode x = stack[--sp];
		if (n == cap)
			assert_non_null(v = realloc(v, (cap *= 2) * sizeof(*v)));
		v[n++] = ts_node_string(x);
		for (uint32_t i = 0; i < ts_node_child_count(x); i++) {
			TSNode c = ts_node_child(x, i);
			if (!ts_node_child_count(c))
				continue;
			if (sp == stack_cap)
				assert_non_null(stack = realloc(stack, (stack_cap *= 2) * sizeof(*stack)));
			stack[sp++] = c;
		}
	}
	free(stack);
	*out = v;
	return n;
}

static size_t sexp_matches(TSParser *parser, const char *ref, const char *pred, size_t *total)
{
	TSTree *tr = ts_parser_parse_string(parser, NULL, ref, (uint32_t)strlen(ref));
	TSTree *tp = ts_parser_parse_string(parser, NULL, pred, (uint32_t)strlen(pred));
	char **rs, **ps;
	size_t nr = sexps(ts_tree_root_node(tr), &rs), np = sexps(ts_tree_root_node(tp), &ps), m = 0;

	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < np; b++)
			if (!strcmp(rs[a], ps[b])) {
				m++;
				break;
			}
	for (size_t a = 0; a < nr; a++)
		free(rs[a]);
	for (size_t b = 0; b < np; b++)
		free(ps[b]);
	free(rs);
	free(ps);
	ts_tree_delete(tr);
	ts_tree_delete(tp);
	*total += nr;
	return m;
}

/* Subtree hashes agree with S-expression comparison on perturbed (partly unparsable) code. */
static void syntax_match_equals_sexp_comparison(void **state)
{
	static const char *const cases[][2] = { { "codetrans-L2", "c_sharp" }, { "bugs2fix-L3", "java" } };
	(void)state;

	for (size_t k = 0; k < 2; k++) {
		struct clm_lines ref = CLM_LINES_INIT, pred = CLM_LINES_INIT;
		struct clm_strbuf path = CLM_STRBUF_INIT;
		struct clm_codebleu c;
		size_t matched = 0, total = 0;
		TSParser *parser;

		assert_int_equal(clm_strbuf_addf(&path, "%s/metrics/%s.ref", clm_test_data(), cases[k][0]), 0);
		assert_int_equal(clm_lines_read(path.buf, &ref), 0);
		clm_strbuf_reset(&path);
		assert_int_equal(clm_strbuf_addf(&path, "%s/metrics/%s.pred", clm_test_data(), cases[k][0]), 0);
		assert_int_equal(clm_lines_read(path.buf, &pred), 0);
		assert_int_equal(clm_language_parser(clm_language_by_name(cases[k][1]), &parser), 0);
		for (size_t i = 0; i < ref.n; i++)
			matched += sexp_matches(parser, ref.line[i], pred.line[i], &total);
		assert_int_equal(clm_codebleu_corpus(cases[k][1], ref.line, pred.line, ref.n, &c), 0);
		assert_int_equal(c.ref_subtrees, total);
		assert_int_equal(c.matched_subtrees, matched);
		ts_parser_delete(parser);
		clm_strbuf_release(&path);
		clm_lines_release(&ref);
		clm_lines_release(&pred);
	}
}

/* Reference subtrees with children: program, class_declaration, class_body, field_declaration,
 * integral_type ("int"), variable_declarator; the prediction has the last three unchanged. */
static void syntax_match_by_hand(void **state)
{
	struct clm_codebleu c = score1("java", "class A { int x; }", "class B { int x; int y; }");
	(void)state;

	assert_int_equal(c.ref_subtrees, 6);
	assert_int_equal(c.matched_subtrees, 3);
	assert_float_equal(c.syntax, 50, 1e-9);
}

static void deep_nesting_is_walked_without_recursion(void **state)
{
	struct clm_strbuf code = CLM_STRBUF_INIT;
	struct clm_codebleu c;
	const char *p;
	(void)state;

	assert_int_equal(clm_strbuf_addstr(&code, "int f(int a) { int x = "), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(clm_strbuf_addch(&code, '('), 0);
	assert_int_equal(clm_strbuf_addstr(&code, "a"), 0);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(clm_strbuf_addch(&code, ')'), 0);
	assert_int_equal(clm_strbuf_addstr(&code, "; return x; }"), 0);
	p = code.buf;
	assert_int_equal(clm_codebleu_corpus("java", &p, &p, 1, &c), 0);
	assert_float_equal(c.score, 100, 1e-9);
	assert_true(c.ref_subtrees > 20000);
	clm_strbuf_release(&code);
}

static void unsupported_language_is_refused(void **state)
{
	const char *s = "x";
	struct clm_codebleu c;
	(void)state;

	assert_int_equal(clm_codebleu_corpus("cobol", &s, &s, 1, &c), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "cobol"));
	assert_int_equal(clm_codebleu_corpus("json", &s, &s, 1, &c), CLM_EINVALID);
	assert_string_equal(clm_codebleu_language("csharp"), "c_sharp");
	assert_string_equal(clm_codebleu_language("py"), "python");
	assert_null(clm_codebleu_language("toml"));
}

/* Every language mining finds functions in is scored with CodeBLEU: an identical prediction
 * scores 100 with data flows found, a changed one less; a generation task in a language CodeBLEU
 * does not know is scored with BLEU and says so. */
static void every_mined_language_scores(void **state)
{
	static const struct {
		const char *lang, *ref, *pred;
	} cases[] = {
		{ "go", "func f(a int) int {\n\tx := a + 1\n\tfor i := 0; i < a; i++ {\n\t\tx = x + i\n\t}\n\treturn x\n}",
		  "func f(a int) int {\n\treturn a\n}" },
		{ "javascript", "function f(a) {\n  let x = a + 1;\n  for (const k in a) { x = x + k; }\n  return x;\n}",
		  "function f(a) { return a; }" },
		{ "typescript", "function f(a: number): number {\n  let x = a + 1;\n  x += a;\n  return x;\n}",
		  "function f(a: number): number { return a; }" },
		{ "rust", "fn f(a: i32) -> i32 {\n    let mut x = a + 1;\n    for i in 0..a { x = x + i; }\n    x\n}",
		  "fn f(a: i32) -> i32 { a }" },
		{ "ruby", "def f(a)\n  x = a + 1\n  if a > 0\n    x = a\n  end\n  x\nend", "def f(a)\n  a\nend" },
		{ "c", "int f(int a) {\n  int x = a + 1;\n  while (a > 0) { x = x + a; a--; }\n  return x;\n}",
		  "int f(int a) { return a; }" },
		{ "cpp", "int f(std::vector<int> v) {\n  int x = 0;\n  for (int e : v) { x += e; }\n  return x;\n}",
		  "int f(std::vector<int> v) { return 0; }" },
	};
	struct clm_task_score ts;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ref = cases[i].ref, *pred = cases[i].pred;
		struct clm_codebleu same, other;
		if (clm_codebleu_corpus(cases[i].lang, &ref, &ref, 1, &same) < 0)
			fail_msg("%s: %s", cases[i].lang, clm_error());
		assert_true(same.ref_flows > 0);
		assert_true(fabs(same.score - 100.0) < 1e-9);
		assert_int_equal(clm_codebleu_corpus(cases[i].lang, &ref, &pred, 1, &other), 0);
		assert_true(other.score < same.score);
		assert_int_equal(clm_task_score(CLM_KIND_GENERATE, cases[i].lang, &ref, &ref, 1, &ts), 0);
		assert_string_equal(ts.metric, "codebleu");
	}
	assert_int_equal(clm_task_score(CLM_KIND_GENERATE, "json", &cases[0].ref, &cases[0].ref, 1, &ts), 0);
	assert_string_equal(ts.metric, "bleu");
	assert_true(fabs(ts.score - 100.0) < 1e-9);
}

/* The graph itself: x comes from a and 1; the use of x in return comes from the if parts. */
static void dataflow_graph_shape(void **state)
{
	const char *code = "int f(int a) { int x = a + 1; if (a > 0) { x = a; } else { x = 2; } return x; }";
	const struct clm_language *java = clm_language_by_name("java");
	struct clm_dfg g = CLM_DFG_INIT;
	TSParser *parser;
	TSTree *tree;
	size_t last;
	(void)state;

	assert_int_equal(clm_language_parser(java, &parser), 0);
	tree = ts_parser_parse_string(parser, NULL, code, (uint32_t)strlen(code));
	assert_int_equal(clm_dataflow_extract("java", ts_tree_root_node(tree), code, strlen(code), &g), 0);
	assert_true(g.n > 4);
	for (size_t i = 1; i < g.n; i++)
		assert_true(g.edge[i - 1].pos < g.edge[i].pos);
	last = g.n - 1;
	assert_int_equal(g.edge[last].rel, CLM_DFG_COMES_FROM);
	/* x = a; and x = 2; and, as in the reference (its "else" keyword is a branch that changes
	 * nothing), the declaration too */
	assert_int_equal(g.edge[last].nfrom_pos, 3);
	assert_int_equal(g.edge[last].nfrom_var, 1);
	assert_int_equal(g.edge[last].from_var[0], g.edge[last].var);
	assert_int_equal(clm_dataflow_extract("cobol", ts_tree_root_node(tree), code, strlen(code), &g), CLM_EINVALID);
	clm_dfg_release(&g);
	ts_tree_delete(tree);
	ts_parser_delete(parser);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identical_code_scores_100),
		cmocka_unit_test(renamed_variables_keep_syntax_and_dataflow),
		cmocka_unit_test(dataflow_ignores_declaration_order),
		cmocka_unit_test(dataflow_sees_a_changed_flow),
		cmocka_unit_test(no_dataflow_does_not_divide_by_zero),
		cmocka_unit_test(keyword_weighted_ngram_by_hand),
		cmocka_unit_test(weighted_ngram_brevity_penalty_as_reference),
		cmocka_unit_test(syntax_match_by_hand),
		cmocka_unit_test(syntax_match_equals_sexp_comparison),
		cmocka_unit_test(deep_nesting_is_walked_without_recursion),
		cmocka_unit_test(unsupported_language_is_refused),
		cmocka_unit_test(every_mined_language_scores),
		cmocka_unit_test(dataflow_graph_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
