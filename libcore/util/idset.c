#include "util/idset.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 0;
}

static int is_zero(const uint8_t *k)
{
	for (int i = 0; i < 20; i++)
		if (k[i])
			return 0;
	return 1;
}

static size_t slot_of(const struct clm_idset *s, const uint8_t *key)
{
	size_t h;
	memcpy(&h, key, sizeof(h)); /* ids are hashes already: their bytes are uniform */
	h &= s->cap - 1;
	while (!is_zero(s->slots[h]) && memcmp(s->slots[h], key, 20))
		h = (h + 1) & (s->cap - 1);
	return h;
}

static int grow(struct clm_idset *s)
{
	size_t ncap = s->cap ? 2 * s->cap : 256;
	uint8_t (*old)[20] = s->slots;
	size_t ocap = s->cap;

	s->slots = calloc(ncap, 20);
	if (!s->slots) {
		s->slots = old;
		return clm_error_oom();
	}
	s->cap = ncap;
	for (size_t i = 0; i < ocap; i++)
		if (!is_zero(old[i]))
			memcpy(s->slots[slot_of(s, old[i])], old[i], 20);
	free(old);
	return 0;
}

int clm_idset_add(struct clm_idset *s, const char *hex)
{
	uint8_t key[20];
	size_t h;

	for (int i = 0; i < 20; i++)
		key[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	if (is_zero(key))
		key[19] = 1; /* the all-zero id would read as an empty slot */
	if ((s->n + 1) * 2 > s->cap && grow(s) < 0)
		return CLM_ENOMEM;
	h = slot_of(s, key);
	if (!is_zero(s->slots[h]))
		return 0;
	memcpy(s->slots[h], key, 20);
	s->n++;
	return 1;
}

void clm_idset_release(struct clm_idset *s)
{
	free(s->slots);
	s->slots = NULL;
	s->n = s->cap = 0;
}
