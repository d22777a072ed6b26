/* Unified diffs that `git apply` accepts, for replacing one block of lines in a file. */
#ifndef CLM_UTIL_UDIFF_H
#define CLM_UTIL_UDIFF_H

#include <stddef.h>
#include "util/strbuf.h"

/* Append to `out` a diff of `path` (old text `text`, `len` bytes) in which lines
 * [first_line, last_line] (1-based, inclusive) are replaced by `replacement` (whole lines; a
 * missing final newline is added). Three lines of context, a/ and b/ prefixes. Nothing is
 * appended when the replacement equals the old lines. 0, CLM_EINVALID (bad range) or CLM_ENOMEM. */
int clm_udiff_replace_lines(const char *path, const char *text, size_t len, unsigned first_line,
			    unsigned last_line, const char *replacement, struct clm_strbuf *out);

#endif
