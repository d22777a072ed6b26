/* Gradle: dependency declarations inside dependencies { } blocks of build.gradle and
 * build.gradle.kts ("g:a:v" strings and group/name/version maps, with $variables resolved
 * from string assignments in the same file), and version catalogs (gradle/libs.versions.toml and the like). */
#include "parsers/manifests/common.h"
#include "parsers/manifests/toml.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BRACES 256

enum tok_kind { TOK_IDENT, TOK_STRING, TOK_PUNCT, TOK_OTHER };

struct token {
	enum tok_kind kind;
	struct clm_span s; /* string contents without quotes; the word; the character */
	size_t line;
};

struct variable;

struct gradle {
	const char *path;
	struct token *tok;
	size_t n, alloc;
	struct variable *vars; /* sorted by name */
	size_t nvars, vars_alloc;
	struct clm_dep_list *out;
};

static int gradle_matches(const char *path)
{
	const char *base = clm_path_basename(path);

	if (!strcmp(base, "build.gradle") || !strcmp(base, "build.gradle.kts"))
		return 1;
	/* version catalogs: gradle/libs.versions.toml */
	return clm_has_suffix(base, ".versions.toml") && base - path >= 7 &&
	       !strncmp(base - 7, "gradle/", 7);
}

static int push(struct gradle *g, enum tok_kind kind, const char *p, size_t n, size_t line)
{
	if (CLM_ALLOC_GROW(g->tok, g->n + 1, g->alloc) < 0)
		return CLM_ENOMEM;
	g->tok[g->n].kind = kind;
	g->tok[g->n].s.p = p;
	g->tok[g->n].s.n = n;
	g->tok[g->n++].line = line;
	return 0;
}

/* The end of a quoted string starting at `p` (after the opening quote `q`, `triple` for
 * ''' and """); NULL when it is not terminated. ${...} in double-quoted strings may hold
 * quotes of its own. */
static const char *string_end(const char *p, const char *end, char q, int triple)
{
	while (p < end) {
		if (*p == '\\') {
			p += 2;
			continue;
		}
		if (!triple && *p == '\n')
			return NULL;
		if (q == '"' && *p == '$' && p + 1 < end && p[1] == '{') {
			int depth = 0;
			for (; p < end; p++) {
				depth += (*p == '{') - (*p == '}');
				if (*p == '}' && !depth)
					break;
			}
			if (p < end)
				p++;
			continue;
		}
		if (*p == q && (!triple || (end - p >= 3 && p[1] == q && p[2] == q)))
			return p;
		p++;
	}
	return NULL;
}

static int tokenize(struct gradle *g, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	size_t line = 1;
	int rc = 0;

	while (p < end && !rc) {
		const char *start = p;

		if (*p == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '/') {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			const char *close = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
			if (!close)
				return clm_manifest_reject(g->path, line, "unterminated comment");
			for (; p < close; p++)
				line += *p == '\n';
			p = close + 2;
		} else if (*p == '"' || *p == '\'') {
			char q = *p;
			int triple = end - p >= 3 && p[1] == q && p[2] == q;
			const char *body = p + (triple ? 3 : 1), *close = string_end(body, end, q, triple);
			if (!close)
				return clm_manifest_reject(g->path, line, "unterminated string");
			rc = push(g, TOK_STRING, body, (size_t)(close - body), line);
			for (; p < close; p++)
				line += *p == '\n';
			p = close + (triple ? 3 : 1);
		} else if (isalpha((unsigned char)*p) || *p == '_' || *p == '$') {
			while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
				p++;
			rc = push(g, TOK_IDENT, start, (size_t)(p - start), line);
		} else if (isdigit((unsigned char)*p)) {
			while (p < end && (isalnum((unsigned char)*p) || *p == '.' || *p == '_'))
				p++;
			rc = push(g, TOK_OTHER, start, (size_t)(p - start), line);
		} else {
			rc = push(g, TOK_PUNCT, p++, 1, line);
		}
	}
	return rc;
}

static int is_punct(const struct token *t, char c)
{
	return t->kind == TOK_PUNCT && t->s.p[0] == c;
}

