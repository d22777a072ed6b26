#include "parsers/manifests/xml.h"
#include "parsers/manifests/common.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_DEPTH 256

struct open_element {
	struct clm_xml *e;
	struct clm_strbuf text;
	size_t alloc; /* of e->children */
};

struct xml_reader {
	const char *path, *p, *end;
	const char *counted; /* newlines before this point are in `line` */
	size_t line;
	struct open_element stack[MAX_DEPTH];
	int depth;
	struct clm_xml *root;
};

void clm_xml_free(struct clm_xml *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		clm_xml_free(e->children[i]);
	for (size_t i = 0; i < e->nattrs; i++) {
		free(e->attrs[i].name);
		free(e->attrs[i].value);
	}
	free(e->children);
	free(e->attrs);
	free(e->name);
	free(e->text);
	free(e);
}

const struct clm_xml *clm_xml_child(const struct clm_xml *e, const char *name)
{
	for (size_t i = 0; e && i < e->n; i++)
		if (!strcmp(e->children[i]->name, name))
			return e->children[i];
	return NULL;
}

const char *clm_xml_child_text(const struct clm_xml *e, const char *name)
{
	const struct clm_xml *c = clm_xml_child(e, name);
	return c ? c->text : NULL;
}

const char *clm_xml_attr(const struct clm_xml *e, const char *name)
{
	for (size_t i = 0; e && i < e->nattrs; i++)
		if (!strcasecmp(e->attrs[i].name, name))
			return e->attrs[i].value;
	return NULL;
}

/* The line of the current position. */
static size_t current_line(struct xml_reader *r)
{
	for (; r->counted < r->p; r->counted++)
		r->line += *r->counted == '\n';
	return r->line;
}

static int fail(struct xml_reader *r, const char *msg)
{
	return clm_manifest_reject(r->path, current_line(r), "invalid XML: %s", msg);
}

static int starts(const struct xml_reader *r, const char *s)
{
	size_t n = strlen(s);
	return (size_t)(r->end - r->p) >= n && !memcmp(r->p, s, n);
}

/* Move past the next `terminator`; CLM_EINVALID naming `what` when there is none. */
static int skip_past(struct xml_reader *r, const char *terminator, const char *what)
{
	const char *t = memmem(r->p, (size_t)(r->end - r->p), terminator, strlen(terminator));

	if (!t)
		return fail(r, what);
	r->p = t + strlen(terminator);
	return 0;
}

/* Append `n` bytes of character data with entities decoded; unknown entities stay as written
 * (custom DTD entities are never expanded). */
