/* setuptools manifests: setup.py (literal arguments of setup(), via tree-sitter-python) and
 * setup.cfg (INI sections [options] and [options.extras_require]). */
#include "parsers/manifests/python.h"
#include "parsers/walk.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The group a setup() keyword or setup.cfg option fills, or NULL when it is not a dependency
 * list. */
static const char *requirement_group(const char *key, size_t n)
{
	static const struct { const char *key, *group; } keys[] = {
		{ "install_requires", "runtime" },
		{ "setup_requires", "build" },
		{ "tests_require", "test" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == n && !memcmp(keys[i].key, key, n))
			return keys[i].group;
	return NULL;
}

/* "file: a.txt, b.txt": requirements read from those files of the tree. */
static int add_files(const char *path, struct clm_span list, const char *group,
		     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	char name[512];
	int rc = 0;

	while (list.n && !rc) {
		size_t n = 0;
		while (n < list.n && list.p[n] != ',' && !isspace((unsigned char)list.p[n]))
			n++;
		if (n && n < sizeof(name)) {
			memcpy(name, list.p, n);
			name[n] = '\0';
			rc = clm_pypi_add_file(path, name, group, read, read_ctx, out);
		}
		list.p += n + (n < list.n);
		list.n -= n + (n < list.n);
	}
	return rc;
}

/* Requirements one per line (setuptools also accepts a multi-line string); "#" comments;
 * "file:" lines name requirement files, read through `read` (may be NULL). */
static int add_requirement_lines(const char *path, size_t first_line, struct clm_span text,
				 const char *group, clm_manifest_read_fn read, void *read_ctx,
				 struct clm_dep_list *out)
{
	struct clm_lines it;
	struct clm_span line;
	int rc = 0;

	clm_lines_init(&it, text.p, text.n);
	while (!rc && clm_lines_next(&it, &line)) {
		const char *hash = memchr(line.p, '#', line.n);
		if (hash)
			line.n = (size_t)(hash - line.p);
		line = clm_span_trim(line);
		if (line.n >= 5 && !memcmp(line.p, "file:", 5)) {
			struct clm_span files = { line.p + 5, line.n - 5 };
			rc = add_files(path, clm_span_trim(files), group, read, read_ctx, out);
		} else if (line.n) {
			rc = clm_pypi_add_requirement(path, first_line + it.lineno - 1, line, group,
						      out);
		}
	}
	return rc;
}

/* ---- setup.py ---- */

struct setup_py {
	const char *path, *data;
	TSNode module;
	TSNode *stmts; /* the module's statements */
	uint32_t nstmts;
	struct clm_dep_list *out;
};

static struct clm_span node_span(const struct setup_py *s, TSNode n)
{
	struct clm_span sp = { s->data + ts_node_start_byte(n),
			       ts_node_end_byte(n) - ts_node_start_byte(n) };
	return sp;
}

/* The value of a Python string literal; 0 for f-strings with interpolations and bytes. */
static int string_value(const struct setup_py *s, TSNode n, struct clm_strbuf *out)
{
	struct clm_span sp = node_span(s, n);
	size_t i = 0, q;
	int raw = 0;

	if (!strcmp(ts_node_type(n), "concatenated_string")) {
		for (uint32_t k = 0; k < ts_node_named_child_count(n); k++)
			if (!string_value(s, ts_node_named_child(n, k), out))
				return 0;
		return 1;
	}
	if (strcmp(ts_node_type(n), "string"))
		return 0;
	while (i < sp.n && isalpha((unsigned char)sp.p[i])) {
		char c = (char)tolower((unsigned char)sp.p[i]);
		if (c == 'f' || c == 'b')
			return 0;
		raw |= c == 'r';
		i++;
	}
	q = sp.n - i >= 6 && (sp.p[i] == sp.p[i + 1] && sp.p[i] == sp.p[i + 2]) ? 3 : 1;
	if (sp.n < i + 2 * q)
		return 0;
	for (size_t k = i + q; k < sp.n - q; k++) {
		if (!raw && sp.p[k] == '\\' && k + 1 < sp.n - q) {
			char e = sp.p[++k];
			clm_strbuf_addch(out, e == 'n' ? '\n' : e == 't' ? '\t' : e);
		} else {
			clm_strbuf_addch(out, sp.p[k]);
		}
	}
	return 1;
}

/* A module-level `NAME = <value>` assignment, the last one in the file; NULL when none. */
static int find_assignment(const struct setup_py *s, struct clm_span name, TSNode *value)
{
	int found = 0;

	for (uint32_t i = 0; i < s->nstmts; i++) {
		TSNode st = s->stmts[i], a, left;
		if (strcmp(ts_node_type(st), "expression_statement") ||
		    !ts_node_named_child_count(st))
			continue;
		a = ts_node_named_child(st, 0);
		if (strcmp(ts_node_type(a), "assignment"))
			continue;
		left = ts_node_child_by_field_name(a, "left", 4);
		if (ts_node_is_null(left) || strcmp(ts_node_type(left), "identifier"))
			continue;
		struct clm_span l = node_span(s, left);
		if (l.n == name.n && !memcmp(l.p, name.p, name.n)) {
			TSNode right = ts_node_child_by_field_name(a, "right", 5);
			if (!ts_node_is_null(right)) {
				*value = right;
				found = 1;
			}
		}
	}
	return found;
}

/* Follow a bare name to its module-level value, once (no chains). */
static TSNode resolve(const struct setup_py *s, TSNode n)
{
	TSNode v;

	if (!strcmp(ts_node_type(n), "identifier") && find_assignment(s, node_span(s, n), &v))
		return v;
	return n;
}

/* A list, tuple or multi-line string of requirements. Other expressions are not literal and
 * are skipped. */
static int add_requirement_value(const struct setup_py *s, TSNode n, const char *group)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *type;
	int rc = 0;

	n = resolve(s, n);
	type = ts_node_type(n);
	if (!strcmp(type, "list") || !strcmp(type, "tuple")) {
		TSNode *items;
		uint32_t count;
		rc = clm_ts_named_children(n, &items, &count);
		for (uint32_t i = 0; i < count && !rc; i++) {
			TSNode item = items[i];
			clm_strbuf_reset(&sb);
			if (string_value(s, item, &sb)) {
				struct clm_span req = { sb.buf, sb.len };
				rc = clm_pypi_add_requirement(s->path, clm_ts_line(item), req, group,
							      s->out);
			}
		}
		free(items);
	} else if (string_value(s, n, &sb)) {
		struct clm_span text = { sb.buf, sb.len };
		rc = add_requirement_lines(s->path, clm_ts_line(n), text, group, NULL, NULL, s->out);
	}
	clm_strbuf_release(&sb);
	return rc;
}

