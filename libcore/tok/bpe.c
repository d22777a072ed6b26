#include "tok/bpe.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* Pieces longer than this are encoded without the cache; the cache is emptied when it holds
 * more than CACHE_MAX_IDS ids, which bounds its memory. */
#define CACHE_MAX_PIECE 256
#define CACHE_MAX_IDS (1u << 22)

int clm_tok_ids_push(struct clm_tok_ids *ids, int32_t id)
{
	if (CLM_ALLOC_GROW(ids->v, ids->n + 1, ids->alloc) < 0)
		return CLM_ENOMEM;
	ids->v[ids->n++] = id;
	return 0;
}

void clm_tok_ids_release(struct clm_tok_ids *ids)
{
	free(ids->v);
	ids->v = NULL;
	ids->n = ids->alloc = 0;
}

int clm_tok_init(struct clm_tokenizer *t, size_t n_tokens)
{
	memset(t, 0, sizeof(*t));
	clm_strmap_init(&t->by_bytes);
	clm_strmap_init(&t->cache);
	clm_pairmap_init(&t->rank_of);
	if (n_tokens == 0 || n_tokens > CLM_TOK_MAX_VOCAB)
		return clm_error_set(CLM_EINVALID, "vocabulary size %zu is out of range (1..%d)", n_tokens,
				     CLM_TOK_MAX_VOCAB);
	t->tokens = calloc(n_tokens, sizeof(*t->tokens));
	if (!t->tokens)
		return clm_error_oom();
	t->n_tokens = n_tokens;
	for (int b = 0; b < 256; b++)
		t->byte_id[b] = -1;
	return 0;
}

static int pool_add(struct clm_tokenizer *t, const void *bytes, size_t len, uint32_t *off)
{
	if (t->pool_len + len > UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "vocabulary holds more than 4 GiB of token bytes");
	if (t->pool_len + len > t->pool_alloc) {
		size_t alloc = t->pool_alloc ? t->pool_alloc : 4096;
		char *pool;
		while (alloc < t->pool_len + len)
			alloc *= 2;
		pool = realloc(t->pool, alloc);
		if (!pool)
			return clm_error_oom();
		t->pool = pool;
		t->pool_alloc = alloc;
	}
	memcpy(t->pool + t->pool_len, bytes, len);
	*off = (uint32_t)t->pool_len;
	t->pool_len += len;
	return 0;
}

int clm_tok_set_token(struct clm_tokenizer *t, int32_t id, const void *bytes, size_t len, int special)
{
	struct clm_tok_token *tk;
	uint32_t *slot, off = 0;
	int inserted, rc;

	if (t->finished)
		return clm_error_set(CLM_EINVALID, "tokenizer is already finished");
	if (id < 0 || (size_t)id >= t->n_tokens)
		return clm_error_set(CLM_EINVALID, "token id %d is outside the vocabulary (size %zu)", id,
				     t->n_tokens);
	if (len == 0 || len > UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "token %d is empty or too long", id);
	tk = &t->tokens[id];
	if (tk->len && !tk->special)
		clm_strmap_remove(&t->by_bytes, t->pool + tk->off, tk->len);
	tk->len = 0;
	if (!special) {
		if (clm_strmap_upsert(&t->by_bytes, bytes, len, (uint32_t)id, &slot, &inserted) < 0)
			return CLM_ENOMEM;
		if (!inserted)
			return clm_error_set(CLM_EINVALID, "tokens %u and %d have the same bytes", *slot, id);
	}
	rc = pool_add(t, bytes, len, &off);
	if (rc < 0)
		return rc;
	tk->off = off;
	tk->len = (uint32_t)len;
	tk->special = special;
	return 0;
}

