/* A set of 40-hex-digit ids (example ids), for dropping exact duplicates. */
#ifndef CLM_UTIL_IDSET_H
#define CLM_UTIL_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct clm_idset {
	uint8_t (*slots)[20]; /* open addressing; an all-zero slot is empty */
	size_t n, cap;
};

/* Insert `hex` (40 hex digits); returns 1 when new, 0 when already present, CLM_ENOMEM. */
int clm_idset_add(struct clm_idset *s, const char *hex);

/* Free the set and leave it empty. */
void clm_idset_release(struct clm_idset *s);

#endif