/* extras_require={"group": [...]} or dict(group=[...]). */
static int add_extras(const struct setup_py *s, TSNode n)
{
	struct clm_strbuf key = CLM_STRBUF_INIT;
	TSNode *items;
	uint32_t count;
	int rc, is_dict;

	n = resolve(s, n);
	is_dict = !strcmp(ts_node_type(n), "dictionary");
	if (!is_dict && !strcmp(ts_node_type(n), "call"))
		n = ts_node_child_by_field_name(n, "arguments", 9);
	if (ts_node_is_null(n))
		return 0;
	rc = clm_ts_named_children(n, &items, &count);
	for (uint32_t i = 0; i < count && !rc; i++) {
		TSNode item = items[i], k, v;
		const char *type = ts_node_type(item);

		clm_strbuf_reset(&key);
		if (is_dict && !strcmp(type, "pair")) {
			k = ts_node_child_by_field_name(item, "key", 3);
			v = ts_node_child_by_field_name(item, "value", 5);
			if (ts_node_is_null(k) || !string_value(s, k, &key))
				continue;
		} else if (!is_dict && !strcmp(type, "keyword_argument")) {
			k = ts_node_child_by_field_name(item, "name", 4);
			v = ts_node_child_by_field_name(item, "value", 5);
			struct clm_span name = node_span(s, k);
			clm_strbuf_add(&key, name.p, name.n);
		} else {
			continue;
		}
		if (!ts_node_is_null(v))
			rc = add_requirement_value(s, v, key.buf);
	}
	free(items);
	clm_strbuf_release(&key);
	return rc;
}

/* setup(...) or setuptools.setup(...). */
static int is_setup_call(const struct setup_py *s, TSNode call)
{
	TSNode fn = ts_node_child_by_field_name(call, "function", 8);
	struct clm_span name;

	if (ts_node_is_null(fn))
		return 0;
	if (!strcmp(ts_node_type(fn), "attribute"))
		fn = ts_node_child_by_field_name(fn, "attribute", 9);
	if (ts_node_is_null(fn))
		return 0;
	name = node_span(s, fn);
	return clm_span_eq(name, "setup");
}

