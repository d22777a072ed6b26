/* Decoding strategies on top of clm_gpt_decode: sampling (greedy, temperature, top-k, top-p) for
 * a batch of requests, and beam search per request. */
#include "nn/generate.h"
#include "nn/rng.h"
#include "util/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void clm_gen_defaults(struct clm_gen_config *c)
{
	*c = (struct clm_gen_config){ .max_new_tokens = 64, .temperature = 0.0f, .top_k = 0, .top_p = 1.0f,
				      .seed = 0, .beam_width = 1, .length_penalty = 1.0f };
}

static int is_stop(const struct clm_gen_config *c, int32_t tok)
{
	for (int i = 0; i < c->n_stop; i++)
		if (c->stop[i] == tok)
			return 1;
	return 0;
}

/* log softmax(row)[tok] */
static float log_prob(const float *row, int v, int tok)
{
	float mx = row[0];
	double sum = 0;
	for (int j = 1; j < v; j++)
		mx = row[j] > mx ? row[j] : mx;
	for (int j = 0; j < v; j++)
		sum += exp((double)(row[j] - mx));
	return (float)((double)(row[tok] - mx) - log(sum));
}

struct ranked {
	float logit;
	int32_t tok;
};

/* Descending logit, ties by token id, so sampling does not depend on qsort's order. */
static int by_logit_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->logit != y->logit)
		return x->logit < y->logit ? 1 : -1;
	return x->tok < y->tok ? -1 : x->tok > y->tok;
}

/* Pick the next token from a logits row; `rank` is scratch of v entries. */
static int32_t pick(const struct clm_gen_config *c, const float *row, int v, struct ranked *rank, struct clm_rng *r)
{
	int32_t best = 0;

	if (c->temperature <= 0.0f) {
		for (int j = 1; j < v; j++)
			best = row[j] > row[best] ? j : best;
		return best;
	}
	for (int j = 0; j < v; j++)
		rank[j] = (struct ranked){ row[j] / c->temperature, j };
	qsort(rank, v, sizeof(*rank), by_logit_desc);
	int keep = c->top_k > 0 && c->top_k < v ? c->top_k : v;
	double sum = 0, mx = rank[0].logit;
	for (int j = 0; j < keep; j++)
		sum += exp(rank[j].logit - mx);
	if (c->top_p > 0.0f && c->top_p < 1.0f) {
		double cum = 0;
		int n = 0;
		while (n < keep && cum < c->top_p * sum)
			cum += exp(rank[n++].logit - mx);
		keep = n > 0 ? n : 1;
		sum = cum > 0 ? cum : exp(rank[0].logit - mx);
	}
	double u = clm_rng_uniform(r) * sum, acc = 0;
	for (int j = 0; j < keep; j++) {
		acc += exp(rank[j].logit - mx);
		if (u < acc)
			return rank[j].tok;
	}
	return rank[keep - 1].tok;
}

/* Prompt tokens kept after cutting from the left so prefix + prompt + 1 fit the context. */
static int kept_prompt(const struct clm_gpt *m, const struct clm_gen_request *q)
{
	int room = m->cfg.n_positions - q->n_prefix - 1;
	return q->n_prompt < room ? q->n_prompt : room;
}

/* How many tokens a request may generate: the cap, bounded by the room left in the context. */
static int new_token_limit(const struct clm_gpt *m, const struct clm_gen_config *c, const struct clm_gen_request *q,
			   int kept)
{
	int room = m->cfg.n_positions - q->n_prefix - kept;
	return c->max_new_tokens < room ? c->max_new_tokens : room;
}

static int check_request(const struct clm_gpt *m, const struct clm_gen_request *q)
{
	if (q->n_prompt < 1 || !q->prompt)
		return clm_error_set(CLM_EINVALID, "generate: a request needs at least one prompt token");
	if (q->n_prefix < 0 || q->n_prefix > m->cfg.n_positions - 2 || (q->n_prefix && !q->prefix_ids))
		return clm_error_set(CLM_EINVALID, "generate: a soft prompt of %d rows does not fit the context",
				     q->n_prefix);
	return 0;
}

