/* Reading blobs safely while mining: the size is checked from the object header before any
 * content is inflated, so a huge file costs nothing. */
#ifndef CLM_GIT_BLOB_H
#define CLM_GIT_BLOB_H

#include <stddef.h>
#include <git2.h>

#define CLM_BLOB_MAX_BYTES (1024 * 1024) /* files over 1 MB are not mined */

/* Read blob `id` when it holds at most `max_bytes`. Returns 0 with *out set (caller frees with
 * git_blob_free), 1 with *out NULL when the blob is larger, CLM_ENOTFOUND (message names the
 * object) when it is missing from the object store, or another negative code. */
int clm_blob_read_capped(git_repository *repo, const git_oid *id, size_t max_bytes, git_blob **out);

/* Non-zero when the content looks binary: a NUL byte in the first 8000 bytes, as git decides. */
int clm_blob_is_binary(const char *data, size_t len);

/* Non-zero when a tree path has an empty, ".", ".." or ".git" component (any case). Git never
 * writes such trees and refuses to check them out, so they come only from crafted repositories;
 * mining them would put names that escape the work tree into datasets. */
int clm_path_is_hostile(const char *path);

#endif
