#include "parsers/imports.h"
#include "parsers/function_rules.h"
#include "parsers/walk.h"
#include "util/alloc.h"
#include "util/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct collector {
	const char *lang;
	const char *src;
	size_t len;
	struct clm_import_list *out;
	const char *const *containers; /* node types whose children can hold imports; NULL: all */
};

static int add_import(struct collector *c, const char *module, size_t mlen, const char *bound, size_t blen)
{
	struct clm_import im;

	if (!mlen || !blen)
		return 0;
	if (CLM_ALLOC_GROW(c->out->items, c->out->n + 1, c->out->alloc) < 0)
		return CLM_ENOMEM;
	im.module = strndup(module, mlen);
	im.bound = strndup(bound, blen);
	if (!im.module || !im.bound) {
		free(im.module);
		free(im.bound);
		return clm_error_oom();
	}
	c->out->items[c->out->n++] = im;
	return 0;
}

static const char *text_of(const struct collector *c, TSNode n, size_t *len)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > c->len || s > e) {
		*len = 0;
		return "";
	}
	*len = e - s;
	return c->src + s;
}

/* A string literal's text without its quotes (or <> of a system include). */
static const char *unquoted(const struct collector *c, TSNode n, size_t *len)
{
	const char *t = text_of(c, n, len);
	if (*len >= 2 && strchr("\"'`<", t[0])) {
		*len -= 2;
		return t + 1;
	}
	return t;
}

static int add_with_bound_node(struct collector *c, const char *m, size_t ml, TSNode bound)
{
	size_t bl;
	const char *b = text_of(c, bound, &bl);
	return add_import(c, m, ml, b, bl);
}

/* The last `sep`-separated component of [s, s+len). */
static const char *last_component(const char *s, size_t len, char sep, size_t *out_len)
{
	const char *p = s + len;
	while (p > s && p[-1] != sep)
		p--;
	*out_len = (size_t)(s + len - p);
	return p;
}

