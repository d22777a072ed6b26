/* libcore/report: the page drawn from a report document: heatmap cells carry the matrix's values,
 * hatched cells where there is none, series and release marks in the chart, tables, and every
 * string from the repository escaped (script tags, quotes and terminal escapes in each field). */
#include "test_helpers.h"
#include "report/html.h"
#include "report/markup.h"
#include "report/svg.h"
#include "util/strbuf.h"

#include <jansson.h>
#include <math.h>

#define EVIL "<script>alert(\"x\")</script>'\x1b]0;pwned\x07"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static json_t *evil_report(void)
{
	json_error_t err;
	json_t *r = json_pack_ex(&err, 0,
		"{s:s,s:s,"
		"s:[{s:s,s:s,s:s,s:s,s:f,s:f,s:f,s:b,s:[{s:s,s:s}]},"
		"   {s:s,s:s,s:s,s:s,s:f,s:f,s:f,s:b,s:[{s:s,s:s}]}],"
		"s:[{s:s,s:s,s:s,s:s,s:f,s:n,s:s}],"
		"s:{s:[s,s],s:[[f,n],[f,f]],s:{s:f,s:f,s:f}},"
		"s:[{s:s,s:s,s:s,s:{s:i},s:{s:i},s:{s:i,s:i,s:i},s:[s],s:[{s:s,s:s,s:s,s:s,s:s}]}],"
		"s:{s:i,s:[s,s],s:[[i,i,i],[i,i,i]],s:[[i,i,i],[i,i,i]]},"
		"s:{s:[{s:s,s:f,s:[f,f],s:f,s:f,s:i}]}}",
		"model", "m" EVIL, "head", "abcdef0123456789abcdef0123456789abcdef01",
		"versions",
		"version", "1111111111111111111111111111111111111111", "summary", "base " EVIL, "task", "", "strategy", "base",
		"average", 0.0, "forgetting", 0.0, "bwt", 0.0, "head", 0, "marks", "kind", "pin", "name", "v1" EVIL,
		"version", "abcdef0123456789abcdef0123456789abcdef01", "summary", EVIL, "task", "pypi/" EVIL "/1..2",
		"strategy", "pp-tf" EVIL, "average", 42.5, "forgetting", 3.25, "bwt", -1.5, "head", 1, "marks", "kind", "tag",
		"name", "rel" EVIL,
		"candidates", "ref", "refs/clmodel/candidates/default/1", "version", "2222222222222222222222222222222222222222",
		"parent", "1111111111111111111111111111111111111111", "task", EVIL, "average", 7.0, "forgetting", "reason",
		"gate " EVIL,
		"matrix", "tasks", "pypi/" EVIL "/1..2", "npm/b/3..4", "R", 11.0, 12.5, 33.0, "summary", "average", 42.5,
		"forgetting", 3.25, "bwt", -1.5,
		"tasks", "id", "pypi/" EVIL "/1..2", "package", "pypi/" EVIL, "range", "1..2", "kinds", "refine" EVIL, 2,
		"langs", "python", 2, "counts", "train", 5, "valid", 1, "test", 1, "commits", "0123456789ab",
		"examples", "kind", "refine", "lang", "python", "source", "def f(): return '" EVIL "'", "target",
		"x = \"" EVIL "\"", "prediction", EVIL,
		"selection", "keys", 3, "tasks", "a", "b", "train", 4, 0, 1, 0, 0, 2, "infer", 5, 0, 0, 0, 0, 6,
		"bench", "rows", "strategy", "replay" EVIL, "average", 6.5, "average_ci", 5.0, 8.0, "forgetting", 1.0, "bwt",
		-0.5, "trainable", 100);
	assert_non_null(r);
	return r;
}

