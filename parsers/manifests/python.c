/* Python (PyPI): PEP 508 requirements, manifest recognition and dispatch by file name. */
#include "parsers/manifests/python.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* PEP 503: lower case, runs of "-", "_" and "." become one "-". */
static char *normalise_name(const char *name, size_t n)
{
	char *out = malloc(n + 1);
	size_t len = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c == '-' || c == '_' || c == '.') {
			if (len && out[len - 1] != '-')
				out[len++] = '-';
		} else {
			out[len++] = (char)tolower((unsigned char)c);
		}
	}
	while (len && out[len - 1] == '-')
		len--;
	out[len] = '\0';
	return out;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

int clm_pypi_valid_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || !isalnum((unsigned char)name[0]) || !isalnum((unsigned char)name[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(name[i]))
			return 0;
	return 1;
}

static int is_spec_char(char c)
{
	return isalnum((unsigned char)c) || strchr(".*+!<>=~,-_", c);
}

int clm_pypi_add_named(const char *name, const char *spec, const char *group,
		       struct clm_dep_list *out)
{
	char *norm = normalise_name(name, strlen(name));
	int rc;

	if (!norm)
		return clm_error_oom();
	rc = clm_manifest_add_str(out, norm, !strcmp(spec, "*") ? "" : spec, group);
	free(norm);
	return rc;
}

/* The version specifier part of a requirement with whitespace removed (PEP 440 ignores it) and
 * optional parentheses dropped; CLM_EINVALID when it is not a specifier. */
static int clean_specifier(struct clm_span s, struct clm_strbuf *spec)
{
	s = clm_span_trim(s);
	if (s.n >= 2 && s.p[0] == '(' && s.p[s.n - 1] == ')') {
		s.p++;
		s.n -= 2;
	}
	for (size_t i = 0; i < s.n; i++) {
		if (isspace((unsigned char)s.p[i]))
			continue;
		if (!is_spec_char(s.p[i]) || clm_strbuf_addch(spec, s.p[i]) < 0)
			return CLM_EINVALID;
	}
	return spec->len && !strchr("<>=!~", spec->buf[0]) ? CLM_EINVALID : 0;
}

int clm_pypi_add_requirement(const char *path, size_t line, struct clm_span req, const char *group,
			     struct clm_dep_list *out)
{
	struct clm_strbuf spec = CLM_STRBUF_INIT;
	struct clm_span s = clm_span_trim(req), rest;
	size_t i = 0;
	const char *semi;
	char *name;
	int rc;

	if (!s.n || !isalnum((unsigned char)s.p[0]))
		return clm_manifest_reject(path, line, "not a requirement: '%.*s'",
					   (int)(s.n > 80 ? 80 : s.n), s.p);
	while (i < s.n && is_name_char(s.p[i]))
		i++;
	name = normalise_name(s.p, i);
	if (!name)
		return clm_error_oom();
	while (i < s.n && isspace((unsigned char)s.p[i]))
		i++;
	if (i < s.n && s.p[i] == '[') {
		const char *close = memchr(s.p + i, ']', s.n - i);
		if (!close) {
			free(name);
			return clm_manifest_reject(path, line, "unterminated extras in '%.*s'",
						   (int)(s.n > 80 ? 80 : s.n), s.p);
		}
		i = (size_t)(close - s.p) + 1;
	}
	rest.p = s.p + i;
	rest.n = s.n - i;
	semi = memchr(rest.p, ';', rest.n);
	if (semi)
		rest.n = (size_t)(semi - rest.p);
	rest = clm_span_trim(rest);
	if (rest.n && rest.p[0] == '@')
		rc = clm_strbuf_add(&spec, rest.p, rest.n);
	else if (clean_specifier(rest, &spec) < 0)
		rc = clm_manifest_reject(path, line, "invalid version specifier '%.*s' for %s",
					 (int)(rest.n > 80 ? 80 : rest.n), rest.p, name);
	else
		rc = 0;
	if (!rc)
		rc = clm_manifest_add_str(out, name, spec.buf, group);
	clm_strbuf_release(&spec);
	free(name);
	return rc;
}

/* requirements.txt, requirements-dev.txt, dev-requirements.in, requirements/base.txt */
static int is_requirements_file(const char *path)
{
	const char *base = clm_path_basename(path);
	size_t dirlen = (size_t)(base - path);

	if (!clm_has_suffix(base, ".txt") && !clm_has_suffix(base, ".in"))
		return 0;
	if (strstr(base, "requirements"))
		return 1;
	return dirlen >= 13 && !strncmp(base - 13, "requirements/", 13) &&
	       (dirlen == 13 || base[-14] == '/');
}

static int pypi_matches(const char *path)
{
	const char *base = clm_path_basename(path);

	return !strcmp(base, "pyproject.toml") || !strcmp(base, "setup.py") ||
	       !strcmp(base, "setup.cfg") || !strcmp(base, "Pipfile") ||
	       is_requirements_file(path);
}

static int pypi_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		      void *read_ctx, struct clm_dep_list *out)
{
	const char *base = clm_path_basename(path);

	if (!strcmp(base, "pyproject.toml"))
		return clm_pypi_parse_pyproject(path, data, len, read, read_ctx, out);
	if (!strcmp(base, "Pipfile"))
		return clm_pypi_parse_pipfile(path, data, len, out);
	if (!strcmp(base, "setup.py"))
		return clm_pypi_parse_setup_py(path, data, len, out);
	if (!strcmp(base, "setup.cfg"))
		return clm_pypi_parse_setup_cfg(path, data, len, read, read_ctx, out);
	return clm_pypi_parse_requirements(path, data, len, read, read_ctx, out);
}

const struct clm_manifest_parser clm_manifest_pypi = { "pypi", pypi_matches, pypi_parse };
