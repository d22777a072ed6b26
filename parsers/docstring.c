#include "parsers/docstring.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <string.h>

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim the buffer's blank lines at both ends and return its bytes, or NULL when nothing is left. */
static char *finish_doc(struct clm_strbuf *sb)
{
	size_t start = 0;

	clm_strbuf_rtrim(sb);
	while (start < sb->len && isspace((unsigned char)sb->buf[start]))
		start++;
	if (start == sb->len) {
		clm_strbuf_release(sb);
		return NULL;
	}
	memmove(sb->buf, sb->buf + start, sb->len - start);
	clm_strbuf_setlen(sb, sb->len - start);
	return clm_strbuf_detach(sb, NULL);
}

/* Strip one comment line's markers: the line is [p, end). */
static void strip_comment_line(const char **p, const char **end)
{
	static const char *const openers[] = { "///", "//!", "//", "/**", "/*!", "/*", "#", NULL };
	const char *s = *p, *e = *end;

	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	if (e - s >= 2 && e[-2] == '*' && e[-1] == '/')
		e -= 2;
	for (int i = 0; openers[i]; i++) {
		size_t n = strlen(openers[i]);
		if ((size_t)(e - s) >= n && !memcmp(s, openers[i], n)) {
			s += n;
			break;
		}
	}
	if (s < e && *s == '*' && (e - s == 1 || s[1] != '/'))
		s++;
	while (e > s && *(e - 1) == '*')
		e--;
	if (s < e && *s == ' ')
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	*p = s;
	*end = e;
}

char *clm_doc_from_comment(const char *text, size_t len)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *p = text, *stop = text + len;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *e = nl ? nl : stop, *s = p;
		strip_comment_line(&s, &e);
		if (clm_strbuf_add(&sb, s, (size_t)(e - s)) < 0 || clm_strbuf_addch(&sb, '\n') < 0) {
			clm_strbuf_release(&sb);
			return NULL;
		}
		p = nl ? nl + 1 : stop;
	}
	return finish_doc(&sb);
}

/* Indentation (in bytes) of the line [s, e); SIZE_MAX for a blank line. */
static size_t line_indent(const char *s, const char *e)
{
	size_t n = 0;
	while (s + n < e && is_blank(s[n]))
		n++;
	return s + n == e ? (size_t)-1 : n;
}

char *clm_doc_from_python_string(const char *text, size_t len)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *s = text, *e = text + len, *p;
	size_t q, indent = (size_t)-1;
	int first = 1;

	while (s < e && isalpha((unsigned char)*s))
		s++;
	if (s >= e || (*s != '"' && *s != '\''))
		return NULL;
	q = (e - s >= 6 && s[1] == s[0] && s[2] == s[0]) ? 3 : 1;
	if ((size_t)(e - s) < 2 * q)
		return NULL;
	s += q;
	e -= q;
	/* Common indentation of every line after the first, as inspect.cleandoc computes it. */
	for (p = memchr(s, '\n', (size_t)(e - s)); p && p < e;) {
		const char *ls = p + 1, *nl = memchr(ls, '\n', (size_t)(e - ls));
		size_t in = line_indent(ls, nl ? nl : e);
		if (in < indent)
			indent = in;
		p = nl;
	}
	for (p = s; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e, *ls = p;
		if (!first) {
			size_t in = line_indent(ls, le);
			ls += in == (size_t)-1 ? (size_t)(le - ls) : (in < indent ? in : indent);
		}
		first = 0;
		if (clm_strbuf_add(&sb, ls, (size_t)(le - ls)) < 0 || clm_strbuf_addch(&sb, '\n') < 0) {
			clm_strbuf_release(&sb);
			return NULL;
		}
		p = nl ? nl + 1 : e;
	}
	return finish_doc(&sb);
}

/* Skip an XML tag at p (C# documentation comments), returning the byte after it, or p. */
static const char *skip_xml_tag(const char *p)
{
	const char *q = p + 1;
	if (*p != '<' || !(isalpha((unsigned char)*q) || *q == '/'))
		return p;
	while (*q && *q != '>' && *q != '<' && *q != '\n')
		q++;
	return *q == '>' ? q + 1 : p;
}

char *clm_doc_first_sentence(const char *doc)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *p = doc;
	int space = 0, xml = !strncmp(doc, "<summary>", 9);

	while (*p && isspace((unsigned char)*p))
		p++;
	for (; *p; p++) {
		if (*p == '\n') {
			const char *q = p + 1;
			while (is_blank(*q))
				q++;
			/* A blank line or a tag line (@param, :param) ends the paragraph. */
			if (*q == '\n' || *q == '@' || *q == ':' || *q == '\0')
				break;
		}
		if (xml && *p == '<') {
			const char *q = skip_xml_tag(p);
			if (q != p) {
				p = q - 1;
				continue;
			}
		}
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space && sb.len && clm_strbuf_addch(&sb, ' ') < 0)
			goto oom;
		space = 0;
		if (clm_strbuf_addch(&sb, *p) < 0)
			goto oom;
		if (*p == '.' && (p[1] == '\0' || isspace((unsigned char)p[1])))
			break;
	}
	if (!sb.len)
		return NULL;
	return clm_strbuf_detach(&sb, NULL);
oom:
	clm_strbuf_release(&sb);
	return NULL;
}
