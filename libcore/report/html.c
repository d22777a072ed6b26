#include "report/html.h"
#include "report/markup.h"
#include "report/svg.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Series and cells are told apart by shape, dash and printed values; colour only helps. */
static const char page_style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1180px;"
	"padding:16px;color:#1b1f24;background:#fff}"
	"h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #ccd}"
	"code,pre{font:13px/1.35 ui-monospace,'DejaVu Sans Mono',monospace}"
	"pre{white-space:pre-wrap;word-break:break-word;background:#f4f5f7;padding:6px 8px;margin:0;border:1px solid #dde}"
	".cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}"
	".card{border:1px solid #ccd;padding:6px 12px;min-width:120px}.card b{display:block;font-size:1.3em}"
	".scroll{overflow-x:auto}table{border-collapse:collapse;margin:6px 0}"
	"th,td{border:1px solid #ccd;padding:3px 7px;text-align:left;vertical-align:top}th{background:#eef0f4}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"svg{width:100%;height:auto;max-width:100%;display:block}svg.linechart{min-width:560px}svg.heatmap{width:var(--w,100%);max-width:none}svg.barchart{max-width:760px}"
	"svg text{font:11px system-ui,sans-serif;fill:#1b1f24}svg text.value.dark{fill:#fff}"
	"svg .grid{stroke:#dde}svg .zero{stroke:#888}svg .hatch{stroke:#99a;stroke-width:2}"
	"svg .release{stroke:#555;stroke-dasharray:2 3}svg text.release-label{font-weight:600}"
	"svg .series{fill:none;stroke-width:2}svg .s0{stroke:#1f4e8c;fill:#1f4e8c}svg .s1{stroke:#b4441c;fill:#b4441c}"
	"svg .s2{stroke:#2f7d32;fill:#2f7d32}svg path.series{fill:none}svg .mark.hollow{fill:#fff;stroke:#000}"
	"svg .cross{stroke-width:2;fill:none}svg .bar{fill:#4a78b5}svg .errorbar{stroke:#000;stroke-width:1.5;fill:none}"
	".examples{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:6px;margin:6px 0 14px}"
	".examples h4{margin:0;font-size:.85em;color:#445}"
	".muted{color:#556}tr.head{font-weight:600}"
	"@media (max-width:700px){body{padding:8px;font-size:14px}.examples{grid-template-columns:1fr}}"
	"@media print{body{max-width:none}section{break-inside:avoid-page}details{display:block}"
	"pre{white-space:pre-wrap}a{color:inherit}}";

static int esc(struct clm_strbuf *out, const char *s)
{
	return clm_markup_escape(out, s);
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A score as the tables print it: two decimals, or "n/a" for a missing value. */
static void fmt_num(const json_t *v, char out[32])
{
	if (json_is_number(v) && isfinite(json_number_value(v)))
		snprintf(out, 32, "%.2f", json_number_value(v));
	else
		snprintf(out, 32, "n/a");
}

static double num_or_nan(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int num_cell(struct clm_strbuf *out, const json_t *v)
{
	char n[32];
	fmt_num(v, n);
	return clm_strbuf_addf(out, "<td class=\"num\">%s</td>", n);
}

static int text_cell(struct clm_strbuf *out, const char *s)
{
	int rc = clm_strbuf_addstr(out, "<td>");
	if (rc == 0)
		rc = esc(out, s);
	return rc ? rc : clm_strbuf_addstr(out, "</td>");
}

static int short_cell(struct clm_strbuf *out, const char *oid)
{
	char s[13];
	snprintf(s, sizeof(s), "%.12s", oid);
	return clm_strbuf_addf(out, "<td><code>%s</code></td>", s);
}

/* n labels "<prefix><first>", "<prefix><first+1>", ...; free with free_labels. */
static char **numbered_labels(const char *prefix, size_t first, size_t n)
{
	char **l = calloc(n ? n : 1, sizeof(*l));

	for (size_t i = 0; l && i < n; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%s%zu", prefix, first + i);
		if (!(l[i] = strdup(buf))) {
			for (size_t k = 0; k < i; k++)
				free(l[k]);
			free(l);
			return NULL;
		}
	}
	return l;
}

static void free_labels(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i]);
	free(l);
}

