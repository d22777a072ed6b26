#include "tok/train.h"
#include "tok/byte_unicode.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

const char *const clm_tok_default_specials[] = {
	"<|endoftext|>", "<|sep|>", "<|pad|>", "<|refine|>", "<|generate|>", "<|summarize|>", "<|complete|>",
	"<|translate|>",
};
const size_t clm_tok_default_specials_count = sizeof(clm_tok_default_specials) / sizeof(clm_tok_default_specials[0]);

int clm_tok_trainer_init(struct clm_tok_trainer *tr)
{
	memset(tr, 0, sizeof(*tr));
	clm_strmap_init(&tr->words);
	return clm_pretok_init(&tr->pretok);
}

int clm_tok_trainer_add(struct clm_tok_trainer *tr, const void *text, size_t len)
{
	size_t pos = 0, start, n;

	while (clm_pretok_next(&tr->pretok, text, len, &pos, &start, &n)) {
		uint32_t *idx;
		int inserted;
		if (n < 2)
			continue; /* a single byte has no pair to merge */
		if (clm_strmap_upsert(&tr->words, (const char *)text + start, n, (uint32_t)tr->words.n, &idx, &inserted) < 0)
			return CLM_ENOMEM;
		if (inserted && CLM_ALLOC_GROW(tr->counts, tr->words.n, tr->counts_alloc) < 0)
			return CLM_ENOMEM;
		if (inserted)
			tr->counts[*idx] = 0;
		tr->counts[*idx]++;
	}
	tr->bytes_seen += len;
	return 0;
}

void clm_tok_trainer_release(struct clm_tok_trainer *tr)
{
	clm_pretok_release(&tr->pretok);
	clm_strmap_release(&tr->words);
	free(tr->counts);
	memset(tr, 0, sizeof(*tr));
}

/* ---- the merge loop ---- */

struct word {
	uint64_t count;
	uint32_t off, len; /* symbols in the learner's pool */
	uint32_t stamp;    /* last merge step that visited this word */
};

struct pair {
	int32_t left, right;
	int64_t count;
	uint32_t head;    /* first occurrence node, or NONE */
	uint32_t touched; /* step in which the count last rose */
};

struct occurrence {
	uint32_t word, next;
};

struct heap_entry {
	int64_t count;
	int32_t left, right;
	uint32_t pair;
};

#define NONE UINT32_MAX

struct learner {
	struct word *words;
	size_t n_words;
	int32_t *symbols;
	struct pair *pairs;
	size_t n_pairs, pairs_alloc;
	struct clm_pairmap pair_of;
	struct occurrence *occ;
	size_t n_occ, occ_alloc;
	struct heap_entry *heap;
	size_t n_heap, heap_alloc;
	uint32_t *rising; /* pairs whose count rose in this step */
	size_t n_rising, rising_alloc;
	/* the vocabulary being built: token bytes, their ids, and the merges */
	struct clm_strbuf token_bytes;
	struct span { uint32_t off, len; } *tokens; /* in token_bytes */
	size_t n_tokens, tokens_alloc;
	struct clm_strmap token_id;
	int32_t (*merges)[2];
	size_t n_merges, merges_alloc;
};

/* Max-heap order: higher count first, then smaller (left, right). */
static int entry_before(const struct heap_entry *a, const struct heap_entry *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	if (a->left != b->left)
		return a->left < b->left;
	return a->right < b->right;
}

static int heap_push(struct learner *l, uint32_t p)
{
	struct heap_entry e = { l->pairs[p].count, l->pairs[p].left, l->pairs[p].right, p };
	size_t i;

	if (CLM_ALLOC_GROW(l->heap, l->n_heap + 1, l->heap_alloc) < 0)
		return CLM_ENOMEM;
	for (i = l->n_heap++; i > 0 && entry_before(&e, &l->heap[(i - 1) / 2]); i = (i - 1) / 2)
		l->heap[i] = l->heap[(i - 1) / 2];
	l->heap[i] = e;
	return 0;
}

static struct heap_entry heap_pop(struct learner *l)
{
	struct heap_entry top = l->heap[0], last = l->heap[--l->n_heap];
	size_t i = 0, n = l->n_heap;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && entry_before(&l->heap[c + 1], &l->heap[c]))
			c++;
		if (!entry_before(&l->heap[c], &last))
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	if (n)
		l->heap[i] = last;
	return top;
}

static int add_token(struct learner *l, const void *bytes, size_t len, int32_t *id)
{
	uint32_t *slot;
	int inserted;

	if (clm_strmap_upsert(&l->token_id, bytes, len, (uint32_t)l->n_tokens, &slot, &inserted) < 0)
		return CLM_ENOMEM;
	*id = (int32_t)*slot;
	if (!inserted)
		return 0;
	if (CLM_ALLOC_GROW(l->tokens, l->n_tokens + 1, l->tokens_alloc) < 0)
		return CLM_ENOMEM;
	l->tokens[l->n_tokens++] = (struct span){ (uint32_t)l->token_bytes.len, (uint32_t)len };
	return clm_strbuf_add(&l->token_bytes, bytes, len);
}