static void add_decoded(struct clm_strbuf *sb, const char *s, size_t n)
{
	static const struct { const char *name; char c; } named[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' },
	};

	for (size_t i = 0; i < n; i++) {
		const char *semi;
		size_t len;
		int done = 0;

		if (s[i] != '&' || !(semi = memchr(s + i, ';', n - i)) || semi - (s + i) > 12) {
			clm_strbuf_addch(sb, s[i]);
			continue;
		}
		len = (size_t)(semi - (s + i)) - 1;
		for (size_t k = 0; k < sizeof(named) / sizeof(named[0]) && !done; k++)
			if (strlen(named[k].name) == len && !memcmp(s + i + 1, named[k].name, len)) {
				clm_strbuf_addch(sb, named[k].c);
				done = 1;
			}
		if (!done && len >= 2 && s[i + 1] == '#') {
			int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			unsigned long cp = 0;
			size_t k = (size_t)(2 + hex);
			for (; k <= len; k++) {
				char c = s[i + k];
				int d = isdigit((unsigned char)c) ? c - '0' :
					hex && isxdigit((unsigned char)c) ? (tolower((unsigned char)c) - 'a' + 10) : -1;
				if (d < 0 || cp > 0x10ffff)
					break;
				cp = cp * (hex ? 16 : 10) + (unsigned long)d;
			}
			if (k > len && k > (size_t)(2 + hex)) {
				clm_add_utf8(sb, cp);
				done = 1;
			}
		}
		if (!done) {
			clm_strbuf_addch(sb, s[i]);
			continue;
		}
		i += len + 1;
	}
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

static void skip_space(struct xml_reader *r)
{
	while (r->p < r->end && isspace((unsigned char)*r->p))
		r->p++;
}

static int read_name(struct xml_reader *r, char **out)
{
	const char *start = r->p;

	while (r->p < r->end && is_name_char(*r->p))
		r->p++;
	if (r->p == start)
		return fail(r, "expected a name");
	*out = strndup(start, (size_t)(r->p - start));
	return *out ? 0 : clm_error_oom();
}

static int add_attr(struct clm_xml *e, size_t *alloc, char *name, char *value)
{
	if (CLM_ALLOC_GROW(e->attrs, e->nattrs + 1, *alloc) < 0) {
		free(name);
		free(value);
		return CLM_ENOMEM;
	}
	e->attrs[e->nattrs].name = name;
	e->attrs[e->nattrs++].value = value;
	return 0;
}

static int read_attrs(struct xml_reader *r, struct clm_xml *e, int *self_closing)
{
	size_t alloc = 0; /* e->attrs' capacity */

	for (;;) {
		struct clm_strbuf value = CLM_STRBUF_INIT;
		const char *close;
		char *name, quote;
		int rc;

		skip_space(r);
		if (r->p >= r->end)
			return fail(r, "unterminated start tag");
		if (*r->p == '>' || starts(r, "/>")) {
			*self_closing = *r->p == '/';
			r->p += *self_closing ? 2 : 1;
			return 0;
		}
		if ((rc = read_name(r, &name)) < 0)
			return rc;
		skip_space(r);
		if (r->p >= r->end || *r->p != '=') {
			free(name);
			return fail(r, "expected '=' after attribute name");
		}
		r->p++;
		skip_space(r);
		if (r->p >= r->end || (*r->p != '"' && *r->p != '\'')) {
			free(name);
			return fail(r, "attribute value must be quoted");
		}
		quote = *r->p++;
		close = memchr(r->p, quote, (size_t)(r->end - r->p));
		if (!close || memchr(r->p, '<', (size_t)(close - r->p))) {
			free(name);
			return fail(r, "unterminated attribute value");
		}
		add_decoded(&value, r->p, (size_t)(close - r->p));
		r->p = close + 1;
		if ((rc = add_attr(e, &alloc, name, clm_strbuf_detach(&value, NULL))) < 0)
			return rc;
	}
}

static int add_child(struct open_element *parent, struct clm_xml *child)
{
	struct clm_xml *e = parent->e;

	if (CLM_ALLOC_GROW(e->children, e->n + 1, parent->alloc) < 0)
		return CLM_ENOMEM;
	e->children[e->n++] = child;
	return 0;
}

/* Finish the innermost open element: keep its trimmed text. */
static int close_element(struct xml_reader *r)
{
	struct open_element *o = &r->stack[--r->depth];
	struct clm_span t = { o->text.buf, o->text.len };

	t = clm_span_trim(t);
	o->e->text = strndup(t.p, t.n);
	clm_strbuf_release(&o->text);
	return o->e->text ? 0 : clm_error_oom();
}

static int start_tag(struct xml_reader *r)
{
	struct clm_xml *e;
	int self_closing = 0, rc;
	size_t line = current_line(r);

	if (!r->depth && r->root)
		return fail(r, "more than one root element");
	if (r->depth == MAX_DEPTH)
		return fail(r, "elements nested too deeply");
	r->p++;
	if (!(e = calloc(1, sizeof(*e))))
		return clm_error_oom();
	e->line = line;
	if ((rc = read_name(r, &e->name)) < 0 || (rc = read_attrs(r, e, &self_closing)) < 0) {
		clm_xml_free(e);
		return rc;
	}
	if (r->depth)
		rc = add_child(&r->stack[r->depth - 1], e);
	else
		r->root = e;
	if (rc < 0) {
		clm_xml_free(e);
		return rc;
	}
	r->stack[r->depth].e = e;
	r->stack[r->depth].alloc = 0;
	clm_strbuf_init(&r->stack[r->depth].text);
	r->depth++;
	return self_closing ? close_element(r) : 0;
}

static int end_tag(struct xml_reader *r)
{
	const char *start;

	r->p += 2;
	start = r->p;
	while (r->p < r->end && is_name_char(*r->p))
		r->p++;
	if (!r->depth)
		return fail(r, "closing tag without an open element");
	if (strlen(r->stack[r->depth - 1].e->name) != (size_t)(r->p - start) ||
	    memcmp(start, r->stack[r->depth - 1].e->name, (size_t)(r->p - start)))
		return fail(r, "closing tag does not match the open element");
	skip_space(r);
	if (r->p >= r->end || *r->p != '>')
		return fail(r, "unterminated closing tag");
	r->p++;
	return close_element(r);
}

static int text(struct xml_reader *r)
{
	const char *lt = memchr(r->p, '<', (size_t)(r->end - r->p));
	const char *stop = lt ? lt : r->end;

	if (!r->depth) {
		for (const char *q = r->p; q < stop; q++)
			if (!isspace((unsigned char)*q))
				return fail(r, "text outside the root element");
	} else {
		add_decoded(&r->stack[r->depth - 1].text, r->p, (size_t)(stop - r->p));
	}
	r->p = stop;
	return 0;
}

/* <!DOCTYPE ...> with an optional [internal subset], skipped without expansion. */
static int doctype(struct xml_reader *r)
{
	int bracket = 0;

	for (; r->p < r->end; r->p++) {
		if (*r->p == '[')
			bracket++;
		else if (*r->p == ']' && bracket)
			bracket--;
		else if (*r->p == '>' && !bracket) {
			r->p++;
			return 0;
		}
	}
	return fail(r, "unterminated DOCTYPE");
}

static int step(struct xml_reader *r)
{
	if (*r->p != '<')
		return text(r);
	if (starts(r, "<?"))
		return skip_past(r, "?>", "unterminated processing instruction");
	if (starts(r, "<!--"))
		return skip_past(r, "-->", "unterminated comment");
	if (starts(r, "<![CDATA[")) {
		const char *start = r->p + 9;
		int rc;
		if (!r->depth)
			return fail(r, "CDATA outside the root element");
		r->p = start;
		if ((rc = skip_past(r, "]]>", "unterminated CDATA section")) < 0)
			return rc;
		return clm_strbuf_add(&r->stack[r->depth - 1].text, start,
				      (size_t)(r->p - 3 - start));
	}
	if (starts(r, "<!DOCTYPE"))
		return doctype(r);
	if (starts(r, "</"))
		return end_tag(r);
	return start_tag(r);
}

int clm_xml_parse(const char *path, const char *data, size_t len, struct clm_xml **root)
{
	struct xml_reader r;
	int rc;

	*root = NULL;
	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.p = r.counted = data;
	r.end = data + len;
	r.line = 1;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		r.p += 3;
	while (!rc && r.p < r.end)
		rc = step(&r);
	if (!rc && r.depth)
		rc = clm_manifest_reject(path, r.stack[r.depth - 1].e->line,
					 "invalid XML: element <%s> is not closed",
					 r.stack[r.depth - 1].e->name);
	if (!rc && !r.root)
		rc = clm_manifest_reject(path, 0, "invalid XML: no root element");
	while (r.depth)
		clm_strbuf_release(&r.stack[--r.depth].text);
	if (rc < 0) {
		clm_xml_free(r.root);
		return rc;
	}
	*root = r.root;
	return 0;
}
