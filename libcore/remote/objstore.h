/* Large tensors in an HTTP object store: the bytes live at <url>/<sha256> (PUT to upload, GET to
 * download: nginx's WebDAV module, Artifactory-style generic repositories and many S3 gateways
 * speak this), the version tree holds a small pointer file instead, and verified copies are
 * cached under .git/clmodel/objects/<sha256>. Transfers run several at once (curl multi), retry
 * 429/5xx and dropped connections with backoff, resume interrupted downloads with a Range
 * request, and every object is checked against its sha256 before it is used or uploaded. */
#ifndef CLM_REMOTE_OBJSTORE_H
#define CLM_REMOTE_OBJSTORE_H

#include <stddef.h>
#include <stdint.h>
#include "remote/http.h"
#include "util/strbuf.h"

/* Tensors larger than this many bytes go to the object store when one is configured. */
#define CLM_OBJSTORE_DEFAULT_THRESHOLD (UINT64_C(64) << 20)

/* First line of a pointer file; then "sha256 <64 hex>" and "size <bytes>", each ending in LF. */
#define CLM_OBJ_POINTER_HEADER "clmodel-object v1\n"

/* An object: its content hash and size. */
struct clm_obj_ref {
	char sha256[65]; /* lowercase hex */
	uint64_t size;
};

struct clm_objstore {
	const char *url;       /* base URL; objects are <url>/<sha256>; not owned */
	const char *cache_dir; /* local verified objects (.git/clmodel/objects); not owned */
	int parallel;          /* transfers at once; 0: 4 */
	long max_send_speed;   /* upload bytes per second per transfer; 0: no limit */
	struct clm_http_options http;
};

/* What a transfer run did. */
struct clm_objstore_stats {
	uint64_t bytes_up, bytes_down;
	size_t uploaded;   /* objects sent */
	size_t present;    /* objects already where they had to be (server or cache) */
	size_t downloaded; /* objects fetched and verified */
	size_t resumed;    /* downloads that continued a partial file */
};

/* Pointer file text for `ref`, appended to `out`. */
int clm_obj_pointer_format(const struct clm_obj_ref *ref, struct clm_strbuf *out);

/* Parse a pointer file: 0; CLM_ENOTFOUND when the bytes are not a pointer at all (plain tensor
 * bytes); CLM_EINVALID with a message when they start like one but are malformed. */
int clm_obj_pointer_parse(const void *data, size_t len, struct clm_obj_ref *out);

/* Store `len` bytes in the cache (atomically, once) and describe them in `out`. */
int clm_objstore_cache_put(const struct clm_objstore *os, const void *data, size_t len, struct clm_obj_ref *out);

/* Read a cached object after checking its size and sha256 (caller frees *data). A corrupted
 * cache file is removed; CLM_ENOTFOUND when the object is not cached. */
int clm_objstore_cache_read(const struct clm_objstore *os, const struct clm_obj_ref *ref, void **data);

/* Upload the cached objects `refs` that the server does not hold yet (HEAD, then PUT). Each
 * cached file is verified before it is sent. Fails when any transfer fails, naming the URL and
 * the HTTP status; `st` may be NULL. */
int clm_objstore_upload(const struct clm_objstore *os, const struct clm_obj_ref *refs, size_t n,
			struct clm_objstore_stats *st);

/* Make sure `refs` are in the cache: download the missing ones (resuming partial files), verify
 * each against its sha256 and move it into place. A corrupted object on the server is refused
 * and nothing of it is kept. `st` may be NULL. */
int clm_objstore_fetch(const struct clm_objstore *os, const struct clm_obj_ref *refs, size_t n,
		       struct clm_objstore_stats *st);

#endif
