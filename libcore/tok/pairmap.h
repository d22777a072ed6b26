/* A hash map from a pair of token ids to a 32-bit value (a merge rank, a training slot). */
#ifndef CLM_TOK_PAIRMAP_H
#define CLM_TOK_PAIRMAP_H

#include <stddef.h>
#include <stdint.h>

struct clm_pairmap_slot {
	uint64_t key; /* (left << 32) | right; CLM_PAIRMAP_EMPTY when free */
	uint32_t value;
};

#define CLM_PAIRMAP_EMPTY UINT64_MAX

struct clm_pairmap {
	struct clm_pairmap_slot *slots; /* owned; capacity is a power of two */
	size_t cap, n;
};

/* The key of a pair of non-negative ids. */
static inline uint64_t clm_pair_key(int32_t left, int32_t right)
{
	return ((uint64_t)(uint32_t)left << 32) | (uint32_t)right;
}

/* Initialise an empty map. */
void clm_pairmap_init(struct clm_pairmap *m);

/* The value stored for the pair, or NULL when absent (valid until the next insert). */
uint32_t *clm_pairmap_find(const struct clm_pairmap *m, uint64_t key);

/* Find the pair, inserting it with `value` when absent; *slot_value points at the stored value
 * (valid until the next insert) and *inserted says which happened. 0 or CLM_ENOMEM. */
int clm_pairmap_upsert(struct clm_pairmap *m, uint64_t key, uint32_t value, uint32_t **slot_value,
		       int *inserted);

/* Free the map's memory. */
void clm_pairmap_release(struct clm_pairmap *m);

#endif
