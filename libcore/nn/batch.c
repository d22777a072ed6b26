#include "nn/batch.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* New capacity >= need (doubling), or `alloc` itself when it already suffices. */
static int capacity(int alloc, int need)
{
	int n = alloc ? alloc : 16;
	while (n < need)
		n *= 2;
	return n;
}

static int resize(void **p, int n, size_t elem)
{
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return clm_error_oom();
	*p = q;
	return 0;
}

/* Make room for one more example with `len` tokens and `n_prefix` prefix rows. */
static int reserve(struct clm_batch *b, int len, int n_prefix)
{
	int ntok = b->n ? b->tok_off[b->n] : 0, npre = b->n ? b->prefix_off[b->n] : 0;

	if (ntok + len > b->tok_alloc) {
		int n = capacity(b->tok_alloc, ntok + len);
		if (resize((void **)&b->tokens, n, sizeof(int32_t)) || resize((void **)&b->weight, n, sizeof(float)))
			return CLM_ENOMEM;
		b->tok_alloc = n;
	}
	if (npre + n_prefix + 1 > b->prefix_alloc) {
		int n = capacity(b->prefix_alloc, npre + n_prefix + 1);
		if (resize((void **)&b->prefix_ids, n, sizeof(int32_t)))
			return CLM_ENOMEM;
		b->prefix_alloc = n;
	}
	if (b->n + 2 > b->ex_alloc) {
		int n = capacity(b->ex_alloc, b->n + 2);
		if (resize((void **)&b->tok_off, n, sizeof(int)) || resize((void **)&b->prefix_off, n, sizeof(int)) ||
		    resize((void **)&b->adapter, n, sizeof(int)))
			return CLM_ENOMEM;
		b->ex_alloc = n;
	}
	if (!b->n)
		b->tok_off[0] = b->prefix_off[0] = 0;
	return 0;
}

int clm_batch_add(struct clm_batch *b, const int32_t *tokens, int len, const float *weight,
		  const int32_t *prefix_ids, int n_prefix, int adapter)
{
	if (len < 1 || n_prefix < 0 || (n_prefix && !prefix_ids))
		return clm_error_set(CLM_EINVALID, "batch: an example needs at least one token");
	if (reserve(b, len, n_prefix))
		return CLM_ENOMEM;
	int t0 = b->tok_off[b->n], p0 = b->prefix_off[b->n];
	memcpy(b->tokens + t0, tokens, sizeof(int32_t) * len);
	for (int i = 0; i < len; i++)
		b->weight[t0 + i] = weight ? weight[i] : 1.0f;
	if (n_prefix)
		memcpy(b->prefix_ids + p0, prefix_ids, sizeof(int32_t) * n_prefix);
	b->adapter[b->n] = adapter;
	b->tok_off[b->n + 1] = t0 + len;
	b->prefix_off[b->n + 1] = p0 + n_prefix;
	b->n++;
	return 0;
}

int clm_batch_add_pair(struct clm_batch *b, const int32_t *source, int n_source, const int32_t *target,
		       int n_target, const int32_t *prefix_ids, int n_prefix, int adapter, int max_positions)
{
	int room = max_positions - n_prefix, cut = 0;

	if (n_source < 0 || n_target < 0 || n_source + n_target < 1)
		return clm_error_set(CLM_EINVALID, "batch: an example needs at least one token");
	if (room < 1)
		return clm_error_set(CLM_EINVALID, "batch: a prefix of %d rows leaves no room in a context of %d",
				     n_prefix, max_positions);
	if (n_source + n_target > room) {
		int drop = n_source + n_target - room;
		int from_source = drop < n_source ? drop : n_source;
		source += from_source;
		n_source -= from_source;
		n_target -= drop - from_source;
		cut = drop;
	}
	if (reserve(b, n_source + n_target, n_prefix))
		return CLM_ENOMEM;
	int t0 = b->tok_off[b->n];
	memcpy(b->tokens + t0, source, sizeof(int32_t) * n_source);
	memcpy(b->tokens + t0 + n_source, target, sizeof(int32_t) * n_target);
	for (int i = 0; i < n_source + n_target; i++)
		b->weight[t0 + i] = i < n_source ? 0.0f : 1.0f;
	int p0 = b->prefix_off[b->n];
	if (n_prefix)
		memcpy(b->prefix_ids + p0, prefix_ids, sizeof(int32_t) * n_prefix);
	b->adapter[b->n] = adapter;
	b->tok_off[b->n + 1] = t0 + n_source + n_target;
	b->prefix_off[b->n + 1] = p0 + n_prefix;
	b->n++;
	b->truncated += cut;
	return cut;
}

int clm_batch_len(const struct clm_batch *b, int i)
{
	return b->tok_off[i + 1] - b->tok_off[i];
}

int clm_batch_prefix_len(const struct clm_batch *b, int i)
{
	return b->prefix_off[i + 1] - b->prefix_off[i];
}

void clm_batch_clear(struct clm_batch *b)
{
	b->n = 0;
	b->truncated = 0;
}

void clm_batch_release(struct clm_batch *b)
{
	free(b->tok_off);
	free(b->tokens);
	free(b->weight);
	free(b->prefix_off);
	free(b->prefix_ids);
	free(b->adapter);
	memset(b, 0, sizeof(*b));
}
