/* Incremental parser for server-sent events (the text/event-stream framing that OpenAI-style
 * servers use to stream tokens). Bytes arrive in arbitrary pieces; complete events are handed to
 * a callback. Pure: no I/O, never reads past the bytes it is given, bounded memory. */
#ifndef CLM_REMOTE_SSE_H
#define CLM_REMOTE_SSE_H

#include <stddef.h>
#include "util/strbuf.h"

/* Called once per complete event: `event` is the event type ("message" when none was given),
 * `data` the joined data lines (len bytes, NUL-terminated, may contain NULs). Return 0 to go on,
 * a negative code (with a message set) to stop: clm_sse_feed returns that code. */
typedef int (*clm_sse_event_fn)(const char *event, const char *data, size_t len, void *arg);

struct clm_sse_parser {
	struct clm_strbuf line;  /* the current line, not yet ended; owned */
	struct clm_strbuf data;  /* data of the event being assembled; owned */
	struct clm_strbuf event; /* event type of the event being assembled; owned */
	size_t max_event;        /* refuse lines or events larger than this many bytes */
	int after_cr;            /* the last byte fed ended a line with CR: skip a following LF */
};

/* Start a parser; events or lines over `max_event` bytes are refused (0 means 1 MiB). */
void clm_sse_init(struct clm_sse_parser *p, size_t max_event);

/* Feed the next `len` bytes of the stream; calls `fn` for each event they complete.
 * Returns 0, the callback's negative code, CLM_EINVALID (event too large) or CLM_ENOMEM. */
int clm_sse_feed(struct clm_sse_parser *p, const char *buf, size_t len, clm_sse_event_fn fn, void *arg);

/* Non-zero when bytes of an unfinished event are pending (the stream was cut mid-event). */
int clm_sse_pending(const struct clm_sse_parser *p);

/* Free the parser's memory. */
void clm_sse_release(struct clm_sse_parser *p);

#endif