/* Logits after every sequence's full token list, by the uncached training forward (tests). */
static int logits_uncached(struct clm_gpt *m, int n, const struct clm_gen_request *const *q, int32_t *const *seqs,
			   const int *lens, float *logits)
{
	struct clm_batch b = CLM_BATCH_INIT;
	float *all = NULL;
	int rc = 0, V = m->cfg.vocab_size;

	for (int i = 0; i < n && !rc; i++)
		rc = clm_batch_add(&b, seqs[i], lens[i], NULL, q[i]->prefix_ids, q[i]->n_prefix, q[i]->adapter);
	if (!rc)
		rc = clm_gpt_logits(m, &b, &all);
	for (int i = 0; i < n && !rc; i++)
		memcpy(logits + (size_t)i * V, all + (size_t)(b.tok_off[i + 1] - 1) * V, sizeof(float) * V);
	free(all);
	clm_batch_release(&b);
	return rc;
}

struct sampler_state {
	int n;                                /* requests */
	int32_t **seq;                        /* per request: kept prompt then generated tokens */
	int32_t **act_seq;                    /* per active sequence, for the uncached path */
	const struct clm_gen_request **act_q;
	int *act_len;
	int *len, *kept, *active_idx, *seq_ids, *tok_off, *prefix_off, *adapter;
	int32_t *step_tok, *prefix_ids;
	float *logits;
	struct ranked *rank;
	struct clm_rng *rng;                  /* per request, seeded seed + index */
	struct clm_kv_cache kv;
};

static void sampler_free(struct sampler_state *s)
{
	for (int i = 0; s->seq && i < s->n; i++)
		free(s->seq[i]);
	free(s->seq), free(s->len), free(s->kept), free(s->active_idx), free(s->seq_ids), free(s->tok_off);
	free(s->prefix_off), free(s->adapter), free(s->step_tok), free(s->prefix_ids), free(s->logits), free(s->rank);
	free(s->act_seq), free(s->act_q), free(s->act_len), free(s->rng);
	clm_kv_cache_release(&s->kv);
}

/* Buffers for n requests, each request's kept prompt copied, and a cache as long as the longest
 * request needs. */
static int sampler_init(struct sampler_state *s, const struct clm_gpt *m, const struct clm_gen_config *c,
			struct clm_gen_request *reqs, int n)
{
	int V = m->cfg.vocab_size, P = m->cfg.n_positions, total_prefix = 0, cap = 1;

	memset(s, 0, sizeof(*s));
	s->n = n;
	for (int i = 0; i < n; i++)
		total_prefix += reqs[i].n_prefix;
	s->seq = calloc(n, sizeof(*s->seq)), s->len = calloc(n, sizeof(int)), s->kept = calloc(n, sizeof(int));
	s->active_idx = malloc(n * sizeof(int)), s->seq_ids = malloc(n * sizeof(int));
	s->tok_off = malloc((n + 1) * sizeof(int)), s->prefix_off = malloc((n + 1) * sizeof(int));
	s->adapter = malloc(n * sizeof(int)), s->prefix_ids = malloc((total_prefix + 1) * sizeof(int32_t));
	s->step_tok = malloc((size_t)n * P * sizeof(int32_t)), s->logits = malloc((size_t)n * V * sizeof(float));
	s->rank = malloc(V * sizeof(*s->rank)), s->act_seq = malloc(n * sizeof(*s->act_seq));
	s->act_q = malloc(n * sizeof(*s->act_q)), s->act_len = malloc(n * sizeof(int));
	s->rng = calloc(n, sizeof(*s->rng));
	if (!s->rng || !s->seq || !s->len || !s->kept || !s->active_idx || !s->seq_ids || !s->tok_off ||
	    !s->prefix_off || !s->adapter || !s->prefix_ids || !s->step_tok || !s->logits || !s->rank || !s->act_seq ||
	    !s->act_q || !s->act_len)
		return clm_error_oom();
	for (int i = 0; i < n; i++) {
		s->kept[i] = kept_prompt(m, &reqs[i]);
		if (!(s->seq[i] = malloc(sizeof(int32_t) * P)))
			return clm_error_oom();
		memcpy(s->seq[i], reqs[i].prompt + reqs[i].n_prompt - s->kept[i], sizeof(int32_t) * s->kept[i]);
		s->len[i] = s->kept[i];
		clm_rng_seed(&s->rng[i], c->seed + (uint64_t)i);
		reqs[i].score = 0;
		int need = reqs[i].n_prefix + s->kept[i] + new_token_limit(m, c, &reqs[i], s->kept[i]);
		cap = need > cap ? need : cap;
	}
	return c->no_cache ? 0 : clm_kv_cache_init(&s->kv, &m->cfg, n, cap < P ? cap : P);
}

