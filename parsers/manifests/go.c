/* Go modules: go.mod require and replace directives, lines and ( ) blocks. Dependencies are
 * named by module path without the major version suffix (/vN, or .vN on gopkg.in), so moving
 * from .../v8 to .../v9 is a bump of one dependency; go_path keeps the path as written. */
#include "parsers/manifests/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 8

struct go_line {
	struct clm_span tok[MAX_TOKENS];
	size_t n;
	int indirect; /* a "// indirect" comment */
};

struct go_replace {
	char *old_path, *old_version, *new_path, *new_version; /* versions may be NULL */
};

struct go_mod {
	const char *path;
	struct go_replace *replaces;
	size_t nreplaces, alloc;
	struct clm_dep_list *out;
};

static int go_matches(const char *path)
{
	return !strcmp(clm_path_basename(path), "go.mod");
}

/* Split a line into tokens: words, quoted strings (quotes dropped), "(" and ")"; note an
 * "indirect" comment. */
static int tokenize(const char *path, size_t lineno, struct clm_span line, struct go_line *out)
{
	size_t i = 0;

	out->n = 0;
	out->indirect = 0;
	while (i < line.n) {
		struct clm_span t;
		char c = line.p[i];

		if (isspace((unsigned char)c)) {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < line.n && line.p[i + 1] == '/') {
			struct clm_span comment = { line.p + i + 2, line.n - i - 2 };
			comment = clm_span_trim(comment);
			out->indirect = comment.n >= 8 && !memcmp(comment.p, "indirect", 8) &&
					(comment.n == 8 || comment.p[8] == ';');
			break;
		}
		if (out->n == MAX_TOKENS)
			return clm_manifest_reject(path, lineno, "too many words on one line");
		if (c == '"' || c == '`') {
			size_t j = i + 1;
			while (j < line.n && line.p[j] != c) {
				if (c == '"' && line.p[j] == '\\')
					j++;
				j++;
			}
			if (j >= line.n)
				return clm_manifest_reject(path, lineno, "unterminated quoted string");
			t.p = line.p + i + 1;
			t.n = j - i - 1;
			i = j + 1;
		} else if (c == '(' || c == ')') {
			t.p = line.p + i++;
			t.n = 1;
		} else {
			size_t j = i;
			while (j < line.n && !isspace((unsigned char)line.p[j]) && line.p[j] != '"' &&
			       line.p[j] != '`' && line.p[j] != '(' && line.p[j] != ')' &&
			       !(line.p[j] == '/' && j + 1 < line.n && line.p[j + 1] == '/'))
				j++;
			t.p = line.p + i;
			t.n = j - i;
			i = j;
		}
		out->tok[out->n++] = t;
	}
	return 0;
}

/* Length of the module path without its major version suffix. */
static size_t unversioned_length(const char *p, size_t n)
{
	size_t i = n;

	while (i > 0 && isdigit((unsigned char)p[i - 1]))
		i--;
	if (i == n || i < 2 || p[i - 1] != 'v')
		return n;
	if (p[i - 2] == '/' && !(n - i == 1 && (p[i] == '0' || p[i] == '1')))
		return i - 2;
	if (p[i - 2] == '.' && n > 9 && !memcmp(p, "gopkg.in/", 9))
		return i - 2;
	return n;
}

static int is_version(struct clm_span v)
{
	return v.n >= 2 && v.p[0] == 'v' && isdigit((unsigned char)v.p[1]);
}

static int add_require(struct go_mod *m, size_t lineno, const struct clm_span *tok, size_t n,
		       int indirect)
{
	char *path, *name, *version, lower[128];
	int rc;

	if (n != 2 || !tok[0].n)
		return clm_manifest_reject(m->path, lineno, "usage: require module/path v1.2.3");
	if (!is_version(tok[1]))
		return clm_manifest_reject(m->path, lineno, "invalid version '%.*s'",
					   (int)(tok[1].n > 60 ? 60 : tok[1].n), tok[1].p);
	path = strndup(tok[0].p, tok[0].n);
	name = strndup(tok[0].p, unversioned_length(tok[0].p, tok[0].n));
	version = strndup(tok[1].p, tok[1].n);
	if (!path || !name || !version) {
		rc = clm_error_oom();
	} else {
		clm_version_lower_bound(version, lower, sizeof(lower));
		rc = clm_dep_list_add(m->out, name, version, lower, indirect ? "indirect" : "runtime",
				      path);
	}
	free(path);
	free(name);
	free(version);
	return rc;
}

static void free_replace(struct go_replace *r)
{
	free(r->old_path);
	free(r->old_version);
	free(r->new_path);
	free(r->new_version);
}

static char *span_dup(const struct clm_span *s)
{
	return s ? strndup(s->p, s->n) : NULL;
}

/* replace old [v] => new [v] */
static int add_replace(struct go_mod *m, size_t lineno, const struct clm_span *tok, size_t n)
{
	size_t arrow = n;
	struct go_replace r;

	for (size_t i = 0; i < n; i++)
		if (clm_span_eq(tok[i], "=>"))
			arrow = i;
	if (arrow < 1 || arrow > 2 || n - arrow - 1 < 1 || n - arrow - 1 > 2)
		return clm_manifest_reject(m->path, lineno, "usage: replace module [v] => module [v]");
	if (CLM_ALLOC_GROW(m->replaces, m->nreplaces + 1, m->alloc) < 0)
		return CLM_ENOMEM;
	r.old_path = span_dup(&tok[0]);
	r.old_version = span_dup(arrow == 2 ? &tok[1] : NULL);
	r.new_path = span_dup(&tok[arrow + 1]);
	r.new_version = span_dup(n - arrow - 1 == 2 ? &tok[arrow + 2] : NULL);
	if (!r.old_path || !r.new_path || (arrow == 2 && !r.old_version) ||
	    (n - arrow - 1 == 2 && !r.new_version)) {
		free_replace(&r);
		return clm_error_oom();
	}
	m->replaces[m->nreplaces++] = r;
	return 0;
}