int clm_tok_add_merge(struct clm_tokenizer *t, int32_t left, int32_t right)
{
	const struct clm_tok_token *l, *r;
	char *cat;
	int32_t result;
	uint32_t *slot;
	int inserted;

	if (t->finished)
		return clm_error_set(CLM_EINVALID, "tokenizer is already finished");
	if (left < 0 || right < 0 || (size_t)left >= t->n_tokens || (size_t)right >= t->n_tokens)
		return clm_error_set(CLM_EINVALID, "merge %zu: token id outside the vocabulary", t->n_merges);
	l = &t->tokens[left];
	r = &t->tokens[right];
	if (!l->len || !r->len || l->special || r->special)
		return clm_error_set(CLM_EINVALID, "merge %zu: tokens %d and %d are not both ordinary tokens",
				     t->n_merges, left, right);
	cat = malloc((size_t)l->len + r->len);
	if (!cat)
		return clm_error_oom();
	memcpy(cat, t->pool + l->off, l->len);
	memcpy(cat + l->len, t->pool + r->off, r->len);
	result = clm_tok_lookup(t, cat, (size_t)l->len + r->len);
	free(cat);
	if (result < 0)
		return clm_error_set(CLM_EINVALID, "merge %zu (%d %d): the merged token is not in the vocabulary",
				     t->n_merges, left, right);
	if (CLM_ALLOC_GROW(t->merges, t->n_merges + 1, t->merges_alloc) < 0)
		return CLM_ENOMEM;
	if (t->n_merges >= UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "too many merges");
	if (clm_pairmap_upsert(&t->rank_of, clm_pair_key(left, right), (uint32_t)t->n_merges, &slot,
			       &inserted) < 0)
		return CLM_ENOMEM;
	if (!inserted)
		return clm_error_set(CLM_EINVALID, "merge %zu repeats merge %u", t->n_merges, *slot);
	t->merges[t->n_merges++] = (struct clm_tok_merge){ left, right, result };
	return 0;
}

static int cmp_special_len(const void *a, const void *b, void *arg)
{
	const struct clm_tokenizer *t = arg;
	uint32_t la = t->tokens[*(const int32_t *)a].len, lb = t->tokens[*(const int32_t *)b].len;
	int32_t ia = *(const int32_t *)a, ib = *(const int32_t *)b;
	if (la != lb)
		return la > lb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

int clm_tok_finish(struct clm_tokenizer *t)
{
	size_t n_special = 0;

	if (t->finished)
		return 0;
	for (size_t i = 0; i < t->n_tokens; i++) {
		if (!t->tokens[i].len)
			return clm_error_set(CLM_EINVALID, "token id %zu has no bytes (ids must be dense)", i);
		n_special += t->tokens[i].special != 0;
	}
	for (int b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;
		t->byte_id[b] = clm_tok_lookup(t, &c, 1);
		if (t->byte_id[b] < 0)
			return clm_error_set(CLM_EINVALID, "no token for byte 0x%02x: not a byte-level vocabulary", b);
	}
	t->specials = malloc((n_special ? n_special : 1) * sizeof(*t->specials));
	if (!t->specials)
		return clm_error_oom();
	for (size_t i = 0; i < t->n_tokens; i++)
		if (t->tokens[i].special)
			t->specials[t->n_specials++] = (int32_t)i;
	qsort_r(t->specials, t->n_specials, sizeof(*t->specials), cmp_special_len, t);
	if (clm_pretok_init(&t->pretok) < 0)
		return CLM_EGENERIC;
	t->finished = 1;
	return 0;
}

void clm_tok_release(struct clm_tokenizer *t)
{
	free(t->tokens);
	free(t->pool);
	clm_strmap_release(&t->by_bytes);
	free(t->merges);
	clm_pairmap_release(&t->rank_of);
	free(t->specials);
	if (t->finished)
		clm_pretok_release(&t->pretok);
	clm_strmap_release(&t->cache);
	free(t->cache_ids);
	free(t->scratch);
	memset(t, 0, sizeof(*t));
}

const char *clm_tok_bytes(const struct clm_tokenizer *t, int32_t id, size_t *len)
{
	if (id < 0 || (size_t)id >= t->n_tokens || !t->tokens[id].len)
		return NULL;
	*len = t->tokens[id].len;
	return t->pool + t->tokens[id].off;
}

int32_t clm_tok_lookup(const struct clm_tokenizer *t, const void *bytes, size_t len)
{
	const uint32_t *v = clm_strmap_find(&t->by_bytes, bytes, len);
	return v ? (int32_t)*v : -1;
}

int32_t clm_tok_special_id(const struct clm_tokenizer *t, const char *text)
{
	size_t len = strlen(text);

	for (size_t i = 0; i < t->n_tokens; i++)
		if (t->tokens[i].special && t->tokens[i].len == len && !memcmp(t->pool + t->tokens[i].off, text, len))
			return (int32_t)i;
	return -1;
}

int clm_tok_decode(const struct clm_tokenizer *t, const int32_t *ids, size_t n, struct clm_strbuf *out)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *b = clm_tok_bytes(t, ids[i], &len);
		if (!b)
			return clm_error_set(CLM_EINVALID, "token id %d is outside the vocabulary (size %zu)", ids[i],
					     t->n_tokens);
		if (clm_strbuf_add(out, b, len) < 0)
			return CLM_ENOMEM;
	}
	return 0;
}

