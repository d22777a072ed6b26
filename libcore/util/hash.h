/* Stable 64-bit hashes: the same value on every run and machine (ids, splits, fingerprints). */
#ifndef CLM_UTIL_HASH_H
#define CLM_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a's offset basis: the running hash of no bytes. */
#define CLM_FNV1A_BASIS 0xcbf29ce484222325ULL

/* Continue the 64-bit FNV-1a hash `h` over `len` bytes. */
uint64_t clm_fnv1a(uint64_t h, const void *data, size_t len);

/* 64-bit FNV-1a hash of `len` bytes. */
uint64_t clm_hash_bytes(const void *data, size_t len);

/* Mix a 64-bit value into a running hash (order-sensitive). */
uint64_t clm_hash_mix(uint64_t h, uint64_t v);

#endif
