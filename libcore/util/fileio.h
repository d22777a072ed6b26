/* Reading and writing whole files safely. */
#ifndef CLM_UTIL_FILEIO_H
#define CLM_UTIL_FILEIO_H

#include <stddef.h>
#include "util/strbuf.h"

/* Append the contents of `path` to `out`; refuse files over `max_bytes` (0 = no cap).
 * Returns 0, CLM_ENOTFOUND, CLM_EINVALID (too big) or CLM_EIO, with a message naming the path. */
int clm_read_file(const char *path, size_t max_bytes, struct clm_strbuf *out);

/* Create a new temporary file beside `path` (its name in `tmp`) with O_EXCL|O_NOFOLLOW, so a
 * file or symlink planted in a shared folder is never followed or truncated; rename it into place.
 * The open descriptor, or a negative code with a message. */
int clm_temp_create(const char *path, struct clm_strbuf *tmp);

/* Append everything on standard input to `out`. 0, CLM_ENOMEM or CLM_EIO. */
int clm_read_stdin(struct clm_strbuf *out);

/* Write `len` bytes to `path` atomically: a temporary file beside it (clm_temp_create), fsync,
 * rename. On failure the old file is untouched and the temporary removed. */
int clm_write_file_atomic(const char *path, const void *data, size_t len);

/* Create `path` and its missing parents (like mkdir -p); 0 or CLM_EIO. */
int clm_mkdir_p(const char *path, unsigned mode);

/* Non-zero when `path` exists (any type). */
int clm_path_exists(const char *path);

#endif
