#include "util/symtab.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int same(const struct clm_symtab *st, uint32_t id, const char *s, size_t len)
{
	return st->len[id] == len && !memcmp(st->bytes + st->offset[id], s, len);
}

uint32_t clm_symtab_find(const struct clm_symtab *st, const char *s, size_t len)
{
	size_t mask, i;

	if (!st->nslots)
		return UINT32_MAX;
	mask = st->nslots - 1;
	for (i = clm_hash_bytes(s, len) & mask; st->slots[i]; i = (i + 1) & mask)
		if (same(st, st->slots[i] - 1, s, len))
			return st->slots[i] - 1;
	return UINT32_MAX;
}

static int rehash(struct clm_symtab *st, size_t nslots)
{
	uint32_t *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return clm_error_oom();
	for (uint32_t id = 0; id < st->count; id++) {
		size_t i = clm_hash_bytes(st->bytes + st->offset[id], st->len[id]) & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = id + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = nslots;
	return 0;
}

static int grow_ids(struct clm_symtab *st)
{
	uint32_t cap = st->ids_alloc ? st->ids_alloc * 2 : 64;
	size_t *offset;
	uint32_t *len;

	if (st->ids_alloc >= UINT32_MAX / 4)
		return clm_error_set(CLM_ENOMEM, "too many distinct strings");
	offset = realloc(st->offset, cap * sizeof(*offset));
	if (!offset)
		return clm_error_oom();
	st->offset = offset;
	len = realloc(st->len, cap * sizeof(*len));
	if (!len)
		return clm_error_oom();
	st->len = len;
	st->ids_alloc = cap;
	return 0;
}

static int grow_bytes(struct clm_symtab *st, size_t extra)
{
	size_t cap = st->bytes_alloc ? st->bytes_alloc : 1024;
	char *p;

	while (cap - st->bytes_len < extra)
		cap *= 2;
	if (cap == st->bytes_alloc)
		return 0;
	p = realloc(st->bytes, cap);
	if (!p)
		return clm_error_oom();
	st->bytes = p;
	st->bytes_alloc = cap;
	return 0;
}

int clm_symtab_intern(struct clm_symtab *st, const char *s, size_t len, uint32_t *id)
{
	uint32_t found = clm_symtab_find(st, s, len);
	size_t i;
	int rc;

	if (found != UINT32_MAX) {
		*id = found;
		return 0;
	}
	if (len >= UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "string of %zu bytes is too long to intern", len);
	if ((size_t)(st->count + 1) * 2 > st->nslots && (rc = rehash(st, st->nslots ? st->nslots * 2 : 64)) < 0)
		return rc;
	if (st->count == st->ids_alloc && (rc = grow_ids(st)) < 0)
		return rc;
	if ((rc = grow_bytes(st, len + 1)) < 0)
		return rc;
	memcpy(st->bytes + st->bytes_len, s, len);
	st->bytes[st->bytes_len + len] = '\0';
	st->offset[st->count] = st->bytes_len;
	st->len[st->count] = (uint32_t)len;
	st->bytes_len += len + 1;
	for (i = clm_hash_bytes(s, len) & (st->nslots - 1); st->slots[i]; i = (i + 1) & (st->nslots - 1))
		;
	st->slots[i] = st->count + 1;
	*id = st->count++;
	return 0;
}

const char *clm_symtab_name(const struct clm_symtab *st, uint32_t id, size_t *len)
{
	if (id >= st->count)
		return NULL;
	if (len)
		*len = st->len[id];
	return st->bytes + st->offset[id];
}

void clm_symtab_release(struct clm_symtab *st)
{
	free(st->bytes);
	free(st->offset);
	free(st->len);
	free(st->slots);
	memset(st, 0, sizeof(*st));
}
