#include "cl/trainer.h"
#include "cl/budget.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

void clm_cl_train_defaults(struct clm_cl_train_config *c)
{
	memset(c, 0, sizeof(*c));
	c->steps = 100;
	c->batch_size = 8;
	clm_adamw_defaults(&c->adamw);
	c->adamw.lr = 1e-3f;
	c->frozen_lr = 1e-2f;
	c->max_new_tokens = 64;
	c->eval_batch = 8;
}

/* Token ids of one example: source (cut from the left) + sep, and target (cut) + eos. */
struct encoded {
	int32_t *src, *tgt;
	size_t nsrc, ntgt;
};

static void encoded_release(struct encoded *e)
{
	free(e->src);
	free(e->tgt);
	memset(e, 0, sizeof(*e));
}

static int push(int32_t **ids, size_t *n, int32_t id)
{
	int32_t *g = realloc(*ids, (*n + 1) * sizeof(*g));

	if (!g)
		return clm_error_oom();
	g[(*n)++] = id;
	*ids = g;
	return 0;
}

/* Token ids of one example fitted to `room` positions (cl/budget.h): the source, cut for its
 * kind, then sep; the target, cut at its end, then eos. With `gen` the target is generated, so
 * only the room its `gen` new tokens need is kept free and e->tgt holds just eos. */
static int encode_example(struct clm_text_codec *c, const struct clm_example *ex, size_t room, size_t gen,
			  struct encoded *e)
{
	size_t keep_src, keep_tgt, ntgt, cut = 0;
	int rc;

	memset(e, 0, sizeof(*e));
	rc = gen ? 0 : c->encode(c->ctx, ex->target, strlen(ex->target), &e->tgt, &e->ntgt);
	ntgt = gen ? gen : e->ntgt;
	if (c->max_target > 0 && ntgt > (size_t)c->max_target)
		ntgt = (size_t)c->max_target;
	if (!rc)
		rc = c->encode(c->ctx, ex->source, strlen(ex->source), &e->src, &e->nsrc);
	if (!rc) {
		size_t nsrc = c->max_source > 0 && e->nsrc > (size_t)c->max_source ? (size_t)c->max_source : e->nsrc;
		/* sep and eos (generation: sep only) take a position each */
		clm_budget_split(room - (gen ? 1 : 2), nsrc, ntgt, &keep_src, &keep_tgt);
		if (!gen && e->ntgt > keep_tgt) {
			cut += e->ntgt - keep_tgt;
			e->ntgt = keep_tgt;
		}
	}
	if (!rc && e->nsrc > keep_src) {
		size_t lost;
		free(e->src);
		e->src = NULL;
		e->nsrc = 0;
		rc = clm_budget_encode(c, ex->source, strlen(ex->source), ex->kind, CLM_BUDGET_NO_FOCUS, keep_src,
				       &e->src, &e->nsrc, &lost);
		cut += lost;
	}
	if (!rc)
		rc = push(&e->src, &e->nsrc, c->sep);
	if (!rc)
		rc = push(&e->tgt, &e->ntgt, c->eos);
	if (!rc && cut) {
		c->fitted++;
		c->fitted_tokens += (long)cut;
	}
	if (rc)
		encoded_release(e);
	return rc;
}

static int add_encoded(struct clm_batch *b, const struct encoded *e, const struct clm_cl_route *r, int max_positions)
{
	int rc = clm_batch_add_pair(b, e->src, (int)e->nsrc, e->tgt, (int)e->ntgt, r ? r->prefix : NULL,
				    r ? r->n_prefix : 0, r ? r->adapter : -1, max_positions);
	return rc < 0 ? rc : 0;
}

struct encoder_ctx {
	struct clm_text_codec *codec;
	int max_positions;
	size_t room;
};

static int encode_for_strategy(void *ctx, const struct clm_example *ex, struct clm_batch *out)
{
	struct encoder_ctx *c = ctx;
	struct encoded e;
	int rc = encode_example(c->codec, ex, c->room, 0, &e);

	if (!rc)
		rc = add_encoded(out, &e, NULL, c->max_positions);
	encoded_release(&e);
	return rc;
}

