/* pip requirements files: one requirement per logical line, options, -r includes. */
#include "parsers/manifests/python.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/treepath.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INCLUDE_DEPTH 8
/* Files read per top-level parse: cycles are cut by the stack, but a crafted tree of files that
 * each include many others would otherwise be read exponentially often. */
#define MAX_INCLUDES 64

struct req_reader {
	clm_manifest_read_fn read;
	void *read_ctx;
	const char *group; /* of every requirement read */
	const char *stack[MAX_INCLUDE_DEPTH + 1]; /* files being read, outermost first */
	int depth;
	int includes; /* files included so far */
	struct clm_dep_list *out;
};

static int parse_file(struct req_reader *r, const char *path, const char *data, size_t len);

static int include_file(struct req_reader *r, const char *path, struct clm_span rel)
{
	struct clm_strbuf target = CLM_STRBUF_INIT;
	const char *data;
	size_t len;
	char *copy;
	int rc = 0;

	if (!r->read || r->depth >= MAX_INCLUDE_DEPTH || r->includes >= MAX_INCLUDES ||
	    clm_tree_path_resolve(path, rel.p, rel.n, &target) <= 0)
		goto cleanup;
	for (int i = 0; i <= r->depth; i++)
		if (!strcmp(r->stack[i], target.buf))
			goto cleanup; /* an include cycle */
	if (r->read(r->read_ctx, target.buf, &data, &len) < 0)
		goto cleanup; /* not in this tree: pip would fail, but the rest is still worth reading */
	copy = malloc(len ? len : 1);
	if (!copy) {
		rc = clm_error_oom();
		goto cleanup;
	}
	memcpy(copy, data, len);
	r->includes++;
	r->stack[++r->depth] = target.buf;
	rc = parse_file(r, target.buf, copy, len);
	r->depth--;
	free(copy);
cleanup:
	clm_strbuf_release(&target);
	return rc;
}

/* The value of an option line: "-r x", "-rx", "--requirement=x", "--requirement x". */
static struct clm_span option_value(struct clm_span line)
{
	size_t i = 0;

	while (i < line.n && !isspace((unsigned char)line.p[i]) && line.p[i] != '=')
		i++;
	if (line.n > 2 && line.p[1] != '-' && i > 2)
		i = 2; /* "-rfile.txt" */
	if (i < line.n && line.p[i] == '=')
		i++;
	line.p += i;
	line.n -= i;
	return clm_span_trim(line);
}

static int option_is(struct clm_span line, const char *shortopt, const char *longopt)
{
	size_t ls = strlen(shortopt), ll = strlen(longopt);

	if (line.n >= ll && !memcmp(line.p, longopt, ll) &&
	    (line.n == ll || line.p[ll] == '=' || isspace((unsigned char)line.p[ll])))
		return 1;
	return line.n >= ls && !memcmp(line.p, shortopt, ls) && line.p[1] != '-';
}

/* A URL or path requirement: its name comes from "#egg=name", else it is skipped. */
static int add_egg(struct req_reader *r, struct clm_span target)
{
	const char *egg = memmem(target.p, target.n, "#egg=", 5);
	size_t n = 0;
	char *name;
	int rc;

	if (!egg)
		return 0;
	egg += 5;
	while (egg + n < target.p + target.n && !strchr("&# \t", egg[n]))
		n++;
	if (!n)
		return 0;
	if (!(name = strndup(egg, n)))
		return clm_error_oom();
	rc = clm_pypi_add_named(name, "", r->group, r->out);
	free(name);
	return rc;
}

static int parse_line(struct req_reader *r, const char *path, size_t line, struct clm_span s)
{
	const char *opts, *scheme;

	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] == '#' && (i == 0 || isspace((unsigned char)s.p[i - 1]))) {
			s.n = i;
			break;
		}
	s = clm_span_trim(s);
	if (!s.n)
		return 0;
	if (s.p[0] == '-') {
		if (option_is(s, "-r", "--requirement"))
			return include_file(r, path, option_value(s));
		if (option_is(s, "-e", "--editable"))
			return add_egg(r, option_value(s));
		return 0; /* index URLs, constraints, hashes and other pip options */
	}
	scheme = memmem(s.p, s.n, "://", 3);
	if (s.p[0] == '.' || s.p[0] == '/' || (scheme && !memchr(s.p, '@', (size_t)(scheme - s.p))))
		return add_egg(r, s); /* "name @ https://..." has its name before the "@" */
	/* per-requirement options such as --hash come after the requirement */
	for (opts = s.p; (opts = memmem(opts, (size_t)(s.p + s.n - opts), "--", 2)); opts += 2)
		if (opts > s.p && isspace((unsigned char)opts[-1])) {
			s.n = (size_t)(opts - s.p);
			break;
		}
	return clm_pypi_add_requirement(path, line, s, r->group, r->out);
}

static int parse_file(struct req_reader *r, const char *path, const char *data, size_t len)
{
	struct clm_strbuf logical = CLM_STRBUF_INIT;
	struct clm_lines it;
	struct clm_span line;
	size_t start = 0;
	int rc, pending = 0;

	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	clm_lines_init(&it, data, len);
	while (!rc && clm_lines_next(&it, &line)) {
		int continued = line.n && line.p[line.n - 1] == '\\';

		if (!pending)
			start = it.lineno;
		pending = continued;
		if (clm_strbuf_add(&logical, line.p, line.n - (size_t)continued) < 0)
			rc = clm_error_oom();
		else if (!continued) {
			struct clm_span s = { logical.buf, logical.len };
			rc = parse_line(r, path, start, s);
			clm_strbuf_reset(&logical);
		}
	}
	if (!rc && logical.len) {
		struct clm_span s = { logical.buf, logical.len };
		rc = parse_line(r, path, start, s);
	}
	clm_strbuf_release(&logical);
	return rc;
}

int clm_pypi_parse_requirements(const char *path, const char *data, size_t len,
				clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	struct req_reader r = { read, read_ctx, "runtime", { path }, 0, 0, out };
	return parse_file(&r, path, data, len);
}

int clm_pypi_add_file(const char *path, const char *rel, const char *group,
		      clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	struct req_reader r = { read, read_ctx, group, { path }, 0, 0, out };
	struct clm_span s = { rel, strlen(rel) };

	return include_file(&r, path, clm_span_trim(s));
}