/* Add `delta` occurrences (times the word's count) of pair (a, b) in word w. */
static int count_pair(struct learner *l, int32_t a, int32_t b, uint32_t w, int64_t delta, uint32_t step)
{
	uint32_t *slot;
	int inserted;
	struct pair *p;

	if (clm_pairmap_upsert(&l->pair_of, clm_pair_key(a, b), (uint32_t)l->n_pairs, &slot, &inserted) < 0)
		return CLM_ENOMEM;
	if (inserted) {
		if (CLM_ALLOC_GROW(l->pairs, l->n_pairs + 1, l->pairs_alloc) < 0)
			return CLM_ENOMEM;
		l->pairs[l->n_pairs++] = (struct pair){ a, b, 0, NONE, NONE };
	}
	p = &l->pairs[*slot];
	p->count += delta * (int64_t)l->words[w].count;
	if (delta <= 0)
		return 0;
	if (CLM_ALLOC_GROW(l->occ, l->n_occ + 1, l->occ_alloc) < 0)
		return CLM_ENOMEM;
	l->occ[l->n_occ] = (struct occurrence){ w, p->head };
	p->head = (uint32_t)l->n_occ++;
	if (p->touched != step) {
		p->touched = step;
		if (CLM_ALLOC_GROW(l->rising, l->n_rising + 1, l->rising_alloc) < 0)
			return CLM_ENOMEM;
		l->rising[l->n_rising++] = *slot;
	}
	return 0;
}

/* Merge (a, b) into z inside word w, left to right, updating the neighbouring pairs' counts. */
static int merge_word(struct learner *l, uint32_t w, int32_t a, int32_t b, int32_t z, uint32_t step)
{
	struct word *wd = &l->words[w];
	int32_t *s = l->symbols + wd->off;
	uint32_t n = wd->len, out = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (i + 1 < n && s[i] == a && s[i + 1] == b) {
			if (out > 0 && (count_pair(l, s[out - 1], a, w, -1, step) < 0 ||
					count_pair(l, s[out - 1], z, w, 1, step) < 0))
				return CLM_ENOMEM;
			if (i + 2 < n && (count_pair(l, b, s[i + 2], w, -1, step) < 0 ||
					  count_pair(l, z, s[i + 2], w, 1, step) < 0))
				return CLM_ENOMEM;
			s[out++] = z;
			i++;
		} else {
			s[out++] = s[i];
		}
	}
	wd->len = out;
	return 0;
}

static int push_rising(struct learner *l)
{
	for (size_t i = 0; i < l->n_rising; i++)
		if (l->pairs[l->rising[i]].count > 0 && heap_push(l, l->rising[i]) < 0)
			return CLM_ENOMEM;
	l->n_rising = 0;
	return 0;
}

static int load_words(struct learner *l, const struct clm_tok_trainer *tr)
{
	size_t total = 0;

	l->n_words = tr->words.n;
	l->words = calloc(l->n_words ? l->n_words : 1, sizeof(*l->words));
	if (!l->words)
		return clm_error_oom();
	for (size_t i = 0; i < tr->words.cap; i++)
		if (tr->words.slots[i].used)
			total += tr->words.slots[i].key_len;
	if (total > UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "tokenizer corpus has more than 4 GiB of distinct pieces");
	l->symbols = malloc((total ? total : 1) * sizeof(*l->symbols));
	if (!l->symbols)
		return clm_error_oom();
	total = 0;
	for (size_t i = 0; i < tr->words.cap; i++) {
		const struct clm_strmap_slot *sl = &tr->words.slots[i];
		const unsigned char *k = (const unsigned char *)clm_strmap_key(&tr->words, sl);
		struct word *wd;
		if (!sl->used)
			continue;
		wd = &l->words[sl->value];
		*wd = (struct word){ tr->counts[sl->value], (uint32_t)total, sl->key_len, NONE };
		for (uint32_t j = 0; j < sl->key_len; j++)
			l->symbols[total + j] = clm_byte_order(k[j]);
		total += sl->key_len;
	}
	/* Count pairs word by word in index order, so occurrence lists are in a fixed order. */
	for (uint32_t w = 0; w < l->n_words; w++) {
		const int32_t *s = l->symbols + l->words[w].off;
		for (uint32_t j = 0; j + 1 < l->words[w].len; j++)
			if (count_pair(l, s[j], s[j + 1], w, 1, 0) < 0)
				return CLM_ENOMEM;
	}
	return push_rising(l);
}