static int header(struct clm_strbuf *out, const json_t *r)
{
	const json_t *sum = json_object_get(json_object_get(r, "matrix"), "summary");
	char avg[32], fgt[32], bwt[32], head[13];
	int rc = clm_strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
					"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
					"<title>git clmodel report: ");

	fmt_num(json_object_get(sum, "average"), avg);
	fmt_num(json_object_get(sum, "forgetting"), fgt);
	fmt_num(json_object_get(sum, "bwt"), bwt);
	snprintf(head, sizeof(head), "%.12s", str(r, "head"));
	if (rc == 0)
		rc = esc(out, str(r, "model"));
	if (rc == 0)
		rc = clm_strbuf_addf(out, "</title><style>%s</style></head><body><header><h1>Model ", page_style);
	if (rc == 0)
		rc = esc(out, str(r, "model"));
	if (rc == 0)
		rc = clm_strbuf_addf(out,
				     "</h1><p class=\"muted\">head version <code>%s</code> &middot; %zu versions &middot; "
				     "%zu tasks learned &middot; %zu candidate%s kept aside</p></header>"
				     "<div class=\"cards\" id=\"summary\"><div class=\"card\">average score<b id=\"avg\">%s</b></div>"
				     "<div class=\"card\">forgetting<b id=\"forgetting\">%s</b></div>"
				     "<div class=\"card\">backward transfer<b id=\"bwt\">%s</b></div></div>",
				     head, json_array_size(json_object_get(r, "versions")), json_array_size(json_object_get(r, "tasks")),
				     json_array_size(json_object_get(r, "candidates")),
				     json_array_size(json_object_get(r, "candidates")) == 1 ? "" : "s", avg, fgt, bwt);
	return rc;
}

static int task_key_table(struct clm_strbuf *out, const json_t *tasks)
{
	size_t i;
	const json_t *t;
	int rc = clm_strbuf_addstr(out, "<div class=\"scroll\"><table class=\"task-key\"><tr><th>task</th><th>dependency</th>"
					"<th>versions</th></tr>");

	json_array_foreach(tasks, i, t) {
		const char *id = json_string_value(t), *slash = id ? strrchr(id, '/') : NULL;
		char *pkg = slash ? strndup(id, (size_t)(slash - id)) : strdup(id ? id : "");
		if (!pkg)
			return clm_error_oom();
		rc = clm_strbuf_addf(out, "<tr><td>T%zu</td>", i + 1);
		if (rc == 0)
			rc = text_cell(out, pkg);
		if (rc == 0)
			rc = text_cell(out, slash ? slash + 1 : "");
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</tr>");
		free(pkg);
		if (rc)
			return rc;
	}
	return clm_strbuf_addstr(out, "</table></div>");
}

