#include "eval/ngram.h"
#include "util/error.h"
#include "util/symtab.h"

#include <stdlib.h>
#include <string.h>

static uint64_t ngram_hash(const uint32_t *ids, int order)
{
	uint64_t h = (uint64_t)order;

	for (int i = 0; i < order; i++)
		h = clm_hash_mix(h, ids[i]);
	return h;
}

static int same(const struct clm_ngram_entry *e, const uint32_t *ids, int order)
{
	return e->order == order && !memcmp(e->id, ids, (size_t)order * sizeof(*ids));
}

static void clear(struct clm_ngram_counts *c)
{
	for (size_t i = 0; i < c->nused; i++)
		c->slot[c->used[i]].count = 0;
	c->nused = 0;
	memset(c->total, 0, sizeof(c->total));
}

/* Make room for `want` distinct n-grams at load factor <= 1/2, dropping the contents. */
static int reserve(struct clm_ngram_counts *c, size_t want)
{
	size_t nslots = c->nslots ? c->nslots : 64;

	while (nslots < want * 2)
		nslots *= 2;
	if (nslots != c->nslots) {
		struct clm_ngram_entry *slot = calloc(nslots, sizeof(*slot));
		if (!slot)
			return clm_error_oom();
		free(c->slot);
		c->slot = slot;
		c->nslots = nslots;
		c->nused = 0;
	}
	if (want > c->used_alloc) {
		size_t *used = realloc(c->used, want * sizeof(*used));
		if (!used)
			return clm_error_oom();
		c->used = used;
		c->used_alloc = want;
	}
	return 0;
}

int clm_ngram_count(struct clm_ngram_counts *c, const uint32_t *ids, size_t len, int max_order)
{
	size_t mask, i;
	int rc;

	if (max_order > CLM_NGRAM_MAX_ORDER)
		max_order = CLM_NGRAM_MAX_ORDER;
	clear(c);
	if ((rc = reserve(c, len * (size_t)max_order + 1)) < 0)
		return rc;
	mask = c->nslots - 1;
	for (int order = 1; order <= max_order; order++) {
		for (size_t start = 0; start + (size_t)order <= len; start++) {
			const uint32_t *g = ids + start;
			for (i = ngram_hash(g, order) & mask; c->slot[i].count; i = (i + 1) & mask)
				if (same(&c->slot[i], g, order))
					break;
			if (!c->slot[i].count) {
				memset(c->slot[i].id, 0, sizeof(c->slot[i].id));
				memcpy(c->slot[i].id, g, (size_t)order * sizeof(*g));
				c->slot[i].order = (uint8_t)order;
				c->used[c->nused++] = i;
			}
			c->slot[i].count++;
			c->total[order - 1]++;
		}
	}
	return 0;
}

uint32_t clm_ngram_get(const struct clm_ngram_counts *c, const uint32_t *ids, int order)
{
	size_t mask, i;

	if (!c->nslots)
		return 0;
	mask = c->nslots - 1;
	for (i = ngram_hash(ids, order) & mask; c->slot[i].count; i = (i + 1) & mask)
		if (same(&c->slot[i], ids, order))
			return c->slot[i].count;
	return 0;
}

void clm_ngram_counts_release(struct clm_ngram_counts *c)
{
	free(c->slot);
	free(c->used);
	memset(c, 0, sizeof(*c));
}
