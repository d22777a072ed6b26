/* A thin layer over jansson: loading with bounded errors and typed field access. */
#ifndef CLM_UTIL_JSON_H
#define CLM_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "util/strbuf.h"

/* Parse `len` bytes as one JSON value; on error set a message naming `what` and the position
 * and return NULL. Caller owns the result (json_decref). */
json_t *clm_json_parse(const char *data, size_t len, const char *what);

/* Serialize compactly with sorted keys (stable bytes for git blobs) and append to `out`. */
int clm_json_dump(const json_t *value, struct clm_strbuf *out);

/* Serialize with two-space indentation and sorted keys, plus a final newline. */
int clm_json_dump_pretty(const json_t *value, struct clm_strbuf *out);

/* Field `key` of `obj` as a string; NULL with a message when missing or not a string. */
const char *clm_json_get_string(const json_t *obj, const char *key, const char *what);

/* Field `key` as an integer in [min, max]; CLM_EINVALID with a message otherwise. */
int clm_json_get_int(const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
		     const char *what);

/* Field `key` as a number (integer or real); CLM_EINVALID with a message otherwise. */
int clm_json_get_number(const json_t *obj, const char *key, double *out, const char *what);

/* A JSON string of `s` with every byte sequence that is not valid UTF-8 (model output can be any
 * bytes) replaced by U+FFFD, since jansson refuses such text; NULL only when out of memory. */
json_t *clm_json_string_lossy(const char *s);

#endif