/* The requests still generating, as one decode batch: on the first step each brings its soft
 * prompt and whole prompt, later only its last token. Returns how many are active. */
static int gather_active(struct sampler_state *s, const struct clm_gpt *m, const struct clm_gen_config *c,
			 const struct clm_gen_request *reqs, int step)
{
	int na = 0, ntok = 0, npre = 0;

	s->tok_off[0] = s->prefix_off[0] = 0;
	for (int i = 0; i < s->n; i++) {
		int produced = s->len[i] - s->kept[i];
		if (produced >= new_token_limit(m, c, &reqs[i], s->kept[i]) ||
		    (produced > 0 && is_stop(c, s->seq[i][s->len[i] - 1])))
			continue;
		s->active_idx[na] = i;
		s->seq_ids[na] = i;
		s->act_seq[na] = s->seq[i];
		s->act_q[na] = &reqs[i];
		s->act_len[na] = s->len[i];
		s->adapter[na] = reqs[i].adapter;
		int from = step == 0 ? 0 : s->len[i] - 1;
		memcpy(s->step_tok + ntok, s->seq[i] + from, sizeof(int32_t) * (s->len[i] - from));
		ntok += s->len[i] - from;
		if (step == 0 && reqs[i].n_prefix) {
			memcpy(s->prefix_ids + npre, reqs[i].prefix_ids, sizeof(int32_t) * reqs[i].n_prefix);
			npre += reqs[i].n_prefix;
		}
		na++;
		s->tok_off[na] = ntok;
		s->prefix_off[na] = npre;
	}
	return na;
}

/* Each request's generated tokens without a final stop token, into its `out`. */
static int collect_outputs(struct sampler_state *s, const struct clm_gen_config *c, struct clm_gen_request *reqs)
{
	for (int i = 0; i < s->n; i++) {
		int produced = s->len[i] - s->kept[i];
		if (produced > 0 && is_stop(c, s->seq[i][s->len[i] - 1]))
			produced--;
		reqs[i].out = malloc(sizeof(int32_t) * (produced + 1));
		if (!reqs[i].out) {
			for (int k = 0; k < i; k++) {
				free(reqs[k].out);
				reqs[k].out = NULL;
				reqs[k].n_out = 0;
			}
			return clm_error_oom();
		}
		memcpy(reqs[i].out, s->seq[i] + s->kept[i], sizeof(int32_t) * produced);
		reqs[i].n_out = produced;
	}
	return 0;
}

/* Sampling / greedy for all requests together. */
static int generate_sampled(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *reqs, int n)
{
	struct sampler_state s;
	int V = m->cfg.vocab_size, rc = sampler_init(&s, m, c, reqs, n), na;

	for (int step = 0; !rc && (na = gather_active(&s, m, c, reqs, step)) > 0; step++) {
		if (c->no_cache)
			rc = logits_uncached(m, na, s.act_q, s.act_seq, s.act_len, s.logits);
		else
			rc = clm_gpt_decode(m, &s.kv, na, s.seq_ids, s.prefix_off, s.prefix_ids, s.tok_off, s.step_tok,
					    s.adapter, s.logits);
		for (int a = 0; a < na && !rc; a++) {
			int i = s.active_idx[a];
			const float *row = s.logits + (size_t)a * V;
			int32_t tok = pick(c, row, V, s.rank, &s.rng[i]);
			s.seq[i][s.len[i]++] = tok;
			if (c->on_token)
				c->on_token(c->on_token_arg, i, row, V, tok);
			if (!is_stop(c, tok))
				reqs[i].score += log_prob(row, V, tok);
		}
	}
	if (!rc)
		rc = collect_outputs(&s, c, reqs);
	sampler_free(&s);
	return rc;
}