/* A string variable: `def v = '1'`, `val v: String = "1"`, `ext.v = '1'`, `v = '1'` in ext { }. */
struct variable {
	struct clm_span name;
	const struct token *value;
};

static int compare_spans(struct clm_span a, struct clm_span b)
{
	int c = memcmp(a.p, b.p, a.n < b.n ? a.n : b.n);
	return c ? c : (a.n > b.n) - (a.n < b.n);
}

static int compare_variables(const void *a, const void *b)
{
	const struct variable *x = a, *y = b;
	int c = compare_spans(x->name, y->name);
	return c ? c : (x->value > y->value) - (x->value < y->value);
}

/* Index every string assignment by name, in order of appearance within a name. */
static int collect_variables(struct gradle *g)
{
	const struct token *t = g->tok;

	for (size_t i = 2; i < g->n; i++) {
		size_t k = i - 2;
		if (t[i].kind != TOK_STRING || !is_punct(&t[i - 1], '='))
			continue;
		if (k >= 2 && is_punct(&t[k - 1], ':') && t[k - 2].kind == TOK_IDENT)
			k -= 2; /* Kotlin "val v: String = ..." */
		if (t[k].kind != TOK_IDENT)
			continue;
		if (CLM_ALLOC_GROW(g->vars, g->nvars + 1, g->vars_alloc) < 0)
			return CLM_ENOMEM;
		g->vars[g->nvars].name = t[k].s;
		g->vars[g->nvars++].value = &t[i];
	}
	if (g->nvars)
		qsort(g->vars, g->nvars, sizeof(*g->vars), compare_variables);
	return 0;
}

