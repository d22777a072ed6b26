#include "parsers/manifests/common.h"
#include "util/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void clm_lines_init(struct clm_lines *it, const char *data, size_t len)
{
	it->p = data;
	it->end = data + len;
	it->lineno = 0;
}

int clm_lines_next(struct clm_lines *it, struct clm_span *line)
{
	const char *nl;

	if (it->p >= it->end)
		return 0;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	line->p = it->p;
	line->n = (size_t)((nl ? nl : it->end) - it->p);
	it->p = nl ? nl + 1 : it->end;
	if (line->n && line->p[line->n - 1] == '\r')
		line->n--;
	it->lineno++;
	return 1;
}

struct clm_span clm_span_trim(struct clm_span s)
{
	while (s.n && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n && isspace((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

int clm_span_eq(struct clm_span s, const char *word)
{
	size_t n = strlen(word);
	return s.n == n && !memcmp(s.p, word, n);
}

const char *clm_path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

int clm_manifest_reject(const char *path, size_t line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		return clm_error_set(CLM_EINVALID, "%s:%zu: %s", path, line, msg);
	return clm_error_set(CLM_EINVALID, "%s: %s", path, msg);
}

int clm_manifest_check_text(const char *path, const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);
	size_t line = 1;

	if (!nul)
		return 0;
	for (const char *p = data; p < nul; p++)
		line += *p == '\n';
	return clm_manifest_reject(path, line, "binary data (NUL byte) in a text manifest");
}

int clm_manifest_add_str(struct clm_dep_list *out, const char *name, const char *spec,
			 const char *group)
{
	char lower[128];

	clm_version_lower_bound(spec, lower, sizeof(lower));
	return clm_dep_list_add(out, name, spec, lower, group, NULL);
}

int clm_manifest_add(struct clm_dep_list *out, struct clm_span name, struct clm_span spec,
		     const char *group)
{
	char *n = strndup(name.p, name.n), *s = strndup(spec.p, spec.n);
	int rc = n && s ? clm_manifest_add_str(out, n, s, group) : clm_error_oom();

	free(n);
	free(s);
	return rc;
}

int clm_ts_named_children(TSNode node, TSNode **out, uint32_t *count)
{
	uint32_t n = ts_node_named_child_count(node), i = 0;
	TSTreeCursor cur;

	*out = NULL;
	*count = 0;
	if (!n)
		return 0;
	if (!(*out = malloc(n * sizeof(**out))))
		return clm_error_oom();
	cur = ts_tree_cursor_new(node);
	if (ts_tree_cursor_goto_first_child(&cur)) {
		do {
			TSNode c = ts_tree_cursor_current_node(&cur);
			if (ts_node_is_named(c) && i < n)
				(*out)[i++] = c;
		} while (ts_tree_cursor_goto_next_sibling(&cur));
	}
	ts_tree_cursor_delete(&cur);
	*count = i;
	return 0;
}
