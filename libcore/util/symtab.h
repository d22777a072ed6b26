/* String interning: equal byte strings get equal small integer ids, so token comparison and
 * n-gram hashing work on integers instead of strings. */
#ifndef CLM_UTIL_SYMTAB_H
#define CLM_UTIL_SYMTAB_H

#include <stddef.h>
#include <stdint.h>
#include "util/hash.h"

struct clm_symtab {
	char *bytes;        /* all interned strings, each NUL-terminated; owned */
	size_t bytes_len, bytes_alloc;
	size_t *offset;     /* id -> start of its string in bytes; owned */
	uint32_t *len;      /* id -> length; owned */
	uint32_t count, ids_alloc;
	uint32_t *slots;    /* open-addressing table of id + 1 (0 = empty); owned */
	size_t nslots;      /* power of two */
};

#define CLM_SYMTAB_INIT { NULL, 0, 0, NULL, NULL, 0, 0, NULL, 0 }


/* Intern `len` bytes (may contain NULs) and store its id in *id; 0 or CLM_ENOMEM. */
int clm_symtab_intern(struct clm_symtab *st, const char *s, size_t len, uint32_t *id);

/* The id of `len` bytes when already interned, else UINT32_MAX. */
uint32_t clm_symtab_find(const struct clm_symtab *st, const char *s, size_t len);

/* The string of `id` (NUL-terminated, owned by the table, valid until the next intern). */
const char *clm_symtab_name(const struct clm_symtab *st, uint32_t id, size_t *len);

/* Free everything; the table is empty and reusable afterwards. */
void clm_symtab_release(struct clm_symtab *st);

#endif
