/* Streaming JSON-lines reading and writing: one object per line, never the whole file in memory. */
#ifndef CLM_UTIL_JSONL_H
#define CLM_UTIL_JSONL_H

#include <stdio.h>
#include <jansson.h>
#include "util/strbuf.h"

struct clm_jsonl_reader {
	FILE *fp;               /* not owned */
	const char *name;       /* for messages; not owned */
	size_t max_line;        /* longest accepted line in bytes */
	size_t lineno;          /* number of the line last read (1-based) */
	struct clm_strbuf line; /* the raw line last read */
};

/* Start reading `fp`; lines over `max_line` bytes (0 = 64 MiB) are rejected. */
void clm_jsonl_reader_init(struct clm_jsonl_reader *r, FILE *fp, const char *name, size_t max_line);

/* Read the next non-empty line as a JSON object into *out (caller decrefs).
 * Returns 1 when an object was read, 0 at end of input, CLM_EINVALID on a malformed line (the
 * message names the file and line; the next call reads the line after it), CLM_EIO or CLM_ENOMEM
 * when reading fails. */
int clm_jsonl_next(struct clm_jsonl_reader *r, json_t **out);

/* Free the reader's buffer (does not close the file). */
void clm_jsonl_reader_release(struct clm_jsonl_reader *r);

/* Write `obj` as one compact line with sorted keys; 0 or CLM_EIO. */
int clm_jsonl_write(FILE *fp, const json_t *obj);

#endif
