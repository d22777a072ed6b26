#include "parsers/manifests/toml.h"
#include "parsers/manifests/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KEY_PARTS 64

#define MAX_DEPTH 64

struct builder {
	const char *path, *data;
	int depth; /* nesting of arrays and inline tables being converted */
};

static struct clm_toml *new_value(enum clm_toml_kind kind, const char *key, size_t line)
{
	struct clm_toml *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->kind = kind;
	t->line = line;
	if (key && !(t->key = strdup(key))) {
		free(t);
		return NULL;
	}
	return t;
}

void clm_toml_free(struct clm_toml *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		clm_toml_free(t->items[i]);
	free(t->items);
	free(t->key);
	free(t->str);
	free(t);
}

static int append(struct clm_toml *parent, struct clm_toml *child)
{
	if (CLM_ALLOC_GROW(parent->items, parent->n + 1, parent->alloc) < 0)
		return CLM_ENOMEM;
	parent->items[parent->n++] = child;
	return 0;
}

const struct clm_toml *clm_toml_get(const struct clm_toml *table, const char *key)
{
	if (!table || table->kind != CLM_TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < table->n; i++)
		if (!strcmp(table->items[i]->key, key))
			return table->items[i];
	return NULL;
}

const struct clm_toml *clm_toml_at(const struct clm_toml *table, const char *path)
{
	char key[256];

	while (table && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		table = clm_toml_get(table, key);
		path += n + (path[n] == '.');
	}
	return table;
}

const char *clm_toml_string(const struct clm_toml *table, const char *key)
{
	const struct clm_toml *v = clm_toml_get(table, key);
	return v && v->kind == CLM_TOML_STRING ? v->str : NULL;
}

static int hex_value(const char *p, size_t n, unsigned long *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*out = *out * 16 + (unsigned long)d;
	}
	return 0;
}

/* Decode a TOML string or quoted key from its source text (quotes included). */
static char *decode_string(const char *s, size_t n)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	size_t q = n >= 6 && (!strncmp(s, "\"\"\"", 3) || !strncmp(s, "'''", 3)) ? 3 : 1;
	const char *p, *end;
	int literal;

	if (n < 2 * q)
		return strdup("");
	literal = s[0] == '\'';
	p = s + q;
	end = s + n - q;
	if (q == 3 && p < end && *p == '\n')
		p++; /* a newline right after the opening delimiter is trimmed */
	else if (q == 3 && end - p >= 2 && p[0] == '\r' && p[1] == '\n')
		p += 2;
	while (p < end) {
		static const char simple_escapes[] = "btnfre\"\\";
		static const char simple_values[] = "\b\t\n\f\r\x1b\"\\";
		const char *simple;
		unsigned long cp;
		size_t digits;

		if (literal || *p != '\\' || p + 1 >= end) {
			clm_strbuf_addch(&sb, *p++);
			continue;
		}
		p++;
		if ((simple = strchr(simple_escapes, *p)) && *p) {
			clm_strbuf_addch(&sb, simple_values[simple - simple_escapes]);
			p++;
		} else if (*p == 'u' || *p == 'U') {
			digits = *p == 'u' ? 4 : 8;
			if ((size_t)(end - p - 1) >= digits && !hex_value(p + 1, digits, &cp)) {
				clm_add_utf8(&sb, cp);
				p += 1 + digits;
			} else {
				clm_strbuf_addch(&sb, *p++);
			}
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			/* line-ending backslash: drop the newline and the indentation after it */
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
				p++;
		} else {
			clm_strbuf_addch(&sb, *p++);
		}
	}
	return clm_strbuf_detach(&sb, NULL);
}

static char *node_text(const struct builder *b, TSNode n)
{
	uint32_t start = ts_node_start_byte(n), end = ts_node_end_byte(n);
	return strndup(b->data + start, end - start);
}