static int matrix_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *m = json_object_get(r, "matrix"), *tasks = json_object_get(m, "tasks"), *rows = json_object_get(m, "R");
	size_t n = json_array_size(tasks);
	double *values = NULL;
	char **labels = NULL;
	int rc = clm_strbuf_addstr(out, "<section id=\"matrix\"><h2>Accuracy matrix</h2>");

	if (rc == 0 && !n)
		return clm_strbuf_addstr(out, "<p>No task learned yet: run <code>git clmodel update</code>.</p></section>");
	values = malloc(n * n * sizeof(*values));
	labels = numbered_labels("T", 1, n);
	if (!values || !labels)
		rc = clm_error_oom();
	for (size_t i = 0; rc == 0 && i < n; i++)
		for (size_t j = 0; j < n; j++)
			values[i * n + j] = num_or_nan(json_array_get(json_array_get(rows, i), j));
	if (rc == 0)
		rc = clm_strbuf_addf(out, "<p>R[i][j]: the score on task j (column) after learning task i (row). Darker is "
					  "higher, from 0 to the highest score; hatched cells are tasks not learned yet.</p>"
					  "<div class=\"scroll\" style=\"--w:%zupx\">", (48 + 56 * n + 4) * 3 / 2);
	if (rc == 0) {
		struct clm_heatmap h = { n, n, values, (const char *const *)labels, (const char *const *)labels,
					 "Accuracy matrix: score on each task after each update" };
		rc = clm_svg_heatmap(out, &h);
	}
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</div>");
	if (rc == 0)
		rc = task_key_table(out, tasks);
	free(values);
	free_labels(labels, n);
	return rc ? rc : clm_strbuf_addstr(out, "</section>");
}

/* x position of version `hex` in the history, or -1. */
static long version_index(const json_t *versions, const char *hex)
{
	size_t i;
	const json_t *v;

	json_array_foreach(versions, i, v)
		if (!strcmp(str(v, "version"), hex))
			return (long)i;
	return -1;
}

/* "pin v1.0, tag v1.1" for a version's marks (NULL when it has none); caller frees. */
static char *marks_text(const json_t *marks)
{
	struct clm_strbuf sb;
	size_t i;
	const json_t *m;

	if (!json_array_size(marks))
		return NULL;
	clm_strbuf_init(&sb);
	json_array_foreach(marks, i, m)
		clm_strbuf_addf(&sb, "%s%s %s", i ? ", " : "", str(m, "kind"), str(m, "name"));
	return clm_strbuf_detach(&sb, NULL);
}

static int history_chart(struct clm_strbuf *out, const json_t *r)
{
	static const char *const keys[3] = { "average", "forgetting", "bwt" };
	static const char *const names[3] = { "average", "forgetting", "backward transfer" };
	const json_t *versions = json_object_get(r, "versions"), *cands = json_object_get(r, "candidates");
	size_t n = json_array_size(versions), nc = json_array_size(cands), npoints = 0;
	double *y = calloc(3 * (n ? n : 1), sizeof(*y));
	/* v0 is the base model, so v1 is the first learned version, as log counts them. */
	char **xl = numbered_labels("v", 0, n), **marks = calloc(n ? n : 1, sizeof(*marks));
	char **plabels = calloc(nc ? nc : 1, sizeof(*plabels));
	struct clm_chart_point *points = calloc(nc ? nc : 1, sizeof(*points));
	struct clm_series series[3];
	int rc = y && xl && marks && plabels && points ? 0 : clm_error_oom();

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const json_t *v = json_array_get(versions, i);
		for (int s = 0; s < 3; s++)
			y[s * n + i] = num_or_nan(json_object_get(v, keys[s]));
		marks[i] = marks_text(json_object_get(v, "marks"));
	}
	for (int s = 0; s < 3; s++)
		series[s] = (struct clm_series){ names[s], y + s * n, (enum clm_marker)s, s == 0 ? NULL : s == 1 ? "6 3" : "2 3" };
	for (size_t k = 0; rc == 0 && k < nc; k++) {
		const json_t *c = json_array_get(cands, k);
		long at = version_index(versions, str(c, "parent"));
		char buf[64];
		if (at < 0)
			continue;
		snprintf(buf, sizeof(buf), "candidate %s", strrchr(str(c, "ref"), '/') ? strrchr(str(c, "ref"), '/') + 1 : "");
		plabels[npoints] = strdup(buf);
		points[npoints] = (struct clm_chart_point){ (double)at + 0.5, num_or_nan(json_object_get(c, "average")),
							    plabels[npoints] };
		npoints++;
	}
	if (rc == 0) {
		struct clm_line_chart lc = { n, (const char *const *)xl, (const char *const *)marks, 3, series, npoints, points,
					     "Average score, forgetting and backward transfer across versions" };
		rc = clm_svg_line_chart(out, &lc);
	}
	free_labels(xl, n);
	free_labels(marks, n);
	free_labels(plabels, nc);
	free(points);
	free(y);
	return rc;
}

