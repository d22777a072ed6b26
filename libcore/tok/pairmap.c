#include "tok/pairmap.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 31;
	key *= 0x9e3779b97f4a7c15ULL;
	key ^= key >> 29;
	return (size_t)key & mask;
}

void clm_pairmap_init(struct clm_pairmap *m)
{
	memset(m, 0, sizeof(*m));
}

static struct clm_pairmap_slot *lookup(const struct clm_pairmap *m, uint64_t key)
{
	size_t mask = m->cap - 1;

	if (!m->cap)
		return NULL;
	for (size_t i = slot_of(key, mask);; i = (i + 1) & mask)
		if (m->slots[i].key == key || m->slots[i].key == CLM_PAIRMAP_EMPTY)
			return &m->slots[i];
}

static int grow(struct clm_pairmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct clm_pairmap_slot *slots = malloc(cap * sizeof(*slots));

	if (!slots)
		return clm_error_oom();
	memset(slots, 0xff, cap * sizeof(*slots));
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (m->slots[i].key == CLM_PAIRMAP_EMPTY)
			continue;
		for (j = slot_of(m->slots[i].key, cap - 1); slots[j].key != CLM_PAIRMAP_EMPTY; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

uint32_t *clm_pairmap_find(const struct clm_pairmap *m, uint64_t key)
{
	struct clm_pairmap_slot *s = lookup(m, key);
	return s && s->key == key ? &s->value : NULL;
}

int clm_pairmap_upsert(struct clm_pairmap *m, uint64_t key, uint32_t value, uint32_t **slot_value,
		       int *inserted)
{
	struct clm_pairmap_slot *s;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return CLM_ENOMEM;
	s = lookup(m, key);
	*inserted = s->key != key;
	if (*inserted) {
		s->key = key;
		s->value = value;
		m->n++;
	}
	*slot_value = &s->value;
	return 0;
}

void clm_pairmap_release(struct clm_pairmap *m)
{
	free(m->slots);
	clm_pairmap_init(m);
}
