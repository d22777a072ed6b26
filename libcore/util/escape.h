/* Text from a repository or a server shown on a terminal: control characters (C0 other than tab
 * and newline, DEL, UTF-8 encoded C1) escaped, so no escape sequence can retitle, recolour or
 * rewrite the terminal. */
#ifndef CLM_UTIL_ESCAPE_H
#define CLM_UTIL_ESCAPE_H

#include <stddef.h>
#include "util/strbuf.h"

/* Bytes of the control character at `s` (`len` bytes left): 1 for a C0 byte other than tab and
 * newline or DEL, 2 for a UTF-8 encoded C1 control (U+0080..U+009F), 0 for anything else. */
size_t clm_control_at(const char *s, size_t len);

/* Append `s` (`len` bytes) to `out` with each control character as \xNN (C0, DEL) or \u00NN (C1). */
int clm_escape_controls(const char *s, size_t len, struct clm_strbuf *out);

/* The same into `out` (`size` bytes, NUL-terminated, cut to fit) for the NUL-terminated `s`. */
void clm_escape_controls_to(const char *s, char *out, size_t size);

#endif