static int python_import(struct collector *c, TSNode n, int from)
{
	uint32_t count = ts_node_named_child_count(n);
	const char *mod = NULL;
	size_t ml = 0;

	for (uint32_t i = 0; i < count; i++) {
		TSNode ch = ts_node_named_child(n, i);
		const char *t = ts_node_type(ch);
		int rc = 0;
		if (from && i == 0) {
			mod = text_of(c, ch, &ml);
			continue;
		}
		if (!strcmp(t, "aliased_import")) {
			TSNode name = ts_node_child_by_field_name(ch, "name", 4);
			size_t nl;
			const char *nm = text_of(c, name, &nl);
			rc = add_with_bound_node(c, from ? mod : nm, from ? ml : nl,
						 ts_node_child_by_field_name(ch, "alias", 5));
		} else if (!strcmp(t, "dotted_name")) {
			size_t tl, bl = 0;
			const char *tx = text_of(c, ch, &tl), *dot = memchr(tx, '.', tl);
			const char *last = last_component(tx, tl, '.', &bl);
			if (from)
				rc = add_import(c, mod, ml, last, bl);
			else
				rc = add_import(c, tx, tl, tx, dot ? (size_t)(dot - tx) : tl);
		} else if (!strcmp(t, "wildcard_import") && from) {
			rc = add_import(c, mod, ml, "*", 1);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int js_import_clause(struct collector *c, const char *m, size_t ml, TSNode clause)
{
	uint32_t count = ts_node_named_child_count(clause);
	for (uint32_t i = 0; i < count; i++) {
		TSNode ch = ts_node_named_child(clause, i);
		const char *t = ts_node_type(ch);
		int rc = 0;
		if (!strcmp(t, "identifier")) {
			rc = add_with_bound_node(c, m, ml, ch);
		} else if (!strcmp(t, "namespace_import")) {
			rc = add_with_bound_node(c, m, ml, ts_node_named_child(ch, 0));
		} else if (!strcmp(t, "named_imports")) {
			uint32_t k = ts_node_named_child_count(ch);
			for (uint32_t j = 0; j < k && rc == 0; j++) {
				TSNode spec = ts_node_named_child(ch, j);
				TSNode alias = ts_node_child_by_field_name(spec, "alias", 5);
				if (strcmp(ts_node_type(spec), "import_specifier"))
					continue;
				rc = add_with_bound_node(c, m, ml, ts_node_is_null(alias) ?
							 ts_node_child_by_field_name(spec, "name", 4) : alias);
			}
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int js_import(struct collector *c, TSNode n)
{
	TSNode src = ts_node_child_by_field_name(n, "source", 6);
	uint32_t count = ts_node_named_child_count(n);
	size_t ml;
	const char *m;

	if (ts_node_is_null(src))
		return 0;
	m = unquoted(c, src, &ml);
	for (uint32_t i = 0; i < count; i++) {
		TSNode ch = ts_node_named_child(n, i);
		if (!strcmp(ts_node_type(ch), "import_clause"))
			return js_import_clause(c, m, ml, ch);
	}
	return 0;
}

/* `const x = require("m")` and `const { a, b: c } = require("m")`. */
static int js_require(struct collector *c, TSNode decl)
{
	TSNode value = ts_node_child_by_field_name(decl, "value", 5);
	TSNode name = ts_node_child_by_field_name(decl, "name", 4);
	TSNode fn, args, arg;
	size_t fl, ml;
	const char *f, *m;

	if (ts_node_is_null(value) || strcmp(ts_node_type(value), "call_expression"))
		return 0;
	fn = ts_node_child_by_field_name(value, "function", 8);
	args = ts_node_child_by_field_name(value, "arguments", 9);
	f = text_of(c, fn, &fl);
	if (ts_node_is_null(fn) || fl != 7 || memcmp(f, "require", 7) || ts_node_is_null(args))
		return 0;
	arg = ts_node_named_child(args, 0);
	if (ts_node_is_null(arg) || strcmp(ts_node_type(arg), "string"))
		return 0;
	m = unquoted(c, arg, &ml);
	if (!strcmp(ts_node_type(name), "identifier"))
		return add_with_bound_node(c, m, ml, name);
	if (!strcmp(ts_node_type(name), "object_pattern")) {
		uint32_t k = ts_node_named_child_count(name);
		for (uint32_t j = 0; j < k; j++) {
			TSNode p = ts_node_named_child(name, j);
			TSNode b = !strcmp(ts_node_type(p), "pair_pattern") ? ts_node_child_by_field_name(p, "value", 5) : p;
			int rc = add_with_bound_node(c, m, ml, b);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* A Go import binds the last path element, skipping a /vN major suffix and .vN or go- decorations. */
static int go_import(struct collector *c, TSNode spec)
{
	TSNode path = ts_node_child_by_field_name(spec, "path", 4);
	TSNode name = ts_node_child_by_field_name(spec, "name", 4);
	size_t ml, bl;
	const char *m, *b;

	if (ts_node_is_null(path))
		return 0;
	m = unquoted(c, path, &ml);
	if (!ts_node_is_null(name)) {
		const char *t = ts_node_type(name);
		if (!strcmp(t, "dot"))
			return add_import(c, m, ml, "*", 1);
		if (!strcmp(t, "blank_identifier"))
			return 0;
		return add_with_bound_node(c, m, ml, name);
	}
	b = last_component(m, ml, '/', &bl);
	if (bl >= 2 && b[0] == 'v' && isdigit((unsigned char)b[1]) && b > m + 1)
		b = last_component(m, (size_t)(b - 1 - m), '/', &bl);
	for (size_t i = 0; i + 2 < bl; i++)
		if (b[i] == '.' && b[i + 1] == 'v' && isdigit((unsigned char)b[i + 2])) {
			bl = i;
			break;
		}
	if (bl > 3 && !memcmp(b, "go-", 3)) {
		b += 3;
		bl -= 3;
	}
	return add_import(c, m, ml, b, bl);
}

struct rust_use {
	struct collector *c;
	const char *crate; /* the first path segment, once seen */
	size_t cl;
};

static int rust_use_visit(TSNode n, size_t depth, void *ctx)
{
	struct rust_use *u = ctx;
	const char *t = ts_node_type(n);
	size_t il;
	const char *id;

	(void)depth;
	if (!strcmp(t, "crate") || !strcmp(t, "self") || !strcmp(t, "super"))
		return u->crate ? CLM_WALK_DESCEND : CLM_WALK_STOP; /* a path inside this crate */
	if (strcmp(t, "identifier") && strcmp(t, "type_identifier"))
		return CLM_WALK_DESCEND;
	id = text_of(u->c, n, &il);
	if (!u->crate) {
		u->crate = id;
		u->cl = il;
	}
	return add_import(u->c, u->crate, u->cl, id, il);
}

/* Rust `use`: the module is the crate (first path segment); every identifier of the declaration
 * is a name it may bring into scope. */
static int rust_use(struct collector *c, TSNode n)
{
	struct rust_use u = { c, NULL, 0 };

	return clm_ts_walk(n, rust_use_visit, &u);
}

static int java_import(struct collector *c, TSNode n)
{
	uint32_t count = ts_node_named_child_count(n);
	TSNode path = { 0 };
	int wildcard = 0;
	size_t ml, bl;
	const char *m, *b;

	for (uint32_t i = 0; i < count; i++) {
		TSNode ch = ts_node_named_child(n, i);
		const char *t = ts_node_type(ch);
		if (!strcmp(t, "scoped_identifier") || !strcmp(t, "identifier"))
			path = ch;
		else if (!strcmp(t, "asterisk"))
			wildcard = 1;
	}
	if (ts_node_is_null(path))
		return 0;
	m = text_of(c, path, &ml);
	if (wildcard)
		return add_import(c, m, ml, "*", 1);
	b = last_component(m, ml, '.', &bl);
	return add_import(c, m, ml, b, bl);
}

static int csharp_using(struct collector *c, TSNode n)
{
	TSNode alias = ts_node_child_by_field_name(n, "name", 4);
	uint32_t count = ts_node_named_child_count(n);

	for (uint32_t i = 0; i < count; i++) {
		TSNode ch = ts_node_named_child(n, i);
		const char *t = ts_node_type(ch);
		size_t ml;
		const char *m;
		if (!ts_node_is_null(alias) && ts_node_eq(ch, alias))
			continue;
		if (strcmp(t, "qualified_name") && strcmp(t, "identifier"))
			continue;
		m = text_of(c, ch, &ml);
		if (!ts_node_is_null(alias))
			return add_with_bound_node(c, m, ml, alias);
		return add_import(c, m, ml, "*", 1);
	}
	return 0;
}

static int ruby_require(struct collector *c, TSNode call)
{
	TSNode method = ts_node_child_by_field_name(call, "method", 6);
	TSNode args = ts_node_child_by_field_name(call, "arguments", 9);
	TSNode str, content;
	size_t fl, ml;
	const char *f, *m;

	if (ts_node_is_null(method) || ts_node_is_null(args))
		return 0;
	f = text_of(c, method, &fl);
	if (fl != 7 || memcmp(f, "require", 7))
		return 0;
	str = ts_node_named_child(args, 0);
	if (ts_node_is_null(str) || strcmp(ts_node_type(str), "string"))
		return 0;
	content = ts_node_named_child(str, 0);
	if (ts_node_is_null(content))
		return 0;
	m = text_of(c, content, &ml);
	return add_import(c, m, ml, "*", 1);
}

static int c_include(struct collector *c, TSNode n)
{
	TSNode path = ts_node_child_by_field_name(n, "path", 4);
	size_t ml;
	const char *m;

	if (ts_node_is_null(path))
		return 0;
	m = unquoted(c, path, &ml);
	return add_import(c, m, ml, "*", 1);
}

/* Dispatch one node; *descend is cleared when its subtree holds no further imports. */
static int visit_import(struct collector *c, TSNode n, int *descend)
{
	const char *t = ts_node_type(n), *l = c->lang;

	*descend = 1;
	if (!strcmp(l, "python")) {
		if (!strcmp(t, "import_statement") || !strcmp(t, "import_from_statement")) {
			*descend = 0;
			return python_import(c, n, !strcmp(t, "import_from_statement"));
		}
	} else if (!strcmp(l, "javascript") || !strcmp(l, "typescript") || !strcmp(l, "tsx")) {
		if (!strcmp(t, "import_statement")) {
			*descend = 0;
			return js_import(c, n);
		}
		if (!strcmp(t, "variable_declarator"))
			return js_require(c, n);
	} else if (!strcmp(l, "go")) {
		if (!strcmp(t, "import_spec")) {
			*descend = 0;
			return go_import(c, n);
		}
	} else if (!strcmp(l, "rust")) {
		if (!strcmp(t, "use_declaration")) {
			*descend = 0;
			return rust_use(c, n);
		}
	} else if (!strcmp(l, "java")) {
		if (!strcmp(t, "import_declaration")) {
			*descend = 0;
			return java_import(c, n);
		}
	} else if (!strcmp(l, "c_sharp")) {
		if (!strcmp(t, "using_directive")) {
			*descend = 0;
			return csharp_using(c, n);
		}
	} else if (!strcmp(l, "ruby")) {
		if (!strcmp(t, "call"))
			return ruby_require(c, n);
	} else if (!strcmp(l, "c") || !strcmp(l, "cpp")) {
		if (!strcmp(t, "preproc_include")) {
			*descend = 0;
			return c_include(c, n);
		}
	}
	return 0;
}

/* One node of the walk: its imports, then its children only when they can hold more (inside the
 * language's containers, when it has a list of them). */
static int import_visit(TSNode n, size_t depth, void *ctx)
{
	struct collector *c = ctx;
	int descend, rc = visit_import(c, n, &descend);

	(void)depth;
	if (rc < 0)
		return rc;
	if (c->containers && !clm_node_type_in(ts_node_type(n), c->containers))
		descend = 0;
	return descend ? CLM_WALK_DESCEND : CLM_WALK_SKIP;
}

int clm_imports_extract(const struct clm_language *lang, const TSTree *tree, const char *src, size_t len,
			struct clm_import_list *out)
{
	const struct clm_function_rules *rules = clm_function_rules_for(lang->name);
	struct collector c = { lang->name, src, len, out, rules ? rules->descend : NULL };

	return clm_ts_walk(ts_tree_root_node(tree), import_visit, &c);
}

struct mentions {
	const char *src;
	uint32_t start, end;
	const char *const *names;
	size_t n;
	int found;
};

/* Identifier leaves inside the range are compared with the names; nodes outside it are skipped. */
static int mention_visit(TSNode node, size_t depth, void *ctx)
{
	struct mentions *m = ctx;
	uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);

	(void)depth;
	if (!(e > m->start && s < m->end))
		return CLM_WALK_SKIP;
	if (ts_node_child_count(node) == 0 && strstr(ts_node_type(node), "identifier"))
		for (size_t i = 0; i < m->n && !m->found; i++)
			m->found = strlen(m->names[i]) == e - s && !memcmp(m->src + s, m->names[i], e - s);
	return m->found ? CLM_WALK_STOP : CLM_WALK_DESCEND;
}

int clm_range_mentions(const TSTree *tree, const char *src, uint32_t start, uint32_t end,
		       const char *const *names, size_t n)
{
	struct mentions m = { src, start, end, names, n, 0 };

	clm_ts_walk(ts_tree_root_node(tree), mention_visit, &m);
	return m.found;
}

void clm_import_list_release(struct clm_import_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].module);
		free(l->items[i].bound);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
