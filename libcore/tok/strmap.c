#include "tok/strmap.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* One multiply per 8 bytes and a full avalanche at the end: keys are mostly short pieces of
 * text, where hashing is a large part of a lookup. */
uint64_t clm_strmap_hash(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xc2b2ae3d27d4eb4fULL);

	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	return mix(h);
}

void clm_strmap_init(struct clm_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

static struct clm_strmap_slot *lookup(const struct clm_strmap *m, const void *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1, i;

	if (!m->cap)
		return NULL;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct clm_strmap_slot *s = &m->slots[i];
		if (!s->used)
			return s;
		if (s->hash == h && s->key_len == len && !memcmp(m->keys + s->key_off, key, len))
			return s;
	}
}

static int grow(struct clm_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct clm_strmap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return clm_error_oom();
	for (size_t i = 0; i < m->cap; i++) {
		const struct clm_strmap_slot *s = &m->slots[i];
		size_t j;
		if (!s->used)
			continue;
		for (j = s->hash & (cap - 1); slots[j].used; j = (j + 1) & (cap - 1))
			;
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

uint32_t *clm_strmap_find(const struct clm_strmap *m, const void *key, size_t len)
{
	struct clm_strmap_slot *s = lookup(m, key, len, clm_strmap_hash(key, len));
	return s && s->used ? &s->value : NULL;
}

int clm_strmap_upsert(struct clm_strmap *m, const void *key, size_t len, uint32_t value,
		      uint32_t **slot_value, int *inserted)
{
	uint64_t h = clm_strmap_hash(key, len);
	struct clm_strmap_slot *s;

	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return CLM_ENOMEM;
	s = lookup(m, key, len, h);
	if (s->used) {
		*slot_value = &s->value;
		*inserted = 0;
		return 0;
	}
	if (m->keys_len + len > UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "string map: more than 4 GiB of keys");
	if (m->keys_len + len > m->keys_alloc) {
		size_t alloc = m->keys_alloc ? m->keys_alloc : 4096;
		char *keys;
		while (alloc < m->keys_len + len)
			alloc *= 2;
		keys = realloc(m->keys, alloc);
		if (!keys)
			return clm_error_oom();
		m->keys = keys;
		m->keys_alloc = alloc;
	}
	if (len)
		memcpy(m->keys + m->keys_len, key, len);
	s->hash = h;
	s->key_off = (uint32_t)m->keys_len;
	s->key_len = (uint32_t)len;
	s->value = value;
	s->used = 1;
	m->keys_len += len;
	m->n++;
	*slot_value = &s->value;
	*inserted = 1;
	return 0;
}

void clm_strmap_remove(struct clm_strmap *m, const void *key, size_t len)
{
	struct clm_strmap_slot *s = lookup(m, key, len, clm_strmap_hash(key, len));
	size_t mask = m->cap - 1, i, j;

	if (!s || !s->used)
		return;
	/* Backward-shift deletion keeps linear probing free of tombstones. */
	i = (size_t)(s - m->slots);
	m->slots[i].used = 0;
	for (j = (i + 1) & mask; m->slots[j].used; j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].used = 0;
			i = j;
		}
	}
	m->n--;
}

const char *clm_strmap_key(const struct clm_strmap *m, const struct clm_strmap_slot *s)
{
	return m->keys + s->key_off;
}

void clm_strmap_clear(struct clm_strmap *m)
{
	if (m->cap)
		memset(m->slots, 0, m->cap * sizeof(*m->slots));
	m->n = 0;
	m->keys_len = 0;
}

void clm_strmap_release(struct clm_strmap *m)
{
	free(m->slots);
	free(m->keys);
	clm_strmap_init(m);
}