/* The parts of a key node (bare, quoted or dotted); returns their count or -1. */
static int key_parts(const struct builder *b, TSNode key, char **parts, int max, int depth)
{
	const char *type = ts_node_type(key);
	uint32_t start = ts_node_start_byte(key), end = ts_node_end_byte(key);
	int n = 0;

	if (depth > MAX_KEY_PARTS)
		return -1;
	if (!strcmp(type, "dotted_key")) {
		uint32_t count = ts_node_named_child_count(key);
		for (uint32_t i = 0; i < count; i++) {
			int got = key_parts(b, ts_node_named_child(key, i), parts + n, max - n,
					    depth + 1);
			if (got < 0) {
				while (n > 0)
					free(parts[--n]);
				return -1;
			}
			n += got;
		}
		return n;
	}
	if (max < 1)
		return -1;
	if (!strcmp(type, "quoted_key"))
		parts[0] = decode_string(b->data + start, end - start);
	else if (!strcmp(type, "bare_key"))
		parts[0] = strndup(b->data + start, end - start);
	else
		return -1;
	return parts[0] ? 1 : -1;
}

static void free_parts(char **parts, int n)
{
	for (int i = 0; i < n; i++)
		free(parts[i]);
}

/* The table under `parent` named `key`, created when absent; arrays of tables lead to their last
 * element. NULL with a message when `key` already holds a value. */
static struct clm_toml *child_table(const struct builder *b, struct clm_toml *parent,
				    const char *key, size_t line)
{
	struct clm_toml *t;

	for (size_t i = parent->n; i-- > 0;) {
		struct clm_toml *c = parent->items[i];
		if (strcmp(c->key, key))
			continue;
		if (c->kind == CLM_TOML_TABLE)
			return c;
		if (c->kind == CLM_TOML_ARRAY && c->n && c->items[c->n - 1]->kind == CLM_TOML_TABLE)
			return c->items[c->n - 1];
		clm_manifest_reject(b->path, line, "key '%s' is not a table", key);
		return NULL;
	}
	t = new_value(CLM_TOML_TABLE, key, line);
	if (!t || append(parent, t) < 0) {
		clm_toml_free(t);
		clm_error_oom();
		return NULL;
	}
	return t;
}

static int fill_pairs(struct builder *b, TSNode node, uint32_t first, struct clm_toml *table);

