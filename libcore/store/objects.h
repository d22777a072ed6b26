/* Large tensors of model versions in an HTTP object store (remote/objstore.h), as a repository
 * configures it: `clmodel.store.url` (none: every tensor stays a git blob), `clmodel.store.threshold`
 * (bytes, k/m/g suffixes; default 64m), `clmodel.store.parallel` (transfers at once, default 4),
 * `clmodel.store.insecure` (skip TLS checks; only when set explicitly). A tensor over the
 * threshold is stored in the version's tree as a pointer file (sha256, size) and its bytes in
 * <git common dir>/clmodel/objects/<sha256>; push uploads and fetch downloads the objects that
 * model heads and pinned versions need, and nothing more. */
#ifndef CLM_STORE_OBJECTS_H
#define CLM_STORE_OBJECTS_H

#include <stddef.h>
#include <stdint.h>
#include <git2.h>
#include "remote/objstore.h"
#include "util/strbuf.h"

struct clm_store_objects {
	char *url;             /* owned; NULL when no store is configured */
	char *cache_dir;       /* owned */
	uint64_t threshold;
	struct clm_objstore os; /* points at url and cache_dir */
};

/* Read the repository's settings. 0 or a negative code (a malformed setting). */
int clm_store_objects_open(git_repository *repo, struct clm_store_objects *o);

/* Free what `o` owns. */
void clm_store_objects_release(struct clm_store_objects *o);

/* What a tensor's blob should hold: returns 1 after caching the bytes locally and putting a
 * pointer file into `pointer` (the tensor goes to the object store), 0 when the tensor stays a
 * blob (small, or no store configured), or a negative code. */
int clm_store_objects_blob(const struct clm_store_objects *o, const void *data, size_t len, struct clm_strbuf *pointer);

/* Non-zero when a blob's bytes start like a pointer file (malformed ones included). */
int clm_store_objects_is_pointer(const void *blob, size_t len);

/* The bytes behind a pointer blob whose index entry says `sha256` and `nbytes`: from the cache,
 * downloaded first when missing, verified. Caller frees *data. CLM_EINVALID for a malformed
 * pointer, CLM_ENOTFOUND when the object cannot be had (no store configured). */
int clm_store_objects_load(git_repository *repo, const void *blob, size_t blob_len, const char *sha256,
			   uint64_t nbytes, void **data);

enum clm_objects_direction { CLM_OBJECTS_PUSH, CLM_OBJECTS_FETCH };

/* Upload (push) or download (fetch) the objects of every model head and pinned version. Does
 * nothing when no version uses the object store; fails when one does and no store is configured. */
int clm_store_objects_sync(git_repository *repo, enum clm_objects_direction dir, struct clm_objstore_stats *st);

#endif
