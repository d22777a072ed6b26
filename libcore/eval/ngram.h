/* N-gram counting over token ids with an open-addressing hash table (orders 1..4). */
#ifndef CLM_EVAL_NGRAM_H
#define CLM_EVAL_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#define CLM_NGRAM_MAX_ORDER 4

struct clm_ngram_entry {
	uint32_t id[CLM_NGRAM_MAX_ORDER]; /* unused positions are 0 */
	uint32_t count;                   /* 0 marks an empty slot */
	uint8_t order;                    /* 1..CLM_NGRAM_MAX_ORDER */
};

/* The n-grams of one token sequence and how often each occurs. */
struct clm_ngram_counts {
	struct clm_ngram_entry *slot; /* nslots entries (power of two); owned */
	size_t nslots;
	size_t *used;                 /* indices of occupied slots, in insertion order; owned */
	size_t nused, used_alloc;
	size_t total[CLM_NGRAM_MAX_ORDER]; /* number of n-grams of each order, with repeats */
};

#define CLM_NGRAM_COUNTS_INIT { NULL, 0, NULL, 0, 0, { 0, 0, 0, 0 } }

/* Replace the contents with the n-grams of orders 1..max_order of ids[0..len); 0 or CLM_ENOMEM. */
int clm_ngram_count(struct clm_ngram_counts *c, const uint32_t *ids, size_t len, int max_order);

/* How often the n-gram ids[0..order) occurs (0 when absent). */
uint32_t clm_ngram_get(const struct clm_ngram_counts *c, const uint32_t *ids, int order);

/* Free the table; it is empty and reusable afterwards. */
void clm_ngram_counts_release(struct clm_ngram_counts *c);

#endif
