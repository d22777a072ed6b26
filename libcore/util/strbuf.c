#include "util/strbuf.h"
#include "util/error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char clm_strbuf_empty[1];

void clm_strbuf_init(struct clm_strbuf *sb)
{
	sb->buf = (char *)clm_strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
}

void clm_strbuf_release(struct clm_strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	clm_strbuf_init(sb);
}

int clm_strbuf_grow(struct clm_strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > SIZE_MAX - sb->len - 1)
		return clm_error_oom();
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	cap = sb->alloc ? sb->alloc : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(sb->alloc ? sb->buf : NULL, cap);
	if (!p)
		return clm_error_oom();
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = cap;
	return 0;
}

int clm_strbuf_add(struct clm_strbuf *sb, const void *data, size_t len)
{
	if (clm_strbuf_grow(sb, len) < 0)
		return CLM_ENOMEM;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int clm_strbuf_addstr(struct clm_strbuf *sb, const char *s)
{
	return clm_strbuf_add(sb, s, strlen(s));
}

int clm_strbuf_addch(struct clm_strbuf *sb, char c)
{
	return clm_strbuf_add(sb, &c, 1);
}

static int vaddf(struct clm_strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return clm_error_set(CLM_EINVALID, "bad format string");
	if (clm_strbuf_grow(sb, (size_t)n) < 0)
		return CLM_ENOMEM;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int clm_strbuf_addf(struct clm_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vaddf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

char *clm_strfmt(const char *fmt, ...)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vaddf(&sb, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		clm_strbuf_release(&sb);
		return NULL;
	}
	return clm_strbuf_detach(&sb, NULL);
}

void clm_strbuf_setlen(struct clm_strbuf *sb, size_t len)
{
	if (!sb->alloc || len > sb->len)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

void clm_strbuf_reset(struct clm_strbuf *sb)
{
	clm_strbuf_setlen(sb, 0);
}

void clm_strbuf_rtrim(struct clm_strbuf *sb)
{
	size_t n = sb->len;
	while (n && isspace((unsigned char)sb->buf[n - 1]))
		n--;
	clm_strbuf_setlen(sb, n);
}

char *clm_strbuf_detach(struct clm_strbuf *sb, size_t *len)
{
	char *p;

	if (len)
		*len = sb->len;
	if (!sb->alloc) {
		p = calloc(1, 1);
	} else {
		p = sb->buf;
	}
	clm_strbuf_init(sb);
	return p;
}
