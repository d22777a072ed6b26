#include "data/pydoc.h"
#include "parsers/functions.h"
#include "parsers/languages.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Add one function with a docstring: the code without the docstring statement, and the
 * docstring's first sentence. */
static int add_function(const char *path, const char *text, const struct clm_function *fn, const char *task,
			size_t max_chars, struct clm_dataset *out)
{
	uint32_t fs = fn->start_byte, fe = fn->end_byte, ds = fn->doc_start, de = fn->doc_end;
	struct clm_strbuf code = CLM_STRBUF_INIT;
	char id[17];
	json_t *prov;
	int rc = 0;

	if (fe - fs > max_chars || ds == de || !fn->summary || strlen(fn->summary) < 8)
		return 0;
	/* Drop the docstring statement and the rest of its line (the next line's indentation stays). */
	while (de < fe && text[de] != '\n')
		de++;
	rc = clm_strbuf_add(&code, text + fs, ds - fs);
	while (!rc && code.len && (code.buf[code.len - 1] == ' ' || code.buf[code.len - 1] == '\t'))
		clm_strbuf_setlen(&code, code.len - 1);
	if (!rc && de < fe)
		rc = clm_strbuf_add(&code, text + de + 1, fe - de - 1);
	clm_strbuf_rtrim(&code);
	if (!rc && code.len) {
		clm_example_content_id(task, code.buf, fn->summary, id);
		prov = json_pack("{s:s, s:[i,i]}", "path", path, "lines", (int)fn->start_line, (int)fn->end_line);
		rc = prov ? clm_dataset_add(out, id, task, CLM_KIND_SUMMARIZE, "python", code.buf, fn->summary, prov)
			  : clm_error_oom();
		json_decref(prov);
	}
	clm_strbuf_release(&code);
	return rc;
}

int clm_pydoc_extract(const char *path, const char *text, size_t len, const char *task, size_t max_chars,
		      struct clm_dataset *out)
{
	const struct clm_language *py = clm_language_by_name("python");
	struct clm_function_list fns = { 0 };
	TSParser *parser;
	TSTree *tree;
	int rc;

	if (!py)
		return clm_error_set(CLM_ENOTFOUND, "no Python grammar");
	if ((rc = clm_language_parser(py, &parser)) < 0)
		return rc;
	tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
	rc = tree ? clm_functions_extract(py, tree, text, len, &fns) : clm_error_set(CLM_EINVALID, "%s: cannot parse", path);
	for (size_t i = 0; !rc && i < fns.n; i++)
		rc = add_function(path, text, &fns.items[i], task, max_chars, out);
	clm_function_list_release(&fns);
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
