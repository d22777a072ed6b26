#include "tok/bpe.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
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
	for (int c = 0; c < 128; c++)
		t->char_id[c] = -1;
	t->byte_level = 1;
	t->unk_id = t->bos_id = t->eos_id = -1;
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

/* Character mode: SentencePiece's byte tokens <0x00>..<0xFF> and the ASCII characters. */
static void find_char_tokens(struct clm_tokenizer *t)
{
	for (int b = 0; b < 256; b++) {
		char name[8];
		snprintf(name, sizeof(name), "<0x%02X>", b);
		t->byte_id[b] = t->byte_fallback ? clm_tok_lookup(t, name, 6) : -1;
	}
	for (int c = 0; c < 128; c++) {
		char ch = (char)c;
		t->char_id[c] = clm_tok_lookup(t, &ch, 1);
	}
}

/* The byte a byte-fallback token stands for, or -1. */
static int fallback_byte(const char *s, size_t len)
{
	unsigned v = 0;

	if (len != 6 || memcmp(s, "<0x", 3) || s[5] != '>')
		return -1;
	for (int i = 3; i < 5; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	return (int)v;
}

/* Character mode: each id's decoded bytes (the decoder's replacement character read as a space,
 * byte fallback tokens as their byte). */
static int build_decoded(struct clm_tokenizer *t)
{
	const struct clm_tok_pipeline *p = &t->pipe;
	struct clm_strbuf pool = CLM_STRBUF_INIT;
	int rc = 0;

	t->dec = calloc(t->n_tokens, sizeof(*t->dec));
	if (!t->dec)
		return clm_error_oom();
	for (size_t id = 0; id < t->n_tokens && rc == 0; id++) {
		const char *s = t->pool + t->tokens[id].off;
		size_t len = t->tokens[id].len, start = pool.len;
		int byte = p->dec_bytes && !t->tokens[id].special ? fallback_byte(s, len) : -1;
		if (byte >= 0) {
			rc = clm_strbuf_addch(&pool, (char)byte);
		} else {
			rc = p->dec_meta_len ? clm_tok_replace(s, len, p->dec_meta, p->dec_meta_len, " ", 1, &pool)
					     : clm_strbuf_add(&pool, s, len);
		}
		if (pool.len > UINT32_MAX)
			rc = clm_error_set(CLM_EINVALID, "decoded vocabulary over 4 GiB");
		t->dec[id] = (struct clm_tok_span){ (uint32_t)start, (uint32_t)(pool.len - start) };
	}
	if (rc == 0 && !pool.alloc && clm_strbuf_grow(&pool, 1) < 0)
		rc = CLM_ENOMEM;
	t->dec_pool = clm_strbuf_detach(&pool, NULL);
	return rc;
}

static int build_added(struct clm_tokenizer *t)
{
	int normalizing = t->pipe.n_norms > 0;

	for (size_t i = 0; i < t->n_specials; i++) {
		const struct clm_tok_token *tk = &t->tokens[t->specials[i]];
		struct clm_tok_trie *tr = normalizing && (tk->special & CLM_TOK_NORMALIZED) ? &t->added_norm : &t->added;
		if (clm_tok_trie_add(tr, t->pool + tk->off, tk->len, t->specials[i], !(tk->special & CLM_TOK_ADDED)) < 0)
			return CLM_ENOMEM;
	}
	return 0;
}

/* Character mode: whether BPE may run on each word of a piece (SentencePiece's pieces are whole
 * texts): it may when no merge can join a character to a following replacement character, that
 * is when no token holds one right after another character. */
static void find_word_meta(struct clm_tokenizer *t)
{
	const struct clm_tok_pipeline *p = &t->pipe;
	const char *meta = p->metaspace ? p->meta : p->dec_meta;
	size_t mlen = p->metaspace ? p->meta_len : p->dec_meta_len;

	if (t->byte_level || t->ignore_merges || !mlen)
		return;
	for (size_t id = 0; id < t->n_tokens; id++) {
		const char *s = t->pool + t->tokens[id].off, *hit;
		size_t len = t->tokens[id].len;
		if (t->tokens[id].special)
			continue;
		for (size_t i = 1; i < len && (hit = memmem(s + i, len - i, meta, mlen)); i = (size_t)(hit - s) + 1) {
			size_t at = (size_t)(hit - s);
			if (at < mlen || memcmp(s + at - mlen, meta, mlen))
				return;
		}
	}
	memcpy(t->word_meta, meta, mlen);
	t->word_meta_len = mlen;
}

int clm_tok_finish(struct clm_tokenizer *t)
{
	size_t n_special = 0;
	int rc;

	if (t->finished)
		return 0;
	for (size_t i = 0; i < t->n_tokens; i++) {
		if (!t->tokens[i].len)
			return clm_error_set(CLM_EINVALID, "token id %zu has no bytes (ids must be dense)", i);
		n_special += t->tokens[i].special != 0;
	}
	if (!t->byte_level)
		find_char_tokens(t);
	for (int b = 0; b < 256 && t->byte_level; b++) {
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
	if ((rc = build_added(t)) < 0)
		return rc;
	if (!t->pipe.configured &&
	    (rc = clm_tok_pipeline_add_split(&t->pipe, CLM_GPT2_PATTERN, strlen(CLM_GPT2_PATTERN), 0, 1,
					     CLM_TOK_SPLIT_ISOLATED)) < 0)
		return rc;
	t->pipe.configured = 1;
	if (!t->byte_level && (rc = build_decoded(t)) < 0)
		return rc;
	find_word_meta(t);
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
	clm_tok_trie_release(&t->added);
	clm_tok_trie_release(&t->added_norm);
	clm_tok_pipeline_release(&t->pipe);
	free(t->dec);
	free(t->dec_pool);
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

	for (size_t i = 0; i < t->n_specials; i++) {
		const struct clm_tok_token *tk = &t->tokens[t->specials[i]];
		if (tk->len == len && !memcmp(t->pool + tk->off, text, len))
			return t->specials[i];
	}
	return -1;
}

const char *clm_tok_piece(const struct clm_tokenizer *t, int32_t id, size_t *len)
{
	if (!t->dec)
		return clm_tok_bytes(t, id, len);
	if (id < 0 || (size_t)id >= t->n_tokens)
		return NULL;
	*len = t->dec[id].len;
	return t->dec_pool + t->dec[id].off;
}

/* Metaspace's decoder drops the replacement characters of the first token instead of reading
 * them as spaces (a byte fallback token stays its byte). */
static int decode_first(const struct clm_tokenizer *t, int32_t id, struct clm_strbuf *out)
{
	const struct clm_tok_pipeline *p = &t->pipe;
	size_t len = 0, dlen = 0;
	const char *raw = clm_tok_bytes(t, id, &len), *dec = clm_tok_piece(t, id, &dlen);

	if (p->dec_bytes && !t->tokens[id].special && fallback_byte(raw, len) >= 0)
		return clm_strbuf_add(out, dec, dlen);
	return clm_tok_replace(raw, len, p->dec_meta, p->dec_meta_len, "", 0, out);
}

int clm_tok_decode(const struct clm_tokenizer *t, const int32_t *ids, size_t n, struct clm_strbuf *out)
{
	size_t strip = t->pipe.dec_strip;

	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *b = clm_tok_piece(t, ids[i], &len);
		if (!b)
			return clm_error_set(CLM_EINVALID, "token id %d is outside the vocabulary (size %zu)", ids[i],
					     t->n_tokens);
		if (i == 0 && t->pipe.dec_meta_first && t->dec) {
			if (decode_first(t, ids[0], out) < 0)
				return CLM_ENOMEM;
			continue;
		}
		/* Strip runs after Fuse: the leading spaces of the whole text, whatever token holds them */
		while (strip && len && *b == ' ') {
			b++;
			len--;
			strip--;
		}
		if (len)
			strip = 0;
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

/* Character mode: the first symbols of a piece, one per character (byte fallback or unk for
 * characters outside the vocabulary, a byte that is not UTF-8 counting as a character). */
static size_t char_symbols(struct clm_tokenizer *t, const unsigned char *p, size_t n, struct symbol *s)
{
	size_t k = 0;

	for (size_t i = 0; i < n;) {
		size_t len = clm_utf8_char_len(p + i, n - i);
		int32_t id = len == 1 ? t->char_id[p[i]] : len ? clm_tok_lookup(t, p + i, len) : -1;
		int fallback = 1;
		if (!len)
			len = 1;
		for (size_t j = 0; id < 0 && t->byte_fallback && j < len; j++)
			fallback &= t->byte_id[p[i + j]] >= 0;
		if (id >= 0) {
			s[k++].id = id;
		} else if (t->byte_fallback && fallback) {
			for (size_t j = 0; j < len; j++)
				s[k++].id = t->byte_id[p[i + j]];
		} else if (t->unk_id >= 0 && !(t->fuse_unk && k && s[k - 1].id == t->unk_id)) {
			s[k++].id = t->unk_id;
		}
		i += len;
	}
	return k;
}

static int bpe_piece(struct clm_tokenizer *t, const unsigned char *p, size_t n, struct clm_tok_ids *out)
{
	struct symbol *s;
	struct candidate *h;
	size_t nh = 0, k = n;

	if (n > INT32_MAX)
		return clm_error_set(CLM_EINVALID, "piece of %zu bytes is too long", n);
	if (ensure_scratch(t, n) < 0)
		return CLM_ENOMEM;
	s = t->scratch;
	h = (struct candidate *)(s + t->scratch_cap);
	if (t->byte_level)
		for (size_t i = 0; i < n; i++)
			s[i].id = t->byte_id[p[i]];
	else
		k = char_symbols(t, p, n, s);
	if (!k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		s[i].prev = (int32_t)i - 1;
		s[i].next = i + 1 < k ? (int32_t)i + 1 : -1;
	}
	for (size_t i = 0; i + 1 < k; i++)
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

	if (t->pieces_only) {
		++*t->pieces_only;
		return 0;
	}
	if (n == 1 && t->byte_level)
		return clm_tok_ids_push(out, t->byte_id[p[0]]);
	if (t->ignore_merges) {
		int32_t id = clm_tok_lookup(t, p, n);
		if (id >= 0)
			return clm_tok_ids_push(out, id);
	}
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

/* A piece to BPE, word by word when that gives the same ids (find_word_meta): a word starts at
 * a replacement character that follows another character. */
static int encode_words(struct clm_tokenizer *t, const char *text, size_t len, struct clm_tok_ids *out)
{
	const char *meta = t->word_meta;
	size_t mlen = t->word_meta_len, word = 0, i = 0;
	int rc = 0, after_meta = 1;

	if (!mlen)
		return encode_piece(t, (const unsigned char *)text, len, out);
	while (rc == 0 && i < len) {
		int is_meta = len - i >= mlen && !memcmp(text + i, meta, mlen);
		if (is_meta && !after_meta && i > word) {
			rc = encode_piece(t, (const unsigned char *)text + word, i - word, out);
			word = i;
		}
		after_meta = is_meta;
		i += is_meta ? mlen : 1;
	}
	return rc == 0 && len > word ? encode_piece(t, (const unsigned char *)text + word, len - word, out) : rc;
}

/* The pieces of split step `level` over text[0..len), each sent to the next step and the last
 * step's to BPE. The behavior decides what becomes of the matches ("delimiters"). */
static int split_level(struct clm_tokenizer *t, size_t level, const char *text, size_t len, struct clm_tok_ids *out)
{
	struct clm_tok_split *sp;
	size_t pos = 0, start, end, pend = 0; /* pend: where the piece not yet sent starts */
	int rc = 0;

	if (level == t->pipe.n_splits)
		return len ? encode_words(t, text, len, out) : 0;
	sp = &t->pipe.splits[level];
	if (sp->re.anchored) {
		while (rc == 0 && clm_pretok_next(&sp->re, text, len, &pos, &start, &end))
			rc = split_level(t, level + 1, text + start, end, out);
		return rc;
	}
	while (rc == 0 && clm_pretok_find(&sp->re, text, len, pos, &start, &end)) {
		switch (sp->behavior) {
		case CLM_TOK_SPLIT_ISOLATED:
		case CLM_TOK_SPLIT_REMOVED:
			if (start > pos)
				rc = split_level(t, level + 1, text + pos, start - pos, out);
			if (rc == 0 && sp->behavior == CLM_TOK_SPLIT_ISOLATED)
				rc = split_level(t, level + 1, text + start, end - start, out);
			pend = end;
			break;
		case CLM_TOK_SPLIT_MERGED_WITH_PREVIOUS:
			rc = split_level(t, level + 1, text + pend, end - pend, out);
			pend = end;
			break;
		case CLM_TOK_SPLIT_MERGED_WITH_NEXT:
			if (start > pend)
				rc = split_level(t, level + 1, text + pend, start - pend, out);
			pend = start;
			break;
		}
		pos = end;
	}
	if (rc == 0 && pend < len)
		rc = split_level(t, level + 1, text + pend, len - pend, out);
	return rc;
}

/* Metaspace: spaces become the replacement character, which also starts the text (prepend
 * scheme always, or first for the input's first segment), and optionally splits it. */
static int metaspace(struct clm_tokenizer *t, const char *text, size_t len, int at_start, struct clm_tok_ids *out)
{
	struct clm_tok_pipeline *p = &t->pipe;
	struct clm_strbuf *m = &p->meta_buf;
	size_t piece = 0;
	int rc = 0;

	clm_strbuf_reset(m);
	/* the text starts with the replacement character already when it starts with a space */
	if ((p->meta_prepend == CLM_TOK_PREPEND_ALWAYS || (p->meta_prepend == CLM_TOK_PREPEND_FIRST && at_start)) &&
	    text[0] != ' ' && (len < p->meta_len || memcmp(text, p->meta, p->meta_len)) &&
	    clm_strbuf_add(m, p->meta, p->meta_len) < 0)
		return CLM_ENOMEM;
	if (clm_tok_replace(text, len, " ", 1, p->meta, p->meta_len, m) < 0)
		return CLM_ENOMEM;
	if (!p->meta_split)
		return split_level(t, 0, m->buf, m->len, out);
	for (size_t i = 1; rc == 0 && i <= m->len; i++) {
		if (i < m->len && (m->len - i < p->meta_len || memcmp(m->buf + i, p->meta, p->meta_len)))
			continue;
		rc = split_level(t, 0, m->buf + piece, i - piece, out);
		piece = i;
	}
	return rc;
}

static int pre_tokenize(struct clm_tokenizer *t, const char *text, size_t len, int at_start, struct clm_tok_ids *out)
{
	if (!len)
		return 0;
	return t->pipe.metaspace ? metaspace(t, text, len, at_start, out) : split_level(t, 0, text, len, out);
}

/* Added tokens of `tr` in text[0..len) (leftmost, longest): the text between them goes to
 * `segment`. A token's lstrip/rstrip take the whitespace next to it; single_word refuses a match
 * that a word character touches. */
static int split_added(struct clm_tokenizer *t, const struct clm_tok_trie *tr, const char *text, size_t len,
		       int flags, int at_start,
		       int (*segment)(struct clm_tokenizer *, const char *, size_t, int, int, struct clm_tok_ids *),
		       struct clm_tok_ids *out);

static int is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_space_byte(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int normalized_segment(struct clm_tokenizer *t, const char *text, size_t len, int flags, int at_start,
			      struct clm_tok_ids *out)
{
	(void)flags;
	return pre_tokenize(t, text, len, at_start, out);
}

static int raw_segment(struct clm_tokenizer *t, const char *text, size_t len, int flags, int at_start,
		       struct clm_tok_ids *out)
{
	struct clm_strbuf *nb = &t->pipe.norm_buf;
	char *copy;
	size_t n;
	int rc;

	if (!len)
		return 0;
	if (!t->pipe.n_norms)
		return pre_tokenize(t, text, len, at_start, out);
	if ((rc = clm_tok_pipeline_normalize(&t->pipe, text, len, nb)) < 0)
		return rc;
	if (!t->added_norm.n)
		return pre_tokenize(t, nb->buf, nb->len, at_start, out);
	/* normalized added tokens: the text moves out of norm_buf, which the next segment reuses */
	copy = clm_strbuf_detach(nb, &n);
	if (!copy)
		return clm_error_oom();
	rc = split_added(t, &t->added_norm, copy, n, flags, at_start, normalized_segment, out);
	free(copy);
	return rc;
}

static int split_added(struct clm_tokenizer *t, const struct clm_tok_trie *tr, const char *text, size_t len,
		       int flags, int at_start,
		       int (*segment)(struct clm_tokenizer *, const char *, size_t, int, int, struct clm_tok_ids *),
		       struct clm_tok_ids *out)
{
	const unsigned char *u = (const unsigned char *)text;
	size_t seg = 0, i = 0;
	int allow = (flags & CLM_TOK_ALLOW_SPECIAL) != 0, rc;

	while (tr->n && i < len) {
		size_t mlen = 0, start = i, end;
		int32_t id = tr->first[u[i]] ? clm_tok_trie_longest(tr, u + i, len - i, allow, &mlen) : -1;
		int opts;
		if (id < 0) {
			i++;
			continue;
		}
		end = i + mlen;
		opts = t->tokens[id].special;
		if ((opts & CLM_TOK_SINGLE_WORD) &&
		    ((start > 0 && is_word_byte(u[start - 1])) || (end < len && is_word_byte(u[end])))) {
			i++;
			continue;
		}
		if (opts & CLM_TOK_LSTRIP)
			while (start > seg && is_space_byte(u[start - 1]))
				start--;
		if (opts & CLM_TOK_RSTRIP)
			while (end < len && is_space_byte(u[end]))
				end++;
		if ((rc = segment(t, text + seg, start - seg, flags, at_start && seg == 0, out)) < 0 ||
		    (rc = clm_tok_ids_push(out, id)) < 0)
			return rc;
		seg = i = end;
	}
	return segment(t, text + seg, len - seg, flags, at_start && seg == 0, out);
}

int clm_tok_encode(struct clm_tokenizer *t, const void *text, size_t len, int flags, struct clm_tok_ids *out)
{
	int add = (flags & CLM_TOK_ADD_SPECIAL) != 0, rc;

	if (!t->finished)
		return clm_error_set(CLM_EINVALID, "tokenizer is not finished");
	for (size_t i = 0; add && i < t->pipe.n_prefix; i++)
		if (clm_tok_ids_push(out, t->pipe.prefix[i]) < 0)
			return CLM_ENOMEM;
	if ((rc = split_added(t, &t->added, text, len, flags, 1, raw_segment, out)) < 0)
		return rc;
	for (size_t i = 0; add && i < t->pipe.n_suffix; i++)
		if (clm_tok_ids_push(out, t->pipe.suffix[i]) < 0)
			return CLM_ENOMEM;
	return 0;
}

int clm_tok_pretokenize(struct clm_tokenizer *t, const void *text, size_t len, int flags, size_t *pieces)
{
	struct clm_tok_ids added = CLM_TOK_IDS_INIT;
	int rc;

	*pieces = 0;
	t->pieces_only = pieces;
	rc = clm_tok_encode(t, text, len, flags, &added);
	t->pieces_only = NULL;
	clm_tok_ids_release(&added);
	return rc;
}
