/* SHA-256 (FIPS 180-4), for content checksums people can recompute with sha256sum. */
#ifndef CLM_UTIL_SHA256_H
#define CLM_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct clm_sha256 {
	uint32_t state[8];
	uint64_t total;          /* bytes fed so far */
	unsigned char block[64]; /* pending partial block */
	size_t used;             /* bytes in `block` */
};

/* Start a new digest. */
void clm_sha256_init(struct clm_sha256 *c);

/* Feed `len` bytes. */
void clm_sha256_update(struct clm_sha256 *c, const void *data, size_t len);

/* Finish and write the 32-byte digest. */
void clm_sha256_final(struct clm_sha256 *c, unsigned char out[32]);

/* Digest of one buffer as 64 lowercase hex digits plus NUL. */
void clm_sha256_hex(const void *data, size_t len, char out[65]);

#endif