static void escapes_every_string_from_the_repository(void **state)
{
	(void)state;
	json_t *r = evil_report();
	struct clm_strbuf sb;

	clm_strbuf_init(&sb);
	assert_int_equal(clm_report_html(r, &sb), 0);
	assert_null(strstr(sb.buf, "<script"));
	assert_null(strstr(sb.buf, "\x1b"));
	assert_null(strstr(sb.buf, "\x07"));
	assert_null(strstr(sb.buf, "alert(\"x\")"));
	/* each field that carried the string shows it, escaped */
	assert_true(count(sb.buf, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;") >= 12);
	assert_non_null(strstr(sb.buf, "gate &lt;script&gt;"));
	assert_non_null(strstr(sb.buf, "pin v1&lt;script&gt;"));
	assert_non_null(strstr(sb.buf, "def f(): return &#39;&lt;script&gt;"));
	json_decref(r);
	clm_strbuf_release(&sb);
}

static void heatmap_cells_carry_the_matrix(void **state)
{
	(void)state;
	json_t *r = evil_report();
	struct clm_strbuf sb;

	clm_strbuf_init(&sb);
	assert_int_equal(clm_report_html(r, &sb), 0);
	/* the accuracy matrix section alone: 3 scored cells, one hatched (task 2 before it was learned) */
	char *matrix = strstr(sb.buf, "<section id=\"matrix\">"), *end = strstr(sb.buf, "<section id=\"history\">");
	assert_non_null(matrix);
	assert_non_null(end);
	*end = '\0';
	assert_non_null(strstr(matrix, "data-row=\"0\" data-col=\"0\" data-value=\"11.00\""));
	assert_non_null(strstr(matrix, "data-row=\"1\" data-col=\"0\" data-value=\"12.50\""));
	assert_non_null(strstr(matrix, "data-row=\"1\" data-col=\"1\" data-value=\"33.00\""));
	assert_null(strstr(matrix, "data-row=\"0\" data-col=\"1\""));
	assert_int_equal(count(matrix, "class=\"cell empty\""), 1);
	*end = '<';
	/* printed values, so the map reads without colour */
	assert_non_null(strstr(sb.buf, ">33.00</text>"));
	/* summary cards, the version table, the candidate, tasks, selection, bench */
	assert_non_null(strstr(sb.buf, "<b id=\"avg\">42.50</b>"));
	assert_non_null(strstr(sb.buf, "<b id=\"bwt\">-1.50</b>"));
	assert_non_null(strstr(sb.buf, "v1 (head)"));
	assert_non_null(strstr(sb.buf, "<td class=\"num\">n/a</td>")); /* the candidate's missing forgetting */
	assert_non_null(strstr(sb.buf, "<code>0123456789ab</code>"));
	assert_non_null(strstr(sb.buf, "id=\"selection\""));
	assert_non_null(strstr(sb.buf, "6.50 [5.00, 8.00]"));
	assert_non_null(strstr(sb.buf, "class=\"errorbar\""));
	/* no script, no external resource */
	assert_null(strstr(sb.buf, "http://"));
	assert_null(strstr(sb.buf, "https://"));
	assert_null(strstr(sb.buf, "src="));
	json_decref(r);
	clm_strbuf_release(&sb);
}

static void line_chart_marks_releases_and_gaps(void **state)
{
	(void)state;
	const double avg[4] = { NAN, 10, 20, 15 }, fgt[4] = { NAN, 0, 1, 4 };
	const char *const xl[4] = { "v0", "v1", "v2", "v3" }, *const marks[4] = { NULL, NULL, "pin v1.0", NULL };
	const struct clm_series series[2] = { { "average", avg, CLM_MARKER_CIRCLE, NULL },
					      { "forgetting", fgt, CLM_MARKER_SQUARE, "6 3" } };
	const struct clm_chart_point pt = { 1.5, 12, "candidate 1" };
	struct clm_line_chart c = { 4, xl, marks, 2, series, 1, &pt, "t" };
	struct clm_strbuf sb;

	clm_strbuf_init(&sb);
	assert_int_equal(clm_svg_line_chart(&sb, &c), 0);
	assert_int_equal(count(sb.buf, "<circle"), 3 + 1); /* three values and the legend sample */
	assert_int_equal(count(sb.buf, "<rect"), 3 + 1);
	assert_int_equal(count(sb.buf, "class=\"release\""), 1);
	assert_non_null(strstr(sb.buf, ">pin v1.0</text>"));
	assert_non_null(strstr(sb.buf, "stroke-dasharray=\"6 3\""));
	assert_non_null(strstr(sb.buf, ">candidate 1</text>"));
	assert_int_equal(count(sb.buf, "mark hollow"), 1);
	clm_strbuf_release(&sb);
}

static void markup_escape_is_complete(void **state)
{
	(void)state;
	struct clm_strbuf sb;

	clm_strbuf_init(&sb);
	assert_int_equal(clm_markup_escape(&sb, "a&b<c>d\"e'f\tg\nh\x01i\x7f"), 0);
	assert_string_equal(sb.buf, "a&amp;b&lt;c&gt;d&quot;e&#39;f\tg\nh\xef\xbf\xbdi\xef\xbf\xbd");
	clm_strbuf_reset(&sb);
	assert_int_equal(clm_markup_escape(&sb, NULL), 0);
	assert_string_equal(sb.buf, "");
	clm_strbuf_release(&sb);
}

static void empty_report_says_what_to_do(void **state)
{
	(void)state;
	json_t *r = json_pack("{s:s,s:s,s:[],s:[],s:n,s:[]}", "model", "default", "head", "0000", "versions",
			      "candidates", "matrix", "tasks");
	struct clm_strbuf sb;

	clm_strbuf_init(&sb);
	assert_int_equal(clm_report_html(r, &sb), 0);
	assert_non_null(strstr(sb.buf, "No task learned yet"));
	assert_non_null(strstr(sb.buf, "<b id=\"avg\">n/a</b>"));
	assert_null(strstr(sb.buf, "id=\"bench\""));
	json_decref(r);
	clm_strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(escapes_every_string_from_the_repository),
		cmocka_unit_test(heatmap_cells_carry_the_matrix),
		cmocka_unit_test(line_chart_marks_releases_and_gaps),
		cmocka_unit_test(markup_escape_is_complete),
		cmocka_unit_test(empty_report_says_what_to_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
