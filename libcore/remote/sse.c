/* Server-sent events framing as the WHATWG HTML standard defines it: lines end with CRLF, LF or
 * CR; "field: value" lines (one space after the colon is dropped); ':' starts a comment; a blank
 * line dispatches the event; data lines are joined with LF. */
#include "remote/sse.h"
#include "util/error.h"

#include <string.h>

#define SSE_DEFAULT_MAX (1u << 20)

void clm_sse_init(struct clm_sse_parser *p, size_t max_event)
{
	clm_strbuf_init(&p->line);
	clm_strbuf_init(&p->data);
	clm_strbuf_init(&p->event);
	p->max_event = max_event ? max_event : SSE_DEFAULT_MAX;
	p->after_cr = 0;
}

void clm_sse_release(struct clm_sse_parser *p)
{
	clm_strbuf_release(&p->line);
	clm_strbuf_release(&p->data);
	clm_strbuf_release(&p->event);
}

int clm_sse_pending(const struct clm_sse_parser *p)
{
	return p->line.len > 0 || p->data.len > 0;
}

static int field_is(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && !memcmp(name, want, len);
}

static int dispatch(struct clm_sse_parser *p, clm_sse_event_fn fn, void *arg)
{
	int rc = 0;

	/* An event with no data lines is not dispatched; its type is forgotten. */
	if (p->data.len > 0) {
		clm_strbuf_setlen(&p->data, p->data.len - 1); /* the LF after the last data line */
		rc = fn(p->event.len ? p->event.buf : "message", p->data.buf, p->data.len, arg);
	}
	clm_strbuf_reset(&p->data);
	clm_strbuf_reset(&p->event);
	return rc;
}

static int process_line(struct clm_sse_parser *p, clm_sse_event_fn fn, void *arg)
{
	const char *line = p->line.buf, *colon, *value;
	size_t len = p->line.len, name_len, value_len;
	int rc = 0;

	if (len == 0)
		return dispatch(p, fn, arg);
	if (line[0] == ':')
		return 0;
	colon = memchr(line, ':', len);
	name_len = colon ? (size_t)(colon - line) : len;
	value = colon ? colon + 1 : line + len;
	value_len = len - (size_t)(value - line);
	if (value_len > 0 && value[0] == ' ')
		value++, value_len--;
	if (field_is(line, name_len, "data")) {
		if (p->data.len + value_len + 1 > p->max_event)
			return clm_error_set(CLM_EINVALID, "server-sent event larger than %zu bytes",
					     p->max_event);
		rc = clm_strbuf_add(&p->data, value, value_len);
		if (!rc)
			rc = clm_strbuf_addch(&p->data, '\n');
	} else if (field_is(line, name_len, "event")) {
		clm_strbuf_reset(&p->event);
		rc = clm_strbuf_add(&p->event, value, value_len);
	}
	/* "id", "retry" and unknown fields do not matter to a single request. */
	return rc;
}

int clm_sse_feed(struct clm_sse_parser *p, const char *buf, size_t len, clm_sse_event_fn fn, void *arg)
{
	size_t i = 0;

	if (p->after_cr && len > 0 && buf[0] == '\n')
		i = 1;
	if (len > 0)
		p->after_cr = 0;
	while (i < len) {
		size_t j = i;
		int rc;

		while (j < len && buf[j] != '\n' && buf[j] != '\r')
			j++;
		if (p->line.len + (j - i) > p->max_event)
			return clm_error_set(CLM_EINVALID, "server-sent event line longer than %zu bytes",
					     p->max_event);
		if (clm_strbuf_add(&p->line, buf + i, j - i) < 0)
			return CLM_ENOMEM;
		if (j == len)
			break;
		if (buf[j] == '\r') {
			if (j + 1 < len && buf[j + 1] == '\n')
				j++;
			else if (j + 1 == len)
				p->after_cr = 1;
		}
		rc = process_line(p, fn, arg);
		clm_strbuf_reset(&p->line);
		if (rc < 0)
			return rc;
		i = j + 1;
	}
	return 0;
}
