#include "data/pysummarize.h"
#include "data/function_texts.h"
#include "data/mined_example.h"
#include "parsers/functions.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/idset.h"
#include "util/jsonl.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PYSUM_MAX_FILE (1024 * 1024)

struct summarizer {
	const char *root, *task;
	size_t root_len, max_tokens, max_examples;
	FILE *out;
	TSParser *parser;
	const struct clm_language *lang;
	char grammar[64];
	struct clm_idset seen;
	struct clm_pysummarize_stats *st;
};

static int skip_dir(const char *name)
{
	return name[0] == '.' || !strcmp(name, "__pycache__") || !strcmp(name, "test") || !strcmp(name, "tests");
}

static int full(const struct summarizer *s)
{
	return s->max_examples && s->st->examples >= s->max_examples;
}

static int write_example(struct summarizer *s, const char *rel, const struct clm_function *f,
			 const struct clm_strbuf *source, const struct clm_strbuf *target)
{
	struct clm_mined_example ex = { 0 };
	char id[41];
	json_t *obj;
	int rc;

	if (clm_text_blank(source->buf, source->len) || clm_approx_tokens(source->buf, source->len) > s->max_tokens ||
	    clm_approx_tokens(target->buf, target->len) > s->max_tokens)
		return 0;
	ex.task = s->task;
	ex.kind = "summarize";
	ex.lang = "python";
	ex.source = source->buf;
	ex.source_len = source->len;
	ex.target = target->buf;
	ex.target_len = target->len;
	ex.name = f->name;
	ex.uses_dep = -1;
	ex.path = rel;
	ex.line_start = f->start_line;
	ex.line_end = f->end_line;
	ex.grammar = s->grammar;
	if ((rc = clm_mined_example_id(&ex, id)) < 0)
		return rc;
	obj = clm_mined_example_to_json(&ex, id);
	if (!obj)
		return 0; /* not valid UTF-8 */
	rc = clm_idset_add(&s->seen, id);
	if (rc == 0)
		s->st->duplicates++;
	else if (rc == 1 && (rc = clm_jsonl_write(s->out, obj)) == 0)
		s->st->examples++;
	json_decref(obj);
	return rc;
}

static int summarize_file(struct summarizer *s, const char *path)
{
	struct clm_strbuf data = CLM_STRBUF_INIT, src = CLM_STRBUF_INIT, tgt = CLM_STRBUF_INIT;
	struct clm_function_list fns = { 0 };
	const char *rel = path + s->root_len + (path[s->root_len] == '/');
	TSTree *tree = NULL;
	int rc;

	if (clm_read_file(path, PYSUM_MAX_FILE, &data) < 0 || memchr(data.buf, '\0', data.len)) {
		clm_error_clear();
		s->st->skipped_files++;
		clm_strbuf_release(&data);
		return 0;
	}
	s->st->files++;
	tree = ts_parser_parse_string(s->parser, NULL, data.buf, (uint32_t)data.len);
	rc = tree ? clm_functions_extract(s->lang, tree, data.buf, data.len, &fns) : 0;
	for (size_t i = 0; rc == 0 && i < fns.n && !full(s); i++) {
		clm_strbuf_reset(&src);
		clm_strbuf_reset(&tgt);
		rc = clm_summarize_texts(data.buf, data.len, &fns.items[i], &src, &tgt);
		if (rc > 0)
			rc = write_example(s, rel, &fns.items[i], &src, &tgt);
	}
	if (tree)
		ts_tree_delete(tree);
	clm_function_list_release(&fns);
	clm_strbuf_release(&data);
	clm_strbuf_release(&src);
	clm_strbuf_release(&tgt);
	return rc;
}

static int has_py_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && !strcmp(name + n - 3, ".py");
}

/* The entry's type; file systems that do not report it in the listing are asked with lstat. */
static unsigned char entry_type(const char *path, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type;
	if (lstat(path, &st) < 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

/* Visit `dir` and, depth first through an explicit stack of folder paths, everything below it. */
static int walk(struct summarizer *s)
{
	char **stack = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!(stack = malloc(sizeof(*stack) * (cap = 16))) || !(stack[n++] = strdup(s->root)))
		return clm_error_oom();
	while (n && rc == 0 && !full(s)) {
		char *dir = stack[--n];
		struct dirent **entries = NULL;
		int count = scandir(dir, &entries, NULL, alphasort);
		size_t first_sub = n;

		/* Files first, in order; then sub-folders, pushed in reverse so they pop in order. */
		for (int i = 0; i < count && rc == 0; i++) {
			struct dirent *e = entries[i];
			char *p;
			if (e->d_name[0] == '.' || asprintf(&p, "%s/%s", dir, e->d_name) < 0)
				continue;
			if (entry_type(p, e) == DT_DIR) {
				if (skip_dir(e->d_name)) {
					free(p);
				} else if (n == cap) {
					char **ns = realloc(stack, sizeof(*stack) * (cap *= 2));
					if (!ns) {
						free(p);
						rc = clm_error_oom();
					} else {
						stack = ns;
						stack[n++] = p;
					}
				} else {
					stack[n++] = p;
				}
				continue;
			}
			if (entry_type(p, e) == DT_REG && has_py_suffix(e->d_name) && !full(s))
				rc = summarize_file(s, p);
			free(p);
		}
		for (size_t a = first_sub, b = n; b > a + 1; a++, b--) {
			char *t = stack[a];
			stack[a] = stack[b - 1];
			stack[b - 1] = t;
		}
		for (int i = 0; i < count; i++)
			free(entries[i]);
		free(entries);
		free(dir);
	}
	while (n)
		free(stack[--n]);
	free(stack);
	return rc;
}

int clm_pysummarize_dir(const char *root, const char *task, size_t max_tokens, size_t max_examples, FILE *out,
			struct clm_pysummarize_stats *st)
{
	struct summarizer s = { root, task, strlen(root), max_tokens, max_examples, out, NULL,
				clm_language_by_name("python"), "", { 0 }, st };
	int rc;

	memset(st, 0, sizeof(*st));
	if (!clm_path_exists(root))
		return clm_error_set(CLM_ENOTFOUND, "%s: no such folder", root);
	if ((rc = clm_language_parser(s.lang, &s.parser)) < 0)
		return rc;
	snprintf(s.grammar, sizeof(s.grammar), "python@%s", s.lang->package_version);
	while (s.root_len > 1 && root[s.root_len - 1] == '/')
		s.root_len--;
	rc = walk(&s);
	ts_parser_delete(s.parser);
	clm_idset_release(&s.seen);
	return rc;
}