/* "7 of 10" kept (in whole or part) of the resolved suggestions, as git clmodel monitor noted. */
static int uptake_cell(struct clm_strbuf *out, const json_t *m)
{
	json_int_t kept = json_integer_value(json_object_get(m, "kept")) + json_integer_value(json_object_get(m, "partly"));
	json_int_t resolved = kept + json_integer_value(json_object_get(m, "dropped"));

	if (!json_is_object(m))
		return clm_strbuf_addstr(out, "<td class=\"num\">n/a</td>");
	return clm_strbuf_addf(out, "<td class=\"num\">%lld of %lld</td>", (long long)kept, (long long)resolved);
}

static int history_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *versions = json_object_get(r, "versions"), *v;
	size_t i;
	int rc = clm_strbuf_addstr(out, "<section id=\"history\"><h2>Across versions</h2><p>Solid line with circles: "
					"average score; dashed with squares: forgetting; dotted with triangles: backward "
					"transfer. Dashed rules mark pinned and tagged releases; crosses are candidates that "
					"failed the gate, drawn after the version they were built on.</p>");

	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<div class=\"scroll\">");
	if (rc == 0)
		rc = history_chart(out, r);
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</div>");
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<div class=\"scroll\"><table id=\"versions\"><tr><th>#</th><th>version</th>"
					    "<th>task</th><th>strategy</th><th>average</th><th>forgetting</th><th>bwt</th>"
					    "<th>suggestions kept</th><th>releases</th></tr>");
	json_array_foreach(versions, i, v) {
		char *marks = marks_text(json_object_get(v, "marks"));
		if (rc == 0)
			rc = clm_strbuf_addf(out, "<tr%s><td>v%zu%s</td>", json_is_true(json_object_get(v, "head")) ? " class=\"head\"" : "",
					     i, json_is_true(json_object_get(v, "head")) ? " (head)" : "");
		if (rc == 0)
			rc = short_cell(out, str(v, "version"));
		if (rc == 0)
			rc = text_cell(out, str(v, "task"));
		if (rc == 0)
			rc = text_cell(out, str(v, "strategy"));
		if (rc == 0)
			rc = num_cell(out, json_object_get(v, "average"));
		if (rc == 0)
			rc = num_cell(out, json_object_get(v, "forgetting"));
		if (rc == 0)
			rc = num_cell(out, json_object_get(v, "bwt"));
		if (rc == 0)
			rc = uptake_cell(out, json_object_get(v, "monitor"));
		if (rc == 0)
			rc = text_cell(out, marks ? marks : "");
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</tr>");
		free(marks);
	}
	return rc ? rc : clm_strbuf_addstr(out, "</table></div></section>");
}

static int candidates_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *cands = json_object_get(r, "candidates"), *c;
	size_t i;
	int rc = clm_strbuf_addstr(out, "<section id=\"candidates\"><h2>Candidates that failed the gate</h2>");

	if (rc == 0 && !json_array_size(cands))
		return clm_strbuf_addstr(out, "<p>None.</p></section>");
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<div class=\"scroll\"><table><tr><th>candidate</th><th>version</th><th>task</th>"
					    "<th>average</th><th>forgetting</th><th>reason</th></tr>");
	json_array_foreach(cands, i, c) {
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "<tr>");
		if (rc == 0)
			rc = text_cell(out, str(c, "ref"));
		if (rc == 0)
			rc = short_cell(out, str(c, "version"));
		if (rc == 0)
			rc = text_cell(out, str(c, "task"));
		if (rc == 0)
			rc = num_cell(out, json_object_get(c, "average"));
		if (rc == 0)
			rc = num_cell(out, json_object_get(c, "forgetting"));
		if (rc == 0)
			rc = text_cell(out, json_is_string(json_object_get(c, "reason")) ? str(c, "reason") : "not recorded");
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</tr>");
	}
	return rc ? rc : clm_strbuf_addstr(out, "</table></div></section>");
}