struct beam {
	int32_t *toks; /* kept prompt then generated tokens */
	int n;         /* generated tokens */
	float logp;    /* sum of log-probabilities of the generated tokens */
	int slot;      /* cache sequence */
};

struct candidate {
	float score;
	int beam;
	int32_t tok;
};

static int by_score_desc(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	if (x->beam != y->beam)
		return x->beam - y->beam;
	return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static float penalised(const struct clm_gen_config *c, float logp, int n)
{
	return logp / powf((float)(n > 0 ? n : 1), c->length_penalty);
}

/* One request's beam search: 2B cache slots, the alive beams in one half, successors copied into
 * the other; the B best finished hypotheses kept in `fin`. */
struct beam_search {
	int B, V, kept, limit;
	int na, nfin, half;            /* alive beams, finished ones, which half of the slots is alive */
	struct beam *alive, *next, *fin;
	struct candidate *cand;        /* 2B continuations per alive beam */
	float *logits;                 /* one row per alive beam */
	struct ranked *rank;           /* scratch of V entries */
	int *seq_ids, *tok_off, *adapters, *lens;
	int32_t *step_tok, **seqs;
	const struct clm_gen_request **qs;
	struct clm_kv_cache kv;
};

static void beam_search_release(struct beam_search *bs)
{
	for (int i = 0; i < bs->B && bs->alive && bs->next && bs->fin; i++) {
		free(bs->alive[i].toks);
		free(bs->next[i].toks);
		free(bs->fin[i].toks);
	}
	free(bs->alive), free(bs->next), free(bs->fin), free(bs->cand), free(bs->logits), free(bs->rank);
	free(bs->seq_ids), free(bs->tok_off), free(bs->adapters), free(bs->step_tok), free(bs->qs), free(bs->seqs);
	free(bs->lens);
	clm_kv_cache_release(&bs->kv);
}

static int beam_search_init(struct beam_search *bs, const struct clm_gpt *m, const struct clm_gen_config *c,
			    const struct clm_gen_request *q)
{
	int B = c->beam_width, V = m->cfg.vocab_size, P = m->cfg.n_positions;

	memset(bs, 0, sizeof(*bs));
	bs->B = B;
	bs->V = V;
	bs->kept = kept_prompt(m, q);
	bs->limit = new_token_limit(m, c, q, bs->kept);
	bs->na = 1;
	bs->alive = calloc(B, sizeof(*bs->alive));
	bs->next = calloc(B, sizeof(*bs->next));
	bs->fin = calloc(B, sizeof(*bs->fin));
	bs->cand = malloc(sizeof(*bs->cand) * (size_t)B * 2 * B);
	bs->logits = malloc(sizeof(float) * (size_t)B * V);
	bs->rank = malloc(sizeof(*bs->rank) * V);
	bs->seq_ids = malloc(sizeof(int) * B);
	bs->tok_off = malloc(sizeof(int) * (B + 1));
	bs->adapters = malloc(sizeof(int) * B);
	bs->step_tok = malloc(sizeof(int32_t) * (P + B));
	bs->qs = malloc(sizeof(*bs->qs) * B);
	bs->seqs = malloc(sizeof(*bs->seqs) * B);
	bs->lens = malloc(sizeof(int) * B);
	if (!bs->alive || !bs->next || !bs->fin || !bs->cand || !bs->logits || !bs->rank || !bs->seq_ids ||
	    !bs->tok_off || !bs->adapters || !bs->step_tok || !bs->qs || !bs->seqs || !bs->lens)
		return clm_error_oom();
	for (int i = 0; i < B; i++) {
		bs->alive[i].toks = malloc(sizeof(int32_t) * P);
		bs->next[i].toks = malloc(sizeof(int32_t) * P);
		if (!bs->alive[i].toks || !bs->next[i].toks)
			return clm_error_oom();
		bs->qs[i] = q;
		bs->adapters[i] = q->adapter;
	}
	memcpy(bs->alive[0].toks, q->prompt + q->n_prompt - bs->kept, sizeof(int32_t) * bs->kept);
	if (c->no_cache)
		return 0;
	return clm_kv_cache_init(&bs->kv, &m->cfg, 2 * B, q->n_prefix + bs->kept + (bs->limit > 0 ? bs->limit : 1));
}

/* Logits after the prompt, computed once in slot 0. */
static int decode_prompt(struct beam_search *bs, struct clm_gpt *m, const struct clm_gen_config *c,
			 const struct clm_gen_request *q)
{
	int prefix_off[2] = { 0, q->n_prefix };

	bs->tok_off[0] = 0;
	bs->tok_off[1] = bs->kept;
	bs->seq_ids[0] = 0;
	if (c->no_cache) {
		bs->seqs[0] = bs->alive[0].toks;
		bs->lens[0] = bs->kept;
		return logits_uncached(m, 1, bs->qs, bs->seqs, bs->lens, bs->logits);
	}
	return clm_gpt_decode(m, &bs->kv, 1, bs->seq_ids, prefix_off, q->prefix_ids, bs->tok_off, bs->alive[0].toks,
			      bs->adapters, bs->logits);
}

/* Logits after each alive beam's last token. */
static int decode_step(struct beam_search *bs, struct clm_gpt *m, const struct clm_gen_config *c)
{
	for (int a = 0; a < bs->na; a++) {
		const struct beam *b = &bs->alive[a];
		bs->seq_ids[a] = b->slot;
		bs->tok_off[a] = a;
		bs->step_tok[a] = b->toks[bs->kept + b->n - 1];
		bs->seqs[a] = b->toks;
		bs->lens[a] = bs->kept + b->n;
	}
	bs->tok_off[bs->na] = bs->na;
	if (c->no_cache)
		return logits_uncached(m, bs->na, bs->qs, bs->seqs, bs->lens, bs->logits);
	return clm_gpt_decode(m, &bs->kv, bs->na, bs->seq_ids, NULL, NULL, bs->tok_off, bs->step_tok, bs->adapters,
			      bs->logits);
}

/* The 2B most likely continuations of every alive beam, scored by total log-probability, best
 * first; returns how many. */
static int expand(struct beam_search *bs)
{
	int nc = 0, V = bs->V;

	for (int a = 0; a < bs->na; a++) {
		const float *row = bs->logits + (size_t)a * V;
		float mx = row[0];
		double sum = 0;
		for (int j = 1; j < V; j++)
			mx = row[j] > mx ? row[j] : mx;
		for (int j = 0; j < V; j++)
			sum += exp((double)(row[j] - mx));
		float lse = mx + (float)log(sum);
		for (int j = 0; j < V; j++)
			bs->rank[j] = (struct ranked){ row[j], j };
		qsort(bs->rank, V, sizeof(*bs->rank), by_logit_desc);
		for (int j = 0; j < 2 * bs->B && j < V; j++)
			bs->cand[nc++] = (struct candidate){ bs->alive[a].logp + bs->rank[j].logit - lse, a, bs->rank[j].tok };
	}
	qsort(bs->cand, nc, sizeof(*bs->cand), by_score_desc);
	return nc;
}

/* Keep a hypothesis that ended with a stop token among the finished ones (while there is room). */
static int finish_beam(struct beam_search *bs, const struct clm_gen_config *c, const struct beam *from, float score)
{
	struct beam *f = &bs->fin[bs->nfin];

	if (bs->nfin >= bs->B)
		return 0;
	f->toks = malloc(sizeof(int32_t) * (bs->kept + from->n + 1));
	if (!f->toks)
		return clm_error_oom();
	memcpy(f->toks, from->toks, sizeof(int32_t) * (bs->kept + from->n));
	f->n = from->n;
	f->logp = penalised(c, score, from->n + 1);
	bs->nfin++;
	return 0;
}

/* Walk the ranked candidates: stop tokens finish a hypothesis, the B best others become the next
 * alive beams (their caches copied into the other half of the slots). */
static int advance(struct beam_search *bs, const struct clm_gpt *m, const struct clm_gen_config *c, int nc)
{
	int nn = 0, rc = 0;

	for (int j = 0; j < nc && nn < bs->B && !rc; j++) {
		const struct candidate *k = &bs->cand[j];
		const struct beam *from = &bs->alive[k->beam];
		if (is_stop(c, k->tok)) {
			rc = finish_beam(bs, c, from, k->score);
			continue;
		}
		struct beam *to = &bs->next[nn++];
		memcpy(to->toks, from->toks, sizeof(int32_t) * (bs->kept + from->n));
		to->toks[bs->kept + from->n] = k->tok;
		to->n = from->n + 1;
		to->logp = k->score;
		to->slot = (1 - bs->half) * bs->B + (nn - 1);
		if (!c->no_cache)
			clm_kv_cache_copy(&bs->kv, &m->cfg, to->slot, from->slot);
	}
	for (int i = 0; i < nn; i++) { /* swap so alive holds the successors */
		struct beam t = bs->alive[i];
		bs->alive[i] = bs->next[i];
		bs->next[i] = t;
	}
	bs->na = nn;
	bs->half = 1 - bs->half;
	return rc;
}

/* Alive beams at the cap compete with the finished ones; the best becomes the request's output. */
static int pick_best(struct beam_search *bs, const struct clm_gen_config *c, struct clm_gen_request *q)
{
	int best = 0, n;

	for (int a = 0; a < bs->na && bs->nfin < bs->B; a++) {
		struct beam *f = &bs->fin[bs->nfin++];
		f->toks = bs->alive[a].toks;
		bs->alive[a].toks = NULL;
		f->n = bs->alive[a].n;
		f->logp = penalised(c, bs->alive[a].logp, bs->alive[a].n);
	}
	for (int i = 1; i < bs->nfin; i++)
		best = bs->fin[i].logp > bs->fin[best].logp ? i : best;
	n = bs->nfin ? bs->fin[best].n : 0;
	q->out = malloc(sizeof(int32_t) * (n + 1));
	if (!q->out)
		return clm_error_oom();
	if (n)
		memcpy(q->out, bs->fin[best].toks + bs->kept, sizeof(int32_t) * n);
	q->n_out = n;
	q->score = bs->nfin ? bs->fin[best].logp : 0.0f;
	return 0;
}

/* Beam search for one request; stops when B hypotheses have finished or at the cap. */
static int generate_beam(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *q)
{
	struct beam_search bs;
	int rc = beam_search_init(&bs, m, c, q);

	if (!rc && bs.limit > 0) {
		rc = decode_prompt(&bs, m, c, q);
		while (!rc) {
			rc = advance(&bs, m, c, expand(&bs));
			if (rc || bs.nfin >= bs.B || bs.na == 0 || bs.alive[0].n >= bs.limit)
				break;
			rc = decode_step(&bs, m, c);
		}
	}
	if (!rc)
		rc = pick_best(&bs, c, q);
	beam_search_release(&bs);
	return rc;
}

int clm_generate(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *reqs, int n)
{
	int rc = 0;

	if (n < 1)
		return clm_error_set(CLM_EINVALID, "generate: no requests");
	if (c->beam_width < 1 || c->beam_width > 64)
		return clm_error_set(CLM_EINVALID, "generate: beam width %d is out of range 1..64", c->beam_width);
	for (int i = 0; i < n; i++) {
		reqs[i].out = NULL;
		reqs[i].n_out = 0;
		if ((rc = check_request(m, &reqs[i])))
			return rc;
	}
	if (c->beam_width == 1)
		return generate_sampled(m, c, reqs, n);
	for (int i = 0; i < n && !rc; i++)
		rc = generate_beam(m, c, &reqs[i]);
	if (rc)
		for (int i = 0; i < n; i++) {
			free(reqs[i].out);
			reqs[i].out = NULL;
			reqs[i].n_out = 0;
		}
	return rc;
}
