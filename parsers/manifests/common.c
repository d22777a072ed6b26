#include "parsers/manifests/common.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "parsers/languages.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

void clm_add_utf8(struct clm_strbuf *sb, unsigned long cp)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	if (cp < 0x80) {
		clm_strbuf_addch(sb, (char)cp);
	} else if (cp < 0x800) {
		clm_strbuf_addch(sb, (char)(0xc0 | (cp >> 6)));
		clm_strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		clm_strbuf_addch(sb, (char)(0xe0 | (cp >> 12)));
		clm_strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		clm_strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		clm_strbuf_addch(sb, (char)(0xf0 | (cp >> 18)));
		clm_strbuf_addch(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		clm_strbuf_addch(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		clm_strbuf_addch(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

int clm_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

size_t clm_ts_line(TSNode n)
{
	return (size_t)ts_node_start_point(n).row + 1;
}

/* The line of the first syntax error under `n`. */
static size_t error_line(TSNode n)
{
	for (;;) {
		uint32_t count = ts_node_child_count(n), i;

		if (ts_node_is_missing(n) || !strcmp(ts_node_type(n), "ERROR"))
			return clm_ts_line(n);
		for (i = 0; i < count && !ts_node_has_error(ts_node_child(n, i)); i++)
			;
		if (i == count)
			return clm_ts_line(n);
		n = ts_node_child(n, i);
	}
}

int clm_ts_parse_manifest(const char *path, const char *data, size_t len, const char *language,
			  const char *what, TSTree **tree)
{
	TSParser *parser;
	int rc;

	*tree = NULL;
	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	if (len > UINT32_MAX)
		return clm_manifest_reject(path, 0, "file too large");
	if ((rc = clm_language_parser(clm_language_by_name(language), &parser)) < 0)
		return rc;
	*tree = ts_parser_parse_string(parser, NULL, data, (uint32_t)len);
	ts_parser_delete(parser);
	if (!*tree)
		return clm_manifest_reject(path, 0, "%s parser failed", language);
	if (ts_node_has_error(ts_tree_root_node(*tree))) {
		rc = clm_manifest_reject(path, error_line(ts_tree_root_node(*tree)), "%s", what);
		ts_tree_delete(*tree);
		*tree = NULL;
	}
	return rc;
}

#define MAX_EXPANSION_ROUNDS 32
#define MAX_EXPANDED_LENGTH 1024

int clm_expand_refs(const char *value, const char *open, char close,
		    const char *(*lookup)(const void *ctx, const char *name, size_t n),
		    const void *ctx, struct clm_strbuf *out)
{
	struct clm_strbuf cur = CLM_STRBUF_INIT, done = CLM_STRBUF_INIT;
	size_t olen = strlen(open);
	int rc = clm_strbuf_addstr(&done, value);

	for (int round = 0; !rc && round < MAX_EXPANSION_ROUNDS && strstr(done.buf, open); round++) {
		const char *p = done.buf;
		int changed = 0;

		clm_strbuf_reset(&cur);
		while (*p) {
			const char *start = strstr(p, open);
			const char *end = start ? strchr(start + olen, close) : NULL, *v;

			if (!end) {
				clm_strbuf_addstr(&cur, p);
				break;
			}
			clm_strbuf_add(&cur, p, (size_t)(start - p));
			v = lookup(ctx, start + olen, (size_t)(end - start - olen));
			changed |= v != NULL;
			if (v)
				clm_strbuf_addstr(&cur, v);
			else
				clm_strbuf_add(&cur, start, (size_t)(end - start + 1));
			p = end + 1;
		}
		if (!changed || cur.len > MAX_EXPANDED_LENGTH)
			break;
		clm_strbuf_reset(&done);
		rc = clm_strbuf_add(&done, cur.buf, cur.len);
	}
	if (!rc)
		rc = clm_strbuf_add(out, done.buf, done.len);
	clm_strbuf_release(&cur);
	clm_strbuf_release(&done);
	return rc < 0 ? clm_error_oom() : 0;
}