/* {"refine":2,"generate":1} -> "refine 2, generate 1" */
static int counts_cell(struct clm_strbuf *out, const json_t *counts)
{
	const char *key;
	const json_t *v;
	int first = 1, rc = clm_strbuf_addstr(out, "<td>");

	json_object_foreach((json_t *)counts, key, v) {
		if (rc == 0)
			rc = clm_strbuf_addstr(out, first ? "" : ", ");
		if (rc == 0)
			rc = esc(out, key);
		if (rc == 0)
			rc = clm_strbuf_addf(out, " %lld", (long long)json_integer_value(v));
		first = 0;
	}
	return rc ? rc : clm_strbuf_addstr(out, "</td>");
}

static int pre_block(struct clm_strbuf *out, const char *title, const char *cls, const char *code)
{
	int rc = clm_strbuf_addf(out, "<div class=\"%s\"><h4>%s</h4><pre><code>", cls, title);
	if (rc == 0)
		rc = esc(out, code);
	return rc ? rc : clm_strbuf_addstr(out, "</code></pre></div>");
}

static int task_examples(struct clm_strbuf *out, size_t index, const json_t *t)
{
	const json_t *examples = json_object_get(t, "examples"), *ex;
	size_t i;
	int rc = 0;

	if (!json_array_size(examples))
		return 0;
	rc = clm_strbuf_addf(out, "<details open><summary>T%zu ", index + 1);
	if (rc == 0)
		rc = esc(out, str(t, "id"));
	if (rc == 0)
		rc = clm_strbuf_addf(out, ": %zu example%s%s</summary>", json_array_size(examples),
				     json_array_size(examples) == 1 ? "" : "s",
				     json_is_true(json_object_get(t, "examples_from_training_split"))
					     ? " (from the training split: nothing was held out)"
					     : "");
	json_array_foreach(examples, i, ex) {
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "<p class=\"muted\">");
		if (rc == 0)
			rc = esc(out, str(ex, "kind"));
		if (rc == 0)
			rc = clm_strbuf_addstr(out, ", ");
		if (rc == 0)
			rc = esc(out, str(ex, "lang"));
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</p><div class=\"examples\">");
		if (rc == 0)
			rc = pre_block(out, "before (input)", "source", str(ex, "source"));
		if (rc == 0)
			rc = pre_block(out, "after (reference)", "target", str(ex, "target"));
		if (rc == 0)
			rc = pre_block(out, "head's prediction", "prediction", str(ex, "prediction"));
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</div>");
	}
	return rc ? rc : clm_strbuf_addstr(out, "</details>");
}

static int tasks_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *tasks = json_object_get(r, "tasks"), *t;
	size_t i;
	int rc = clm_strbuf_addstr(out, "<section id=\"tasks\"><h2>Tasks</h2><div class=\"scroll\"><table id=\"task-table\">"
					"<tr><th>#</th><th>dependency</th><th>versions</th><th>kinds</th><th>languages</th>"
					"<th>train</th><th>valid</th><th>test</th><th>source commits</th></tr>");

	json_array_foreach(tasks, i, t) {
		const json_t *counts = json_object_get(t, "counts"), *c;
		size_t k;
		if (rc == 0)
			rc = clm_strbuf_addf(out, "<tr><td>T%zu</td>", i + 1);
		if (rc == 0)
			rc = text_cell(out, str(t, "package"));
		if (rc == 0)
			rc = text_cell(out, str(t, "range"));
		if (rc == 0)
			rc = counts_cell(out, json_object_get(t, "kinds"));
		if (rc == 0)
			rc = counts_cell(out, json_object_get(t, "langs"));
		if (rc == 0)
			rc = clm_strbuf_addf(out, "<td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td>",
					     (long long)json_integer_value(json_object_get(counts, "train")),
					     (long long)json_integer_value(json_object_get(counts, "valid")),
					     (long long)json_integer_value(json_object_get(counts, "test")));
		json_array_foreach(json_object_get(t, "commits"), k, c) {
			if (rc == 0)
				rc = clm_strbuf_addstr(out, k ? " <code>" : "<code>");
			if (rc == 0)
				rc = esc(out, json_string_value(c));
			if (rc == 0)
				rc = clm_strbuf_addstr(out, "</code>");
		}
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "</td></tr>");
	}
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</table></div><h3>Examples with the head's predictions</h3>");
	json_array_foreach(tasks, i, t)
		if (rc == 0)
			rc = task_examples(out, i, t);
	return rc ? rc : clm_strbuf_addstr(out, "</section>");
}

