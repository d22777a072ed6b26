/* Paths inside a repository tree: a relative reference from one file (a `-r` include, a
 * symbolic link, a parent POM) resolved to the path of its target, never leaving the tree. */
#ifndef CLM_UTIL_TREEPATH_H
#define CLM_UTIL_TREEPATH_H

#include <stddef.h>
#include "util/strbuf.h"

/* `rel` (`len` bytes) resolved against the folder of the file `from`, with "." and ".." folded,
 * into `out`: 1 when it names a path inside the tree ("" for the root folder), 0 when it is
 * empty, absolute, a URL, holds a NUL or climbs above the root; CLM_ENOMEM. */
int clm_tree_path_resolve(const char *from, const char *rel, size_t len, struct clm_strbuf *out);

#endif
