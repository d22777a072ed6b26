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

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	static const unsigned char lo[] = { 0, 0x80, 0xa0, 0x80, 0x90, 0x80, 0x80 };
	unsigned c = s[0];
	size_t len;
	unsigned min2 = 0x80, max2 = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		min2 = lo[2];
	else if (c == 0xed)
		max2 = 0x9f; /* no surrogates */
	else if (c == 0xf0)
		min2 = lo[4];
	else if (c == 0xf4)
		max2 = 0x8f; /* nothing above U+10FFFF */
	if (n < len || s[1] < min2 || s[1] > max2)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int clm_strbuf_add_utf8_lossy(struct clm_strbuf *sb, const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0;

	while (i < len) {
		size_t k = utf8_len(s + i, len - i);
		int rc = k ? clm_strbuf_add(sb, s + i, k) : clm_strbuf_add(sb, "\xef\xbf\xbd", 3);
		if (rc < 0)
			return rc;
		i += k ? k : 1;
	}
	return 0;
}