/* One training step's batch: compose, encode, route, build the routed batch. */
static int build_step(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		      const struct clm_dataset *train, int n, struct clm_cl_item *items, struct encoded *enc,
		      struct clm_cl_route *routes, struct clm_batch *bare, struct clm_batch *real)
{
	int max_pos = m->cfg.n_positions, rc;
	size_t room = (size_t)clm_budget_room(s, m);

	clm_batch_clear(bare);
	clm_batch_clear(real);
	if ((rc = clm_strategy_compose(s, train, items, (size_t)n)) < 0)
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		encoded_release(&enc[i]);
		rc = encode_example(codec, items[i].ex, room, 0, &enc[i]);
		if (!rc)
			rc = add_encoded(bare, &enc[i], NULL, max_pos);
	}
	if (!rc)
		rc = clm_strategy_route(s, m, items, bare, CLM_ROUTE_TRAIN, routes);
	for (int i = 0; i < n && !rc; i++)
		rc = add_encoded(real, &enc[i], &routes[i], max_pos);
	return rc;
}

int clm_cl_train_task(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		      const char *task, const struct clm_dataset *train, const struct clm_cl_train_config *c,
		      struct clm_progress *progress, struct clm_cl_train_stats *stats)
{
	int n = c->batch_size, window = c->steps / 10 > 0 ? c->steps / 10 : 1, rc;
	struct clm_cl_item *items = calloc((size_t)n, sizeof(*items));
	struct clm_cl_route *routes = calloc((size_t)n, sizeof(*routes));
	struct encoded *enc = calloc((size_t)n, sizeof(*enc));
	struct clm_batch bare = CLM_BATCH_INIT, real = CLM_BATCH_INIT;
	struct encoder_ctx ectx = { codec, m->cfg.n_positions, (size_t)clm_budget_room(s, m) };
	struct clm_adamw_config ac = c->adamw;
	struct clm_adamw opt;
	double start = clm_now();

	memset(stats, 0, sizeof(*stats));
	if (s->ops->frozen_backbone && c->frozen_lr > 0)
		ac.lr = c->frozen_lr;
	clm_adamw_init(&opt, &ac);
	rc = (!items || !routes || !enc) ? clm_error_oom() : 0;
	if (!rc && (n < 1 || c->steps < 0))
		rc = clm_error_set(CLM_EINVALID, "batch size must be positive and steps not negative");
	if (!rc)
		rc = clm_strategy_begin_task(s, m, task, train);
	if (!rc && !train->n)
		rc = clm_error_set(CLM_EINVALID, "task %s has no training examples", task);
	for (int step = 0; step < c->steps && !rc; step++) {
		float loss = 0;
		rc = build_step(s, m, codec, train, n, items, enc, routes, &bare, &real);
		if (!rc) {
			clm_gpt_zero_grad(m);
			rc = clm_gpt_forward_backward(m, &real, &loss);
		}
		for (int i = 0; !rc && i < real.n; i++)
			stats->tokens += clm_batch_len(&real, i) + clm_batch_prefix_len(&real, i);
		if (!rc && step < window)
			stats->first_loss += loss / window;
		if (!rc && step >= c->steps - window)
			stats->last_loss += loss / window;
		if (!rc)
			rc = clm_strategy_extra_loss(s, m, &loss);
		if (!rc)
			rc = clm_adamw_step(&opt, m, 1);
		if (!rc && progress)
			clm_progress_update(progress, progress->done + 1, "%s loss %.3f", task, loss);
	}
	if (!rc) {
		s->encoder = (struct clm_cl_encoder){ encode_for_strategy, &ectx };
		rc = clm_strategy_end_task(s, m, train);
		s->encoder = (struct clm_cl_encoder){ NULL, NULL };
	}
	stats->seconds = clm_now() - start;
	for (int i = 0; enc && i < n; i++)
		encoded_release(&enc[i]);
	free(items), free(routes), free(enc);
	clm_batch_release(&bare);
	clm_batch_release(&real);
	clm_adamw_release(&opt);
	return rc;
}