/* One heatmap of key selections: rows are tasks, columns only the keys some task chose. */
static int selection_map(struct clm_strbuf *out, const json_t *sel, const char *which, const char *title)
{
	const json_t *counts = json_object_get(sel, which);
	size_t rows = json_array_size(counts), keys = (size_t)json_integer_value(json_object_get(sel, "keys")), used = 0;
	size_t *cols = calloc(keys ? keys : 1, sizeof(*cols));
	char **row_labels = numbered_labels("T", 1, rows), **col_labels = NULL;
	double *values = NULL;
	int rc = cols && row_labels ? 0 : clm_error_oom();

	for (size_t k = 0; rc == 0 && k < keys; k++)
		for (size_t i = 0; i < rows; i++)
			if (json_integer_value(json_array_get(json_array_get(counts, i), k)) > 0) {
				cols[used++] = k;
				break;
			}
	if (rc == 0 && !used) {
		rc = clm_strbuf_addf(out, "<p>%s: no selections recorded.</p>", title);
		goto cleanup;
	}
	col_labels = calloc(used, sizeof(*col_labels));
	values = calloc(rows * used, sizeof(*values));
	if (rc == 0 && (!col_labels || !values))
		rc = clm_error_oom();
	for (size_t j = 0; rc == 0 && j < used; j++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "k%zu", cols[j]);
		if (!(col_labels[j] = strdup(buf)))
			rc = clm_error_oom();
		for (size_t i = 0; i < rows; i++) {
			json_int_t v = json_integer_value(json_array_get(json_array_get(counts, i), cols[j]));
			values[i * used + j] = v > 0 ? (double)v : NAN;
		}
	}
	if (rc == 0)
		rc = clm_strbuf_addf(out, "<h3>%s</h3><div class=\"scroll\" style=\"--w:%zupx\">", title, (48 + 56 * used + 4) * 3 / 2);
	if (rc == 0) {
		struct clm_heatmap h = { rows, used, values, (const char *const *)row_labels, (const char *const *)col_labels,
					 title };
		rc = clm_svg_heatmap(out, &h);
	}
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</div>");
cleanup:
	free_labels(col_labels, used);
	free_labels(row_labels, rows);
	free(values);
	free(cols);
	return rc;
}

static int selection_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *sel = json_object_get(r, "selection");
	int rc;

	if (!json_is_object(sel))
		return 0;
	rc = clm_strbuf_addstr(out, "<section id=\"selection\"><h2>Prompt keys chosen per task</h2><p>How often each key "
				    "of the prompt pool was selected for each task's examples (T numbers as in the "
				    "accuracy matrix; keys nobody chose are left out; hatched: never chosen).</p>");
	if (rc == 0)
		rc = selection_map(out, sel, "infer", "At inference (evaluation and suggest)");
	if (rc == 0)
		rc = selection_map(out, sel, "train", "In training");
	return rc ? rc : clm_strbuf_addstr(out, "</section>");
}

