#include "util/escape.h"

#include <stdio.h>
#include <string.h>

size_t clm_control_at(const char *s, size_t len)
{
	unsigned char c = (unsigned char)s[0];

	if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
		return 1;
	if (c == 0xc2 && len > 1 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)
		return 2;
	return 0;
}

/* The escaped form of the control character of `n` bytes at `s`. */
static void escape_one(const char *s, size_t n, char out[8])
{
	if (n == 1)
		snprintf(out, 8, "\\x%02x", (unsigned char)s[0]);
	else
		snprintf(out, 8, "\\u%04x", (unsigned char)s[1]);
}

int clm_escape_controls(const char *s, size_t len, struct clm_strbuf *out)
{
	size_t i = 0, start = 0;
	int rc = 0;

	while (i < len && rc == 0) {
		size_t n = clm_control_at(s + i, len - i);
		char esc[8];
		if (!n) {
			i++;
			continue;
		}
		escape_one(s + i, n, esc);
		rc = clm_strbuf_add(out, s + start, i - start);
		if (rc == 0)
			rc = clm_strbuf_addstr(out, esc);
		i += n;
		start = i;
	}
	return rc == 0 ? clm_strbuf_add(out, s + start, len - start) : rc;
}

void clm_escape_controls_to(const char *s, char *out, size_t size)
{
	size_t len = strlen(s), o = 0;

	if (!size)
		return;
	for (size_t i = 0; i < len;) {
		size_t n = clm_control_at(s + i, len - i);
		char esc[8];
		size_t m;
		if (n)
			escape_one(s + i, n, esc);
		m = n ? strlen(esc) : 1;
		if (o + m + 1 > size)
			break;
		memcpy(out + o, n ? esc : s + i, m);
		o += m;
		i += n ? n : 1;
	}
	out[o] = '\0';
}
