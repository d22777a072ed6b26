#include "data/pydoc.h"
#include "parsers/languages.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The docstring node of a function definition: its body's first statement when that is a string. */
static TSNode docstring_of(TSNode fn)
{
	TSNode body = ts_node_child_by_field_name(fn, "body", 4), first, str = { 0 };

	if (ts_node_is_null(body) || !ts_node_named_child_count(body))
		return str;
	first = ts_node_named_child(body, 0);
	if (strcmp(ts_node_type(first), "expression_statement") || ts_node_named_child_count(first) != 1)
		return str;
	str = ts_node_named_child(first, 0);
	return strcmp(ts_node_type(str), "string") ? (TSNode){ 0 } : first;
}

/* First non-empty line of a docstring literal, quotes and prefixes removed; "" when none. */
static int summary_line(const char *lit, size_t len, struct clm_strbuf *out)
{
	size_t i = 0, end;

	while (i < len && strchr("rRuUbBfF", lit[i]))
		i++;
	while (i < len && (lit[i] == '"' || lit[i] == '\''))
		i++;
	end = len;
	while (end > i && (lit[end - 1] == '"' || lit[end - 1] == '\''))
		end--;
	while (i < end && (lit[i] == ' ' || lit[i] == '\t' || lit[i] == '\n' || lit[i] == '\r'))
		i++;
	clm_strbuf_reset(out);
	while (i < end && lit[i] != '\n')
		if (clm_strbuf_addch(out, lit[i++]) < 0)
			return CLM_ENOMEM;
	clm_strbuf_rtrim(out);
	return 0;
}

static int add_function(const char *path, const char *text, TSNode fn, TSNode doc, const char *task,
			size_t max_chars, struct clm_dataset *out)
{
	uint32_t fs = ts_node_start_byte(fn), fe = ts_node_end_byte(fn);
	uint32_t ds = ts_node_start_byte(doc), de = ts_node_end_byte(doc);
	TSNode lit = ts_node_named_child(doc, 0);
	struct clm_strbuf code = CLM_STRBUF_INIT, summary = CLM_STRBUF_INIT;
	char id[17];
	json_t *prov;
	int rc;

	if (fe - fs > max_chars)
		return 0;
	rc = summary_line(text + ts_node_start_byte(lit), ts_node_end_byte(lit) - ts_node_start_byte(lit), &summary);
	/* Drop the docstring statement and the rest of its line (indentation of the next one stays). */
	while (!rc && de < fe && text[de] != '\n')
		de++;
	if (!rc)
		rc = clm_strbuf_add(&code, text + fs, ds - fs);
	while (!rc && code.len && (code.buf[code.len - 1] == ' ' || code.buf[code.len - 1] == '\t'))
		clm_strbuf_setlen(&code, code.len - 1);
	if (!rc && de < fe)
		rc = clm_strbuf_add(&code, text + de + 1, fe - de - 1);
	if (!rc && summary.len >= 8 && code.len) {
		TSPoint p0 = ts_node_start_point(fn), p1 = ts_node_end_point(fn);
		clm_example_content_id(task, code.buf, summary.buf, id);
		prov = json_pack("{s:s, s:[i,i]}", "path", path, "lines", (int)p0.row + 1, (int)p1.row + 1);
		rc = prov ? clm_dataset_add(out, id, task, CLM_KIND_SUMMARIZE, "python", code.buf, summary.buf, prov)
			  : clm_error_oom();
		json_decref(prov);
	}
	clm_strbuf_release(&code);
	clm_strbuf_release(&summary);
	return rc;
}

static int walk(const char *path, const char *text, TSNode node, const char *task, size_t max_chars,
		struct clm_dataset *out)
{
	uint32_t n = ts_node_named_child_count(node);
	int rc = 0;

	if (!strcmp(ts_node_type(node), "function_definition")) {
		TSNode doc = docstring_of(node);
		if (!ts_node_is_null(doc))
			rc = add_function(path, text, node, doc, task, max_chars, out);
	}
	for (uint32_t i = 0; i < n && !rc; i++)
		rc = walk(path, text, ts_node_named_child(node, i), task, max_chars, out);
	return rc;
}

int clm_pydoc_extract(const char *path, const char *text, size_t len, const char *task, size_t max_chars,
		      struct clm_dataset *out)
{
	const struct clm_language *py = clm_language_by_name("python");
	TSParser *parser;
	TSTree *tree;
	int rc;

	if (!py)
		return clm_error_set(CLM_ENOTFOUND, "no Python grammar");
	if ((rc = clm_language_parser(py, &parser)) < 0)
		return rc;
	tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
	rc = tree ? walk(path, text, ts_tree_root_node(tree), task, max_chars, out)
		  : clm_error_set(CLM_EINVALID, "%s: cannot parse", path);
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	return rc;
}

static int skip_entry(const struct dirent *e)
{
	return e->d_name[0] != '.' && strcmp(e->d_name, "test") && strcmp(e->d_name, "tests") &&
	       strcmp(e->d_name, "__pycache__") && strcmp(e->d_name, "site-packages") &&
	       strcmp(e->d_name, "dist-packages");
}

static int collect_dir(const char *dir, const char *task, size_t max_chars, size_t max_examples,
		       struct clm_dataset *out)
{
	struct dirent **names;
	int n = scandir(dir, &names, skip_entry, alphasort), rc = 0;

	if (n < 0)
		return 0; /* unreadable folders are skipped, as documented */
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		size_t nl = strlen(names[i]->d_name);
		if (!rc && (!max_examples || out->n < max_examples)) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				rc = collect_dir(path, task, max_chars, max_examples, out);
			} else if (S_ISREG(st.st_mode) && nl > 3 && !strcmp(names[i]->d_name + nl - 3, ".py")) {
				struct clm_strbuf text = CLM_STRBUF_INIT;
				if (clm_read_file(path, 4 << 20, &text) == 0)
					rc = clm_pydoc_extract(path, text.buf, text.len, task, max_chars, out);
				clm_strbuf_release(&text);
			}
		}
		free(names[i]);
	}
	free(names);
	if (!rc && max_examples && out->n > max_examples) {
		for (size_t i = max_examples; i < out->n; i++)
			clm_example_release(&out->items[i]);
		out->n = max_examples;
	}
	return rc;
}

int clm_pydoc_collect(const char *root, const char *task, size_t max_chars, size_t max_examples,
		      struct clm_dataset *out)
{
	struct stat st;

	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return clm_error_set(CLM_ENOTFOUND, "%s is not a folder", root);
	return collect_dir(root, task, max_chars, max_examples, out);
}