/* "12.30 [10.10, 14.50]" when the benchmark gives an interval for the value. */
static int value_with_ci(struct clm_strbuf *out, const json_t *row, const char *key)
{
	char ci_key[64], v[32], lo[32], hi[32];
	const json_t *ci;

	snprintf(ci_key, sizeof(ci_key), "%s_ci", key);
	ci = json_object_get(row, ci_key);
	fmt_num(json_object_get(row, key), v);
	if (json_array_size(ci) == 2) {
		fmt_num(json_array_get(ci, 0), lo);
		fmt_num(json_array_get(ci, 1), hi);
		return clm_strbuf_addf(out, "<td class=\"num\">%s [%s, %s]</td>", v, lo, hi);
	}
	return clm_strbuf_addf(out, "<td class=\"num\">%s</td>", v);
}

static int bench_section(struct clm_strbuf *out, const json_t *r)
{
	const json_t *bench = json_object_get(r, "bench"), *rows = json_object_get(bench, "rows"), *row;
	size_t n = json_array_size(rows), i;
	const char **labels = calloc(n ? n : 1, sizeof(*labels));
	double *avg = calloc(n ? n : 1, sizeof(*avg)), *lo = calloc(n ? n : 1, sizeof(*lo)), *hi = calloc(n ? n : 1, sizeof(*hi));
	int rc = labels && avg && lo && hi ? 0 : clm_error_oom();

	if (!json_is_object(bench))
		goto cleanup;
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<section id=\"bench\"><h2>CodeTask benchmark: strategies side by side</h2>"
					    "<p>Average final score and forgetting per strategy; bars show the average, "
					    "whiskers its 95% confidence interval where the benchmark gives one.</p>");
	json_array_foreach(rows, i, row) {
		const json_t *ci = json_object_get(row, "average_ci");
		labels[i] = str(row, "strategy");
		avg[i] = num_or_nan(json_object_get(row, "average"));
		lo[i] = json_array_size(ci) == 2 ? num_or_nan(json_array_get(ci, 0)) : NAN;
		hi[i] = json_array_size(ci) == 2 ? num_or_nan(json_array_get(ci, 1)) : NAN;
	}
	if (rc == 0) {
		struct clm_bar_chart bc = { n, labels, avg, lo, hi, "Average final score per strategy" };
		rc = clm_svg_bar_chart(out, &bc);
	}
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<div class=\"scroll\"><table id=\"bench-table\"><tr><th>strategy</th><th>average</th>"
					    "<th>forgetting</th><th>backward transfer</th><th>trainable</th></tr>");
	json_array_foreach(rows, i, row) {
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "<tr>");
		if (rc == 0)
			rc = text_cell(out, str(row, "strategy"));
		if (rc == 0)
			rc = value_with_ci(out, row, "average");
		if (rc == 0)
			rc = value_with_ci(out, row, "forgetting");
		if (rc == 0)
			rc = value_with_ci(out, row, "bwt");
		if (rc == 0)
			rc = clm_strbuf_addf(out, "<td class=\"num\">%lld</td></tr>",
					     (long long)json_integer_value(json_object_get(row, "trainable")));
	}
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</table></div></section>");
cleanup:
	free(labels);
	free(avg);
	free(lo);
	free(hi);
	return rc;
}

int clm_report_html(const json_t *report, struct clm_strbuf *out)
{
	int rc = header(out, report);

	if (rc == 0)
		rc = matrix_section(out, report);
	if (rc == 0)
		rc = history_section(out, report);
	if (rc == 0)
		rc = candidates_section(out, report);
	if (rc == 0)
		rc = tasks_section(out, report);
	if (rc == 0)
		rc = selection_section(out, report);
	if (rc == 0)
		rc = bench_section(out, report);
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<footer><p class=\"muted\">Made by <code>git clmodel report</code>: one file, no "
					    "scripts, nothing loaded from the network.</p></footer></body></html>\n");
	return rc;
}