static int replace_field(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return clm_error_oom();
	free(*field);
	*field = copy;
	return 0;
}

/* A replacement of a required module changes its spec to "v1.0.0 => fork v1.0.1" and its lower
 * bound to the replacement's version; replacements of modules not required are listed under
 * the group "replace". */
static int apply_replace(struct go_mod *m, const struct go_replace *r)
{
	struct clm_strbuf spec = CLM_STRBUF_INIT;
	char lower[128] = "";
	int rc = 0, matched = 0;

	if (r->new_version)
		clm_version_lower_bound(r->new_version, lower, sizeof(lower));
	for (size_t i = 0; i < m->out->n && !rc; i++) {
		struct clm_dep *d = &m->out->items[i];
		if (!d->go_path || strcmp(d->go_path, r->old_path) || !strcmp(d->group, "replace") ||
		    (r->old_version && strcmp(r->old_version, d->spec)))
			continue;
		matched = 1;
		clm_strbuf_reset(&spec);
		clm_strbuf_addf(&spec, "%s => %s%s%s", d->spec, r->new_path,
				r->new_version ? " " : "", r->new_version ? r->new_version : "");
		rc = replace_field(&d->spec, spec.buf);
		if (!rc && r->new_version)
			rc = replace_field(&d->lower, lower);
	}
	if (!rc && !matched) {
		size_t len = strlen(r->old_path);
		char *name = strndup(r->old_path, unversioned_length(r->old_path, len));
		clm_strbuf_addf(&spec, "%s%s=> %s%s%s", r->old_version ? r->old_version : "",
				r->old_version ? " " : "", r->new_path, r->new_version ? " " : "",
				r->new_version ? r->new_version : "");
		rc = name ? clm_dep_list_add(m->out, name, spec.buf, lower, "replace", r->old_path) :
			    clm_error_oom();
		free(name);
	}
	clm_strbuf_release(&spec);
	return rc;
}

enum go_block { BLOCK_NONE, BLOCK_REQUIRE, BLOCK_REPLACE, BLOCK_OTHER };

static int handle_entry(struct go_mod *m, enum go_block kind, size_t lineno,
			const struct go_line *l, size_t first)
{
	if (kind == BLOCK_REQUIRE)
		return add_require(m, lineno, l->tok + first, l->n - first, l->indirect);
	if (kind == BLOCK_REPLACE)
		return add_replace(m, lineno, l->tok + first, l->n - first);
	return 0; /* module, go, toolchain, exclude, retract, godebug, tool and future verbs */
}

static enum go_block block_kind(struct clm_span verb)
{
	if (clm_span_eq(verb, "require"))
		return BLOCK_REQUIRE;
	if (clm_span_eq(verb, "replace"))
		return BLOCK_REPLACE;
	return BLOCK_OTHER;
}

static int go_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		    void *read_ctx, struct clm_dep_list *out)
{
	struct go_mod m = { path, NULL, 0, 0, out };
	enum go_block block = BLOCK_NONE;
	size_t block_line = 0;
	struct clm_lines it;
	struct clm_span line;
	struct go_line l;
	int rc;

	(void)read;
	(void)read_ctx;
	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	clm_lines_init(&it, data, len);
	while (!rc && clm_lines_next(&it, &line)) {
		if ((rc = tokenize(path, it.lineno, line, &l)) < 0 || !l.n)
			continue;
		if (block != BLOCK_NONE) {
			if (clm_span_eq(l.tok[0], ")")) {
				if (l.n != 1)
					rc = clm_manifest_reject(path, it.lineno, "unexpected text after ')'");
				block = BLOCK_NONE;
			} else {
				rc = handle_entry(&m, block, it.lineno, &l, 0);
			}
		} else if (clm_span_eq(l.tok[0], "(") || clm_span_eq(l.tok[0], ")")) {
			rc = clm_manifest_reject(path, it.lineno, "unexpected '%c'", l.tok[0].p[0]);
		} else if (l.n >= 2 && clm_span_eq(l.tok[1], "(")) {
			if (l.n != 2)
				rc = clm_manifest_reject(path, it.lineno, "unexpected text after '('");
			block = block_kind(l.tok[0]);
			block_line = it.lineno;
		} else {
			rc = handle_entry(&m, block_kind(l.tok[0]), it.lineno, &l, 1);
		}
	}
	if (!rc && block != BLOCK_NONE)
		rc = clm_manifest_reject(path, block_line, "block is not closed with ')'");
	for (size_t i = 0; i < m.nreplaces; i++) {
		if (!rc)
			rc = apply_replace(&m, &m.replaces[i]);
		free_replace(&m.replaces[i]);
	}
	free(m.replaces);
	return rc;
}

const struct clm_manifest_parser clm_manifest_go = { "go", go_matches, go_parse };