/* ---- BPE of one piece: symbols in a linked list, candidate merges in a min-heap by (rank,
 * position); stale heap entries are recognised when popped, so each merge costs O(log n). */

struct symbol {
	int32_t id;        /* -1 once merged into its left neighbour */
	int32_t prev, next; /* -1 at the ends */
};

struct candidate {
	uint32_t rank;
	uint32_t pos;
};

static int candidate_less(struct candidate a, struct candidate b)
{
	return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos);
}

static void heap_push(struct candidate *h, size_t *n, struct candidate c)
{
	size_t i = (*n)++;
	while (i > 0 && candidate_less(c, h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = c;
}

static struct candidate heap_pop(struct candidate *h, size_t *n)
{
	struct candidate top = h[0], last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && candidate_less(h[c + 1], h[c]))
			c++;
		if (!candidate_less(h[c], last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

static void push_pair(const struct clm_tokenizer *t, struct symbol *s, struct candidate *h, size_t *nh, int32_t pos)
{
	const uint32_t *rank;

	if (pos < 0 || s[pos].next < 0)
		return;
	rank = clm_pairmap_find(&t->rank_of, clm_pair_key(s[pos].id, s[s[pos].next].id));
	if (rank)
		heap_push(h, nh, (struct candidate){ *rank, (uint32_t)pos });
}

/* Each symbol can add at most 2 candidates per merge, and there are fewer merges than symbols,
 * so 3n heap entries always suffice. */
static int ensure_scratch(struct clm_tokenizer *t, size_t n)
{
	void *p;

	if (n <= t->scratch_cap)
		return 0;
	p = realloc(t->scratch, n * (sizeof(struct symbol) + 3 * sizeof(struct candidate)));
	if (!p)
		return clm_error_oom();
	t->scratch = p;
	t->scratch_cap = n;
	return 0;
}

static int bpe_piece(struct clm_tokenizer *t, const unsigned char *p, size_t n, struct clm_tok_ids *out)
{
	struct symbol *s;
	struct candidate *h;
	size_t nh = 0;

	if (n > INT32_MAX)
		return clm_error_set(CLM_EINVALID, "piece of %zu bytes is too long", n);
	if (ensure_scratch(t, n) < 0)
		return CLM_ENOMEM;
	s = t->scratch;
	h = (struct candidate *)(s + t->scratch_cap);
	for (size_t i = 0; i < n; i++)
		s[i] = (struct symbol){ t->byte_id[p[i]], (int32_t)i - 1, i + 1 < n ? (int32_t)i + 1 : -1 };
	for (size_t i = 0; i + 1 < n; i++)
		push_pair(t, s, h, &nh, (int32_t)i);
	while (nh) {
		struct candidate c = heap_pop(h, &nh);
		const struct clm_tok_merge *m = &t->merges[c.rank];
		int32_t pos = (int32_t)c.pos, next = s[pos].next;
		if (s[pos].id != m->left || next < 0 || s[next].id != m->right)
			continue; /* stale: one side changed since this candidate was pushed */
		s[pos].id = m->result;
		s[next].id = -1;
		s[pos].next = s[next].next;
		if (s[next].next >= 0)
			s[s[next].next].prev = pos;
		push_pair(t, s, h, &nh, s[pos].prev);
		push_pair(t, s, h, &nh, pos);
	}
	for (int32_t i = 0; i >= 0; i = s[i].next)
		if (clm_tok_ids_push(out, s[i].id) < 0)
			return CLM_ENOMEM;
	return 0;
}

static int cache_store(struct clm_tokenizer *t, const unsigned char *p, size_t n, const int32_t *ids, size_t k)
{
	uint32_t *slot;
	int inserted;

	if (t->cache_len + k + 1 > CACHE_MAX_IDS) {
		clm_strmap_clear(&t->cache);
		t->cache_len = 0;
	}
	if (t->cache_len + k + 1 > t->cache_alloc) {
		size_t alloc = t->cache_alloc ? t->cache_alloc * 2 : 65536;
		int32_t *v;
		while (alloc < t->cache_len + k + 1)
			alloc *= 2;
		v = realloc(t->cache_ids, alloc * sizeof(*v));
		if (!v)
			return clm_error_oom();
		t->cache_ids = v;
		t->cache_alloc = alloc;
	}
	if (clm_strmap_upsert(&t->cache, p, n, (uint32_t)t->cache_len, &slot, &inserted) < 0)
		return CLM_ENOMEM;
	t->cache_ids[t->cache_len] = (int32_t)k;
	memcpy(t->cache_ids + t->cache_len + 1, ids, k * sizeof(*ids));
	t->cache_len += k + 1;
	return 0;
}

static int encode_piece(struct clm_tokenizer *t, const unsigned char *p, size_t n, struct clm_tok_ids *out)
{
	const uint32_t *hit;
	size_t before = out->n;
	int rc;

	if (n == 1)
		return clm_tok_ids_push(out, t->byte_id[p[0]]);
	if (n > CACHE_MAX_PIECE)
		return bpe_piece(t, p, n, out);
	hit = clm_strmap_find(&t->cache, p, n);
	if (hit) {
		const int32_t *ids = t->cache_ids + *hit;
		for (int32_t i = 1; i <= ids[0]; i++)
			if (clm_tok_ids_push(out, ids[i]) < 0)
				return CLM_ENOMEM;
		return 0;
	}
	rc = bpe_piece(t, p, n, out);
	if (rc < 0)
		return rc;
	return cache_store(t, p, n, out->v + before, out->n - before);
}

static int encode_ordinary(struct clm_tokenizer *t, const unsigned char *text, size_t len, struct clm_tok_ids *out)
{
	size_t pos = 0, start, n;

	while (clm_pretok_next(&t->pretok, (const char *)text, len, &pos, &start, &n)) {
		int rc = encode_piece(t, text + start, n, out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The first special token in text[pos..len): the earliest, and the longest at that place. */
static int32_t next_special(const struct clm_tokenizer *t, const unsigned char *text, size_t len, size_t pos,
			    size_t *at)
{
	int32_t best = -1;

	*at = len;
	for (size_t i = 0; i < t->n_specials; i++) {
		const struct clm_tok_token *tk = &t->tokens[t->specials[i]];
		size_t end = *at + tk->len < len ? *at + tk->len : len; /* a match must start before *at */
		const unsigned char *hit;
		if (end <= pos)
			continue;
		hit = memmem(text + pos, end - pos, t->pool + tk->off, tk->len);
		if (hit && (size_t)(hit - text) < *at) {
			*at = (size_t)(hit - text);
			best = t->specials[i];
		}
	}
	return best;
}

int clm_tok_encode(struct clm_tokenizer *t, const void *text, size_t len, int flags, struct clm_tok_ids *out)
{
	const unsigned char *p = text;
	size_t pos = 0;

	if (!t->finished)
		return clm_error_set(CLM_EINVALID, "tokenizer is not finished");
	while ((flags & CLM_TOK_ALLOW_SPECIAL) && t->n_specials && pos < len) {
		size_t at;
		int32_t id = next_special(t, p, len, pos, &at);
		int rc;
		if (id < 0)
			break;
		rc = encode_ordinary(t, p + pos, at - pos, out);
		if (rc < 0 || (rc = clm_tok_ids_push(out, id)) < 0)
			return rc;
		pos = at + t->tokens[id].len;
	}
	return encode_ordinary(t, p + pos, len - pos, out);
}