static int add_setup_call(const struct setup_py *s, TSNode call)
{
	TSNode args = ts_node_child_by_field_name(call, "arguments", 9), *kws = NULL;
	uint32_t count = 0;
	int rc = ts_node_is_null(args) ? 0 : clm_ts_named_children(args, &kws, &count);

	for (uint32_t i = 0; i < count && !rc; i++) {
		TSNode kw = kws[i], name, value;
		struct clm_span key;
		const char *group;

		if (strcmp(ts_node_type(kw), "keyword_argument"))
			continue;
		name = ts_node_child_by_field_name(kw, "name", 4);
		value = ts_node_child_by_field_name(kw, "value", 5);
		if (ts_node_is_null(name) || ts_node_is_null(value))
			continue;
		key = node_span(s, name);
		if (clm_span_eq(key, "extras_require"))
			rc = add_extras(s, value);
		else if ((group = requirement_group(key.p, key.n)))
			rc = add_requirement_value(s, value, group);
	}
	free(kws);
	return rc;
}

/* Every setup(...) call, wherever it is in the file. */
static int setup_visit(TSNode n, size_t depth, void *ctx)
{
	struct setup_py *s = ctx;

	(void)depth;
	if (!strcmp(ts_node_type(n), "call") && is_setup_call(s, n))
		return add_setup_call(s, n);
	return CLM_WALK_DESCEND;
}

int clm_pypi_parse_setup_py(const char *path, const char *data, size_t len,
			    struct clm_dep_list *out)
{
	struct setup_py s;
	TSTree *tree;
	int rc;

	memset(&s, 0, sizeof(s));
	s.path = path;
	s.data = data;
	s.out = out;
	if ((rc = clm_ts_parse_manifest(path, data, len, "python", "invalid Python", &tree)) < 0)
		return rc;
	s.module = ts_tree_root_node(tree);
	if ((rc = clm_ts_named_children(s.module, &s.stmts, &s.nstmts)) < 0) {
		ts_tree_delete(tree);
		return rc;
	}
	rc = clm_ts_walk(s.module, setup_visit, &s);
	free(s.stmts);
	ts_tree_delete(tree);
	return rc;
}

/* ---- setup.cfg ---- */

struct cfg_value {
	const char *group; /* NULL while the current key is not a dependency list */
	struct clm_strbuf text;
	size_t line;
};

static int flush_value(const char *path, struct cfg_value *v, clm_manifest_read_fn read,
		       void *read_ctx, struct clm_dep_list *out)
{
	struct clm_span text = { v->text.buf, v->text.len };
	int rc = v->group ? add_requirement_lines(path, v->line, text, v->group, read, read_ctx, out) :
			    0;

	clm_strbuf_reset(&v->text);
	v->group = NULL;
	return rc;
}

int clm_pypi_parse_setup_cfg(const char *path, const char *data, size_t len,
			     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	struct cfg_value v = { NULL, CLM_STRBUF_INIT, 0 };
	struct clm_strbuf section = CLM_STRBUF_INIT, group = CLM_STRBUF_INIT;
	struct clm_lines it;
	struct clm_span line;
	int rc;

	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	clm_lines_init(&it, data, len);
	while (!rc && clm_lines_next(&it, &line)) {
		struct clm_span t = clm_span_trim(line), key;
		const char *sep;

		if (!t.n || t.p[0] == '#' || t.p[0] == ';')
			continue;
		if (isspace((unsigned char)line.p[0])) { /* continuation of the current value */
			if (v.group) {
				clm_strbuf_add(&v.text, t.p, t.n);
				clm_strbuf_addch(&v.text, '\n');
			}
			continue;
		}
		if ((rc = flush_value(path, &v, read, read_ctx, out)) < 0)
			break;
		if (t.p[0] == '[') {
			if (t.p[t.n - 1] != ']') {
				rc = clm_manifest_reject(path, it.lineno, "unterminated section header");
				break;
			}
			clm_strbuf_reset(&section);
			clm_strbuf_add(&section, t.p + 1, t.n - 2);
			continue;
		}
		sep = t.p;
		while (sep < t.p + t.n && *sep != '=' && *sep != ':')
			sep++;
		if (sep == t.p + t.n) {
			rc = clm_manifest_reject(path, it.lineno, "expected 'key = value'");
			break;
		}
		key.p = t.p;
		key.n = (size_t)(sep - t.p);
		key = clm_span_trim(key);
		if (!strcmp(section.buf, "options")) {
			v.group = requirement_group(key.p, key.n);
		} else if (!strcmp(section.buf, "options.extras_require")) {
			clm_strbuf_reset(&group);
			clm_strbuf_add(&group, key.p, key.n);
			v.group = group.buf;
		}
		v.line = it.lineno;
		clm_strbuf_add(&v.text, sep + 1, (size_t)(t.p + t.n - sep - 1));
		clm_strbuf_addch(&v.text, '\n');
	}
	if (!rc)
		rc = flush_value(path, &v, read, read_ctx, out);
	clm_strbuf_release(&v.text);
	clm_strbuf_release(&section);
	clm_strbuf_release(&group);
	return rc;
}