/* The value last assigned to `name`, or NULL. */
static const struct token *variable(const struct gradle *g, struct clm_span name)
{
	size_t lo = 0, hi = g->nvars;

	while (lo < hi) { /* first entry with a name greater than `name` */
		size_t mid = lo + (hi - lo) / 2;
		if (compare_spans(g->vars[mid].name, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && !compare_spans(g->vars[lo - 1].name, name) ? g->vars[lo - 1].value : NULL;
}

/* Substitute $name and ${name} (or ${a.b.name}: the last part) from string variables;
 * unknown references stay as written. */
static void interpolate(const struct gradle *g, struct clm_span s, struct clm_strbuf *out)
{
	for (size_t i = 0; i < s.n;) {
		struct clm_span name;
		const struct token *v;
		size_t j = i + 1;
		int braced;

		if (s.p[i] != '$' || j >= s.n) {
			clm_strbuf_addch(out, s.p[i++]);
			continue;
		}
		braced = s.p[j] == '{';
		j += (size_t)braced;
		name.p = s.p + j;
		while (j < s.n && (isalnum((unsigned char)s.p[j]) || s.p[j] == '_' ||
				   (braced && s.p[j] == '.'))) {
			if (s.p[j] == '.')
				name.p = s.p + j + 1;
			j++;
		}
		name.n = (size_t)(s.p + j - name.p);
		if (braced && (j >= s.n || s.p[j] != '}'))
			v = NULL;
		else
			v = name.n ? variable(g, name) : NULL;
		if (!v) {
			clm_strbuf_addch(out, s.p[i++]);
			continue;
		}
		clm_strbuf_add(out, v->s.p, v->s.n);
		i = j + (size_t)braced;
	}
}

static const char *configuration_group(struct clm_span conf)
{
	static const char *const build[] = { "classpath", "annotationProcessor", "kapt", "ksp",
					     "compileOnly", NULL };

	if ((conf.n >= 4 && !memcmp(conf.p, "test", 4)) ||
	    (conf.n >= 11 && !memcmp(conf.p, "androidTest", 11)))
		return "test";
	for (const char *const *b = build; *b; b++)
		if (clm_span_eq(conf, *b))
			return "build";
	return "runtime";
}

/* "group:name[:version[:classifier]][@ext]" into a dependency. */
static int add_notation(struct gradle *g, struct clm_span conf, const struct token *t)
{
	struct clm_strbuf s = CLM_STRBUF_INIT, name = CLM_STRBUF_INIT;
	const char *c1, *c2, *stop;
	int rc = 0;

	interpolate(g, t->s, &s);
	stop = strchr(s.buf, '@');
	if (stop)
		clm_strbuf_setlen(&s, (size_t)(stop - s.buf));
	c1 = strchr(s.buf, ':');
	if (c1 && c1 > s.buf && c1[1] && c1[1] != ':' && !strpbrk(s.buf, " /\\")) {
		c2 = strchr(c1 + 1, ':');
		clm_strbuf_add(&name, s.buf, (size_t)((c2 ? c2 : s.buf + s.len) - s.buf));
		if (c2) {
			const char *c3 = strchr(c2 + 1, ':');
			clm_strbuf_setlen(&s, (size_t)((c3 ? c3 : s.buf + s.len) - s.buf));
		}
		rc = clm_manifest_add_str(g->out, name.buf, c2 ? c2 + 1 : "", configuration_group(conf));
	}
	clm_strbuf_release(&s);
	clm_strbuf_release(&name);
	return rc;
}

/* group: 'g', name: 'a', version: 'v' (Groovy) or group = "g", ... (Kotlin) from token i. */
static int add_map(struct gradle *g, struct clm_span conf, size_t i)
{
	struct clm_strbuf name = CLM_STRBUF_INIT, version = CLM_STRBUF_INIT, group = CLM_STRBUF_INIT;
	int rc = 0;

	while (i + 2 < g->n && g->tok[i].kind == TOK_IDENT &&
	       (is_punct(&g->tok[i + 1], ':') || is_punct(&g->tok[i + 1], '=')) &&
	       g->tok[i + 2].kind == TOK_STRING) {
		struct clm_span key = g->tok[i].s;
		struct clm_strbuf *dst = clm_span_eq(key, "group") ? &group :
					 clm_span_eq(key, "name") ? &name :
					 clm_span_eq(key, "version") ? &version : NULL;
		if (dst)
			interpolate(g, g->tok[i + 2].s, dst);
		i += 3;
		if (i < g->n && is_punct(&g->tok[i], ','))
			i++;
	}
	if (group.len && name.len) {
		clm_strbuf_addch(&group, ':');
		clm_strbuf_add(&group, name.buf, name.len);
		rc = clm_manifest_add_str(g->out, group.buf, version.buf, configuration_group(conf));
	}
	clm_strbuf_release(&name);
	clm_strbuf_release(&version);
	clm_strbuf_release(&group);
	return rc;
}

static int is_wrapper(struct clm_span s)
{
	return clm_span_eq(s, "platform") || clm_span_eq(s, "enforcedPlatform") ||
	       clm_span_eq(s, "testFixtures");
}

/* A declaration starting at configuration name token i: conf "x", conf("x"),
 * conf platform("x"), conf(platform("x")), conf group: ..., conf(group = ...). */
static int declaration(struct gradle *g, size_t i)
{
	struct clm_span conf = g->tok[i].s;
	size_t j = i + 1;

	if (j < g->n && is_punct(&g->tok[j], '('))
		j++;
	while (j + 1 < g->n && g->tok[j].kind == TOK_IDENT && is_wrapper(g->tok[j].s) &&
	       is_punct(&g->tok[j + 1], '('))
		j += 2;
	if (j >= g->n)
		return 0;
	if (g->tok[j].kind == TOK_STRING)
		return add_notation(g, conf, &g->tok[j]);
	if (g->tok[j].kind == TOK_IDENT)
		return add_map(g, conf, j);
	return 0;
}

static int parse_build_script(const char *path, const char *data, size_t len,
			      struct clm_dep_list *out)
{
	struct gradle g = { path, NULL, 0, 0, NULL, 0, 0, out };
	size_t open_line[MAX_BRACES];
	unsigned char is_deps[MAX_BRACES];
	int depth = 0, deps_depth = 0, rc;

	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	rc = tokenize(&g, data, len);
	if (!rc)
		rc = collect_variables(&g);
	for (size_t i = 0; i < g.n && !rc; i++) {
		const struct token *t = &g.tok[i];

		if (is_punct(t, '{')) {
			if (depth == MAX_BRACES) {
				rc = clm_manifest_reject(path, t->line, "blocks nested too deeply");
				break;
			}
			is_deps[depth] = i > 0 && g.tok[i - 1].kind == TOK_IDENT &&
					 clm_span_eq(g.tok[i - 1].s, "dependencies");
			deps_depth += is_deps[depth];
			open_line[depth++] = t->line;
		} else if (is_punct(t, '}')) {
			if (!depth) {
				rc = clm_manifest_reject(path, t->line, "unbalanced '}'");
				break;
			}
			deps_depth -= is_deps[--depth];
		} else if (deps_depth && t->kind == TOK_IDENT && i + 1 < g.n &&
			   (i == 0 || !is_punct(&g.tok[i - 1], '.')) &&
			   !is_punct(&g.tok[i + 1], '.') && !is_wrapper(t->s)) {
			rc = declaration(&g, i);
		}
	}
	if (!rc && depth)
		rc = clm_manifest_reject(path, open_line[depth - 1], "'{' is never closed");
	free(g.tok);
	free(g.vars);
	return rc;
}

/* A catalog library's version: "1.0", {ref = "x"}, {strictly/require/prefer = "1.0"}; the
 * version.ref key form is folded into a nested table by the TOML reader. */
static const char *catalog_version(const struct clm_toml *versions, const struct clm_toml *v)
{
	static const char *const keys[] = { "strictly", "require", "prefer", NULL };
	const char *ref;

	if (!v)
		return "";
	if (v->kind == CLM_TOML_STRING)
		return v->str;
	if ((ref = clm_toml_string(v, "ref"))) {
		const struct clm_toml *r = clm_toml_get(versions, ref);
		return catalog_version(NULL, r && r->kind != CLM_TOML_OTHER ? r : NULL);
	}
	for (const char *const *k = keys; *k; k++)
		if ((ref = clm_toml_string(v, *k)))
			return ref;
	return "";
}

static int parse_catalog(const char *path, const char *data, size_t len, struct clm_dep_list *out)
{
	struct clm_toml *doc;
	const struct clm_toml *versions, *libs;
	struct clm_strbuf name = CLM_STRBUF_INIT;
	int rc = clm_toml_parse(path, data, len, &doc);

	if (rc < 0)
		return rc;
	versions = clm_toml_get(doc, "versions");
	libs = clm_toml_get(doc, "libraries");
	for (size_t i = 0; libs && libs->kind == CLM_TOML_TABLE && i < libs->n && !rc; i++) {
		const struct clm_toml *lib = libs->items[i];
		const char *module = clm_toml_string(lib, "module"), *group, *artifact, *c1, *c2;

		clm_strbuf_reset(&name);
		if (lib->kind == CLM_TOML_STRING && (c1 = strchr(lib->str, ':')) &&
		    (c2 = strchr(c1 + 1, ':'))) {
			clm_strbuf_add(&name, lib->str, (size_t)(c2 - lib->str));
			rc = clm_manifest_add_str(out, name.buf, c2 + 1, "runtime");
			continue;
		}
		if (lib->kind != CLM_TOML_TABLE) {
			rc = clm_manifest_reject(path, lib->line, "library '%s' must be \"g:a:v\" or a table",
						 lib->key);
			break;
		}
		group = clm_toml_string(lib, "group");
		artifact = clm_toml_string(lib, "name");
		if (module)
			clm_strbuf_addstr(&name, module);
		else if (group && artifact)
			clm_strbuf_addf(&name, "%s:%s", group, artifact);
		else {
			rc = clm_manifest_reject(path, lib->line, "library '%s' has no module", lib->key);
			break;
		}
		rc = clm_manifest_add_str(out, name.buf,
					  catalog_version(versions, clm_toml_get(lib, "version")),
					  "runtime");
	}
	clm_strbuf_release(&name);
	clm_toml_free(doc);
	return rc;
}

static int gradle_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
			void *read_ctx, struct clm_dep_list *out)
{
	(void)read;
	(void)read_ctx;
	if (clm_has_suffix(path, ".toml"))
		return parse_catalog(path, data, len, out);
	return parse_build_script(path, data, len, out);
}

const struct clm_manifest_parser clm_manifest_gradle = { "gradle", gradle_matches, gradle_parse };
