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
	int32_t **seq;  /* per request: kept prompt then generated tokens */
	int32_t **act_seq;                    /* per active sequence, for the uncached path */
	const struct clm_gen_request **act_q;
	int *act_len;
	int *len, *kept, *active_idx, *seq_ids, *tok_off, *prefix_off, *adapter;
	int32_t *step_tok, *prefix_ids;
	float *logits;
	struct ranked *rank;
};

static void sampler_free(struct sampler_state *s, int n)
{
	for (int i = 0; s->seq && i < n; i++)
		free(s->seq[i]);
	free(s->seq), free(s->len), free(s->kept), free(s->active_idx), free(s->seq_ids), free(s->tok_off);
	free(s->prefix_off), free(s->adapter), free(s->step_tok), free(s->prefix_ids), free(s->logits), free(s->rank);
	free(s->act_seq), free(s->act_q), free(s->act_len);
}

/* Sampling / greedy for all requests together. */
static int generate_sampled(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *reqs, int n)
{
	struct sampler_state s = { 0 };
	struct clm_kv_cache kv = { 0 };
	int V = m->cfg.vocab_size, P = m->cfg.n_positions, rc = 0, total_prefix = 0;
	struct clm_rng *rng = calloc(n, sizeof(*rng));

	for (int i = 0; i < n; i++)
		total_prefix += reqs[i].n_prefix;
	s.seq = calloc(n, sizeof(*s.seq)), s.len = calloc(n, sizeof(int)), s.kept = calloc(n, sizeof(int));
	s.active_idx = malloc(n * sizeof(int)), s.seq_ids = malloc(n * sizeof(int));
	s.tok_off = malloc((n + 1) * sizeof(int)), s.prefix_off = malloc((n + 1) * sizeof(int));
	s.adapter = malloc(n * sizeof(int)), s.prefix_ids = malloc((total_prefix + 1) * sizeof(int32_t));
	s.step_tok = malloc((size_t)n * P * sizeof(int32_t)), s.logits = malloc((size_t)n * V * sizeof(float));
	s.rank = malloc(V * sizeof(*s.rank)), s.act_seq = malloc(n * sizeof(*s.act_seq));
	s.act_q = malloc(n * sizeof(*s.act_q)), s.act_len = malloc(n * sizeof(int));
	if (!rng || !s.seq || !s.len || !s.kept || !s.active_idx || !s.seq_ids || !s.tok_off || !s.prefix_off ||
	    !s.adapter || !s.prefix_ids || !s.step_tok || !s.logits || !s.rank || !s.act_seq || !s.act_q || !s.act_len) {
		rc = clm_error_oom();
		goto out;
	}
	for (int i = 0; i < n && !rc; i++) {
		s.kept[i] = kept_prompt(m, &reqs[i]);
		if (!(s.seq[i] = malloc(sizeof(int32_t) * P)))
			rc = clm_error_oom();
		else
			memcpy(s.seq[i], reqs[i].prompt + reqs[i].n_prompt - s.kept[i], sizeof(int32_t) * s.kept[i]);
		s.len[i] = s.kept[i];
		clm_rng_seed(&rng[i], c->seed + (uint64_t)i);
		reqs[i].score = 0;
	}
	if (!rc && !c->no_cache) {
		int cap = 1;
		for (int i = 0; i < n; i++) {
			int need = reqs[i].n_prefix + s.kept[i] + new_token_limit(m, c, &reqs[i], s.kept[i]);
			cap = need > cap ? need : cap;
		}
		rc = clm_kv_cache_init(&kv, &m->cfg, n, cap < P ? cap : P);
	}
	for (int step = 0; !rc; step++) {
		int na = 0, ntok = 0, npre = 0;
		s.tok_off[0] = s.prefix_off[0] = 0;
		for (int i = 0; i < n; i++) {
			int produced = s.len[i] - s.kept[i];
			if (produced >= new_token_limit(m, c, &reqs[i], s.kept[i]) || (produced > 0 && is_stop(c, s.seq[i][s.len[i] - 1])))
				continue;
			s.active_idx[na] = i;
			s.seq_ids[na] = i;
			s.act_seq[na] = s.seq[i];
			s.act_q[na] = &reqs[i];
			s.act_len[na] = s.len[i];
			s.adapter[na] = reqs[i].adapter;
			/* first step: prefix and whole prompt; later: the last token */
			int from = step == 0 ? 0 : s.len[i] - 1;
			memcpy(s.step_tok + ntok, s.seq[i] + from, sizeof(int32_t) * (s.len[i] - from));
			ntok += s.len[i] - from;
			if (step == 0 && reqs[i].n_prefix) {
				memcpy(s.prefix_ids + npre, reqs[i].prefix_ids, sizeof(int32_t) * reqs[i].n_prefix);
				npre += reqs[i].n_prefix;
			}
			na++;
			s.tok_off[na] = ntok;
			s.prefix_off[na] = npre;
		}
		if (!na)
			break;
		if (c->no_cache)
			rc = logits_uncached(m, na, s.act_q, s.act_seq, s.act_len, s.logits);
		else
			rc = clm_gpt_decode(m, &kv, na, s.seq_ids, s.prefix_off, s.prefix_ids, s.tok_off, s.step_tok,
					    s.adapter, s.logits);
		for (int a = 0; a < na && !rc; a++) {
			int i = s.active_idx[a];
			const float *row = s.logits + (size_t)a * V;
			int32_t tok = pick(c, row, V, s.rank, &rng[i]);
			s.seq[i][s.len[i]++] = tok;
			if (c->on_token)
				c->on_token(c->on_token_arg, i, row, V, tok);
			if (!is_stop(c, tok))
				reqs[i].score += log_prob(row, V, tok);
		}
	}
	for (int i = 0; i < n && !rc; i++) {
		int produced = s.len[i] - s.kept[i];
		if (produced > 0 && is_stop(c, s.seq[i][s.len[i] - 1]))
			produced--;
		reqs[i].out = malloc(sizeof(int32_t) * (produced + 1));
		if (!reqs[i].out) {
			rc = clm_error_oom();
			break;
		}
		memcpy(reqs[i].out, s.seq[i] + s.kept[i], sizeof(int32_t) * produced);
		reqs[i].n_out = produced;
	}
	if (rc)
		for (int i = 0; i < n; i++) {
			free(reqs[i].out);
			reqs[i].out = NULL;
			reqs[i].n_out = 0;
		}
out:
	clm_kv_cache_release(&kv);
	sampler_free(&s, n);
	free(rng);
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

/* Beam search for one request: 2B cache slots, the alive beams in one half, successors copied into
 * the other. Keeps the B best finished hypotheses; stops when B have finished or at the cap. */
static int generate_beam(struct clm_gpt *m, const struct clm_gen_config *c, struct clm_gen_request *q)
{
	int B = c->beam_width, V = m->cfg.vocab_size, P = m->cfg.n_positions, rc = 0;
	int kept = kept_prompt(m, q), na = 1, nfin = 0, half = 0;
	int limit = new_token_limit(m, c, q, kept);
	struct clm_kv_cache kv = { 0 };
	struct beam *alive = calloc(B, sizeof(*alive)), *next = calloc(B, sizeof(*next)), *fin = calloc(B, sizeof(*fin));
	struct candidate *cand = malloc(sizeof(*cand) * (size_t)B * 2 * B);
	float *logits = malloc(sizeof(float) * (size_t)B * V);
	struct ranked *rank = malloc(sizeof(*rank) * V);
	int *seq_ids = malloc(sizeof(int) * B), *tok_off = malloc(sizeof(int) * (B + 1)), *adapters = malloc(sizeof(int) * B);
	int32_t *step_tok = malloc(sizeof(int32_t) * (P + B));
	const struct clm_gen_request **qs = malloc(sizeof(*qs) * B);
	int32_t **seqs = malloc(sizeof(*seqs) * B);
	int *lens = malloc(sizeof(int) * B), prefix_off[2] = { 0, q->n_prefix };

	if (!alive || !next || !fin || !cand || !logits || !rank || !seq_ids || !tok_off || !adapters ||
	    !step_tok || !qs || !seqs || !lens) {
		rc = clm_error_oom();
		goto out;
	}
	for (int i = 0; i < B && !rc; i++) {
		alive[i].toks = malloc(sizeof(int32_t) * P);
		next[i].toks = malloc(sizeof(int32_t) * P);
		if (!alive[i].toks || !next[i].toks)
			rc = clm_error_oom();
		else
			memcpy(alive[i].toks, q->prompt + q->n_prompt - kept, sizeof(int32_t) * kept);
		qs[i] = q;
		adapters[i] = q->adapter;
	}
	if (!rc && !c->no_cache)
		rc = clm_kv_cache_init(&kv, &m->cfg, 2 * B, q->n_prefix + kept + (limit > 0 ? limit : 1));
	if (!rc && limit < 1)
		goto finish;
	/* the prompt once, in slot 0 */
	tok_off[0] = 0;
	tok_off[1] = kept;
	seq_ids[0] = 0;
	if (!rc && c->no_cache) {
		seqs[0] = alive[0].toks;
		lens[0] = kept;
		rc = logits_uncached(m, 1, qs, seqs, lens, logits);
	} else if (!rc) {
		rc = clm_gpt_decode(m, &kv, 1, seq_ids, prefix_off, q->prefix_ids, tok_off, alive[0].toks, adapters,
				    logits);
	}
	while (!rc) {
		int nc = 0, nn = 0;
		for (int a = 0; a < na; a++) {
			const float *row = logits + (size_t)a * V;
			float mx = row[0];
			double sum = 0;
			for (int j = 1; j < V; j++)
				mx = row[j] > mx ? row[j] : mx;
			for (int j = 0; j < V; j++)
				sum += exp((double)(row[j] - mx));
			float lse = mx + (float)log(sum);
			for (int j = 0; j < V; j++)
				rank[j] = (struct ranked){ row[j], j };
			qsort(rank, V, sizeof(*rank), by_logit_desc);
			for (int j = 0; j < 2 * B && j < V; j++)
				cand[nc++] = (struct candidate){ alive[a].logp + rank[j].logit - lse, a, rank[j].tok };
		}
		qsort(cand, nc, sizeof(*cand), by_score_desc);
		for (int j = 0; j < nc && nn < B; j++) {
			const struct beam *from = &alive[cand[j].beam];
			if (is_stop(c, cand[j].tok)) {
				if (nfin < B) {
					fin[nfin].toks = malloc(sizeof(int32_t) * (kept + from->n + 1));
					if (!fin[nfin].toks) {
						rc = clm_error_oom();
						break;
					}
					memcpy(fin[nfin].toks, from->toks, sizeof(int32_t) * (kept + from->n));
					fin[nfin].n = from->n;
					fin[nfin].logp = penalised(c, cand[j].score, from->n + 1);
					nfin++;
				}
				continue;
			}
			struct beam *to = &next[nn++];
			memcpy(to->toks, from->toks, sizeof(int32_t) * (kept + from->n));
			to->toks[kept + from->n] = cand[j].tok;
			to->n = from->n + 1;
			to->logp = cand[j].score;
			to->slot = (1 - half) * B + (nn - 1);
			if (!c->no_cache)
				clm_kv_cache_copy(&kv, &m->cfg, to->slot, from->slot);
		}
		for (int i = 0; i < nn; i++) { /* swap so alive holds the successors */
			struct beam t = alive[i];
			alive[i] = next[i];
			next[i] = t;
		}
		na = nn;
		half = 1 - half;
		if (rc || nfin >= B || na == 0 || alive[0].n >= limit)
			break;
		for (int a = 0; a < na; a++) {
			seq_ids[a] = alive[a].slot;
			tok_off[a] = a;
			step_tok[a] = alive[a].toks[kept + alive[a].n - 1];
			seqs[a] = alive[a].toks;
			lens[a] = kept + alive[a].n;
		}
		tok_off[na] = na;
		if (c->no_cache)
			rc = logits_uncached(m, na, qs, seqs, lens, logits);
		else
			rc = clm_gpt_decode(m, &kv, na, seq_ids, NULL, NULL, tok_off, step_tok, adapters, logits);
	}
finish:
	/* alive beams at the cap compete with the finished ones */
	for (int a = 0; !rc && a < na && nfin < B; a++) {
		fin[nfin].toks = alive[a].toks;
		alive[a].toks = NULL;
		fin[nfin].n = alive[a].n;
		fin[nfin].logp = penalised(c, alive[a].logp, alive[a].n);
		nfin++;
	}
	if (!rc) {
		int best = 0;
		for (int i = 1; i < nfin; i++)
			best = fin[i].logp > fin[best].logp ? i : best;
		int n = nfin ? fin[best].n : 0;
		q->out = malloc(sizeof(int32_t) * (n + 1));
		if (!q->out)
			rc = clm_error_oom();
		else if (n)
			memcpy(q->out, fin[best].toks + kept, sizeof(int32_t) * n);
		q->n_out = q->out ? n : 0;
		q->score = nfin ? fin[best].logp : 0.0f;
	}
out:
	for (int i = 0; i < B && alive && next && fin; i++) {
		free(alive[i].toks);
		free(next[i].toks);
		free(fin[i].toks);
	}
	free(alive), free(next), free(fin), free(cand), free(logits), free(rank), free(seq_ids);
	free(tok_off), free(adapters), free(step_tok), free(qs), free(seqs), free(lens);
	clm_kv_cache_release(&kv);
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