static int convert_value(struct builder *b, TSNode node, const char *key, struct clm_toml **out)
{
	const char *type = ts_node_type(node);
	size_t line = clm_ts_line(node);
	struct clm_toml *t;
	int rc = 0;

	if (b->depth >= MAX_DEPTH)
		return clm_manifest_reject(b->path, line, "TOML values nested too deeply");
	b->depth++;
	if (!strcmp(type, "string")) {
		uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
		t = new_value(CLM_TOML_STRING, key, line);
		if (t && !(t->str = decode_string(b->data + s, e - s)))
			rc = clm_error_oom();
	} else if (!strcmp(type, "array")) {
		TSNode *kids = NULL;
		uint32_t count = 0;
		t = new_value(CLM_TOML_ARRAY, key, line);
		if (t)
			rc = clm_ts_named_children(node, &kids, &count);
		for (uint32_t i = 0; t && i < count && !rc; i++) {
			struct clm_toml *item;
			if (!strcmp(ts_node_type(kids[i]), "comment"))
				continue;
			rc = convert_value(b, kids[i], NULL, &item);
			if (!rc && (rc = append(t, item)) < 0)
				clm_toml_free(item);
		}
		free(kids);
	} else if (!strcmp(type, "inline_table")) {
		t = new_value(CLM_TOML_TABLE, key, line);
		if (t)
			rc = fill_pairs(b, node, 0, t);
	} else {
		t = new_value(CLM_TOML_OTHER, key, line);
		if (t && !(t->str = node_text(b, node)))
			rc = clm_error_oom();
	}
	b->depth--;
	if (!t)
		return clm_error_oom();
	if (rc < 0) {
		clm_toml_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static int add_pair(struct builder *b, TSNode pair, struct clm_toml *table)
{
	char *parts[MAX_KEY_PARTS];
	uint32_t count = ts_node_named_child_count(pair);
	TSNode key, value;
	struct clm_toml *v;
	int n, rc = 0;

	if (count < 2)
		return clm_manifest_reject(b->path, clm_ts_line(pair), "invalid TOML key/value pair");
	key = ts_node_named_child(pair, 0);
	value = ts_node_named_child(pair, count - 1);
	n = key_parts(b, key, parts, MAX_KEY_PARTS, 0);
	if (n < 1)
		return clm_manifest_reject(b->path, clm_ts_line(pair), "invalid TOML key");
	for (int i = 0; i < n - 1 && table; i++)
		table = child_table(b, table, parts[i], clm_ts_line(pair));
	if (!table)
		rc = CLM_EINVALID;
	else if (!(rc = convert_value(b, value, parts[n - 1], &v)) && (rc = append(table, v)) < 0)
		clm_toml_free(v);
	free_parts(parts, n);
	return rc;
}

/* Add the pair children of `node` from child `first` on to `table`. */
static int fill_pairs(struct builder *b, TSNode node, uint32_t first, struct clm_toml *table)
{
	TSNode *kids;
	uint32_t count;
	int rc = clm_ts_named_children(node, &kids, &count);

	for (uint32_t i = first; i < count && !rc; i++)
		if (!strcmp(ts_node_type(kids[i]), "pair"))
			rc = add_pair(b, kids[i], table);
	free(kids);
	return rc;
}

/* A [table] or [[array.of.tables]] header with its pairs. */
static int add_table(struct builder *b, TSNode node, int array, struct clm_toml *root)
{
	char *parts[MAX_KEY_PARTS];
	struct clm_toml *t = root, *arr = NULL, *elem;
	size_t line = clm_ts_line(node);
	int n, rc = 0;

	if (!ts_node_named_child_count(node))
		return clm_manifest_reject(b->path, line, "TOML table without a name");
	n = key_parts(b, ts_node_named_child(node, 0), parts, MAX_KEY_PARTS, 0);
	if (n < 1)
		return clm_manifest_reject(b->path, line, "invalid TOML table name");
	for (int i = 0; i < n - (array ? 1 : 0) && t; i++)
		t = child_table(b, t, parts[i], line);
	if (t && array) {
		for (size_t i = t->n; i-- > 0 && !arr;)
			if (!strcmp(t->items[i]->key, parts[n - 1]))
				arr = t->items[i];
		if (arr && arr->kind != CLM_TOML_ARRAY) {
			rc = clm_manifest_reject(b->path, line, "key '%s' is not an array",
						 parts[n - 1]);
		} else if (!arr) {
			arr = new_value(CLM_TOML_ARRAY, parts[n - 1], line);
			if (!arr || append(t, arr) < 0) {
				clm_toml_free(arr);
				rc = clm_error_oom();
			}
		}
		elem = rc ? NULL : new_value(CLM_TOML_TABLE, NULL, line);
		if (!rc && (!elem || append(arr, elem) < 0)) {
			clm_toml_free(elem);
			rc = clm_error_oom();
		}
		t = rc ? NULL : elem;
	}
	free_parts(parts, n);
	if (!t)
		return rc ? rc : CLM_EINVALID;
	return fill_pairs(b, node, 1, t);
}

int clm_toml_parse(const char *path, const char *data, size_t len, struct clm_toml **root)
{
	struct builder b = { path, data, 0 };
	TSNode *kids = NULL;
	uint32_t count = 0;
	TSTree *tree;
	struct clm_toml *t;
	int rc;

	*root = NULL;
	if ((rc = clm_ts_parse_manifest(path, data, len, "toml", "invalid TOML", &tree)) < 0)
		return rc;
	t = new_value(CLM_TOML_TABLE, "", 1);
	rc = t ? clm_ts_named_children(ts_tree_root_node(tree), &kids, &count) : clm_error_oom();
	for (uint32_t i = 0; t && i < count && !rc; i++) {
		TSNode c = kids[i];
		const char *type = ts_node_type(c);
		if (!strcmp(type, "pair"))
			rc = add_pair(&b, c, t);
		else if (!strcmp(type, "table"))
			rc = add_table(&b, c, 0, t);
		else if (!strcmp(type, "table_array_element"))
			rc = add_table(&b, c, 1, t);
	}
	free(kids);
	ts_tree_delete(tree);
	if (rc < 0) {
		clm_toml_free(t);
		return rc;
	}
	*root = t;
	return 0;
}