static int learn(struct learner *l, size_t n_merged_tokens, uint64_t min_count, struct clm_progress *progress)
{
	uint32_t step = 1;
	char *cat = NULL;
	size_t cat_alloc = 0;
	int rc = 0;

	while (l->n_tokens < 256 + n_merged_tokens && l->n_heap) {
		struct heap_entry e = heap_pop(l);
		struct pair *p = &l->pairs[e.pair];
		uint32_t la, lb;
		int32_t z;
		if (e.count != p->count) {
			/* Counts only fall after a pair's first step, so a stale entry overestimates: re-queue. */
			if (p->count > 0 && (rc = heap_push(l, e.pair)) < 0)
				break;
			continue;
		}
		if ((uint64_t)e.count < min_count)
			break;
		la = l->tokens[e.left].len;
		lb = l->tokens[e.right].len;
		if ((rc = CLM_ALLOC_GROW(cat, (size_t)la + lb, cat_alloc)) < 0)
			break;
		memcpy(cat, l->token_bytes.buf + l->tokens[e.left].off, la);
		memcpy(cat + la, l->token_bytes.buf + l->tokens[e.right].off, lb);
		if ((rc = add_token(l, cat, (size_t)la + lb, &z)) < 0 ||
		    (rc = CLM_ALLOC_GROW(l->merges, l->n_merges + 1, l->merges_alloc)) < 0)
			break;
		l->merges[l->n_merges][0] = e.left;
		l->merges[l->n_merges][1] = e.right;
		l->n_merges++;
		for (uint32_t o = p->head; o != NONE; o = l->occ[o].next) {
			uint32_t w = l->occ[o].word;
			if (l->words[w].stamp == step)
				continue;
			l->words[w].stamp = step;
			if ((rc = merge_word(l, w, e.left, e.right, z, step)) < 0)
				break;
			p = &l->pairs[e.pair]; /* merge_word may have moved the pair array */
		}
		if (rc < 0)
			break;
		p->count = 0;
		p->head = NONE;
		if ((rc = push_rising(l)) < 0)
			break;
		step++;
		if (progress)
			clm_progress_update(progress, l->n_tokens - 256, "merge %zu, count %lld", l->n_merges,
					    (long long)e.count);
	}
	free(cat);
	return rc;
}

static void learner_release(struct learner *l)
{
	free(l->words);
	free(l->symbols);
	free(l->pairs);
	clm_pairmap_release(&l->pair_of);
	free(l->occ);
	free(l->heap);
	free(l->rising);
	clm_strbuf_release(&l->token_bytes);
	free(l->tokens);
	clm_strmap_release(&l->token_id);
	free(l->merges);
}

static int build(const struct learner *l, const struct clm_tok_train_opts *opts, struct clm_tokenizer *out)
{
	int rc = clm_tok_init(out, l->n_tokens + opts->n_specials);

	for (size_t id = 0; rc == 0 && id < l->n_tokens; id++)
		rc = clm_tok_set_token(out, (int32_t)id, l->token_bytes.buf + l->tokens[id].off, l->tokens[id].len, 0);
	for (size_t i = 0; rc == 0 && i < opts->n_specials; i++)
		rc = clm_tok_set_token(out, (int32_t)(l->n_tokens + i), opts->specials[i], strlen(opts->specials[i]), 1);
	for (size_t i = 0; rc == 0 && i < l->n_merges; i++)
		rc = clm_tok_add_merge(out, l->merges[i][0], l->merges[i][1]);
	if (rc == 0)
		rc = clm_tok_finish(out);
	return rc;
}

int clm_tok_trainer_finish(struct clm_tok_trainer *tr, const struct clm_tok_train_opts *opts,
			   struct clm_tokenizer *out, struct clm_progress *progress)
{
	struct learner l;
	size_t n_merged;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (opts->vocab_size < 256 + opts->n_specials || opts->vocab_size > CLM_TOK_MAX_VOCAB)
		return clm_error_set(CLM_EINVALID, "vocabulary size %zu must lie in %zu..%d (256 bytes and %zu special tokens)",
				     opts->vocab_size, 256 + opts->n_specials, CLM_TOK_MAX_VOCAB, opts->n_specials);
	n_merged = opts->vocab_size - 256 - opts->n_specials;
	memset(&l, 0, sizeof(l));
	clm_pairmap_init(&l.pair_of);
	clm_strmap_init(&l.token_id);
	for (int i = 0; rc == 0 && i < 256; i++) {
		uint8_t b = clm_byte_at_order(i);
		int32_t id;
		rc = add_token(&l, &b, 1, &id);
	}
	if (rc == 0)
		rc = load_words(&l, tr);
	if (rc == 0)
		rc = learn(&l, n_merged, opts->min_count ? opts->min_count : 2, progress);
	if (rc == 0)
		rc = build(&l, opts, out);
	if (rc < 0)
		clm_tok_release(out);
	learner_release(&l);
	return rc;
}