void clm_cl_free_preds(char **preds, size_t n)
{
	for (size_t i = 0; preds && i < n; i++)
		free(preds[i]);
	free(preds);
}

/* Generate for examples [from, to) of ds into preds. */
static int predict_chunk(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
			 const struct clm_dataset *ds, size_t from, size_t to, size_t task, enum clm_route_mode mode,
			 const struct clm_gen_config *gc, char **preds, double *logprob)
{
	size_t n = to - from;
	struct clm_cl_item *items = calloc(n, sizeof(*items));
	struct clm_cl_route *routes = calloc(n, sizeof(*routes));
	struct clm_gen_request *reqs = calloc(n, sizeof(*reqs));
	struct encoded *enc = calloc(n, sizeof(*enc));
	struct clm_batch bare = CLM_BATCH_INIT;
	size_t room = (size_t)clm_budget_room(s, m), gen = gc->max_new_tokens > 0 ? (size_t)gc->max_new_tokens : 1;
	int rc = (!items || !routes || !reqs || !enc) ? clm_error_oom() : 0;

	/* The source is fitted so that prefix + prompt + sep + output fit the context. */
	for (size_t i = 0; i < n && !rc; i++) {
		items[i] = (struct clm_cl_item){ &ds->items[from + i], task };
		rc = encode_example(codec, items[i].ex, room, gen, &enc[i]);
		if (!rc)
			rc = clm_batch_add(&bare, enc[i].src, (int)enc[i].nsrc, NULL, NULL, 0, -1);
	}
	if (!rc)
		rc = clm_strategy_route(s, m, items, &bare, mode, routes);
	for (size_t i = 0; i < n && !rc; i++)
		reqs[i] = (struct clm_gen_request){ .prompt = enc[i].src, .n_prompt = (int)enc[i].nsrc,
						    .prefix_ids = routes[i].prefix, .n_prefix = routes[i].n_prefix,
						    .adapter = routes[i].adapter };
	if (!rc)
		rc = clm_generate(m, gc, reqs, (int)n);
	for (size_t i = 0; i < n && !rc; i++) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		rc = codec->decode(codec->ctx, reqs[i].out, (size_t)reqs[i].n_out, &sb);
		preds[from + i] = clm_strbuf_detach(&sb, NULL);
		if (logprob)
			logprob[from + i] = reqs[i].n_out ? (double)reqs[i].score / reqs[i].n_out : 0;
		if (!rc && !preds[from + i])
			rc = clm_error_oom();
	}
	for (size_t i = 0; reqs && i < n; i++)
		free(reqs[i].out);
	for (size_t i = 0; enc && i < n; i++)
		encoded_release(&enc[i]);
	free(items), free(routes), free(reqs), free(enc);
	clm_batch_release(&bare);
	return rc;
}

int clm_cl_predict_with(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
			const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
			const struct clm_gen_config *gc, size_t chunk, char ***preds, double *logprob)
{
	int rc = 0;

	if (!chunk)
		chunk = 1;
	*preds = calloc(ds->n ? ds->n : 1, sizeof(char *));
	if (!*preds)
		return clm_error_oom();
	for (size_t i = 0; i < ds->n && !rc; i += chunk)
		rc = predict_chunk(s, m, codec, ds, i, i + chunk < ds->n ? i + chunk : ds->n, task, mode, gc, *preds,
				   logprob);
	if (rc) {
		clm_cl_free_preds(*preds, ds->n);
		*preds = NULL;
	}
	return rc;
}

int clm_cl_predict(struct clm_strategy *s, struct clm_gpt *m, struct clm_text_codec *codec,
		   const struct clm_dataset *ds, size_t task, enum clm_route_mode mode,
		   const struct clm_cl_train_config *c, char ***preds)
{
	struct clm_gen_config gc;

	clm_gen_defaults(&gc);
	gc.max_new_tokens = c->max_new_tokens;
	gc.temperature = 0;
	gc.stop = &codec->eos;
	gc.n_stop = 1;
	return clm_cl_predict_with(s, m, codec, ds, task, mode, &gc, c->eval_batch > 0 ? (size_t)c->eval_batch : 1,
				   preds, NULL);
}
