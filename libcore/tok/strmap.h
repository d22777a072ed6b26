/* A hash map from byte strings (any bytes, NULs included) to 32-bit values. The map keeps its
 * own copy of every key. Used for vocabularies, training word counts and the encode cache. */
#ifndef CLM_TOK_STRMAP_H
#define CLM_TOK_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct clm_strmap_slot {
	uint64_t hash;
	uint32_t key_off; /* into keys */
	uint32_t key_len;
	uint32_t value;
	uint32_t used;
};

struct clm_strmap {
	struct clm_strmap_slot *slots; /* owned; capacity is a power of two */
	size_t cap, n;
	char *keys;                    /* owned pool of key bytes */
	size_t keys_len, keys_alloc;
};

/* Hash of `len` bytes (the same function the map uses). */
uint64_t clm_strmap_hash(const void *data, size_t len);

/* Initialise an empty map. */
void clm_strmap_init(struct clm_strmap *m);

/* The value stored for the key, or NULL when absent. The pointer is valid until the next insert. */
uint32_t *clm_strmap_find(const struct clm_strmap *m, const void *key, size_t len);

/* Find the key, inserting it with `value` when absent; *slot_value points at the stored value
 * (valid until the next insert), *inserted says which happened. 0 or CLM_ENOMEM / CLM_EINVALID
 * (key pool over 4 GiB). */
int clm_strmap_upsert(struct clm_strmap *m, const void *key, size_t len, uint32_t value,
		      uint32_t **slot_value, int *inserted);

/* Remove the key if present (keeps its bytes in the pool until clear). */
void clm_strmap_remove(struct clm_strmap *m, const void *key, size_t len);

/* Key bytes of a slot (valid until the next insert). */
const char *clm_strmap_key(const struct clm_strmap *m, const struct clm_strmap_slot *s);

/* Remove every entry, keeping the memory. */
void clm_strmap_clear(struct clm_strmap *m);

/* Free the map's memory. */
void clm_strmap_release(struct clm_strmap *m);

#endif
