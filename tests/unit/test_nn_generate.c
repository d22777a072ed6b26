/* libcore/nn/generate: cached decoding gives exactly the tokens of uncached decoding (greedy,
 * sampling, beam search; with soft prompts and LoRA), stop tokens, the length cap, seeds. */
#include "test_helpers.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/rng.h"
#include "util/error.h"

#include <math.h>

static const struct clm_gpt_config cfg = { .n_layer = 2, .n_head = 4, .n_embd = 32, .n_positions = 48, .vocab_size = 40,
					       .layer_norm_epsilon = 1e-5f };

/* A random model with large enough weights that distributions are far from uniform. */
static void model(struct clm_gpt *m)
{
	struct clm_rng r;
	assert_int_equal(clm_gpt_init(m, &cfg, 21), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(m, 4, 22), 0);
	assert_int_equal(clm_gpt_add_lora(m, 2, 2.0f, 23), 0);
	clm_rng_seed(&r, 24);
	for (size_t i = 0; i < m->n_params; i++)
		for (size_t j = 0; j < m->params[i].n; j++)
			m->params[i].w[j] += (float)(0.15 * clm_rng_normal(&r));
}

static const int32_t p0[] = { 1, 2, 3 }, p1[] = { 7, 7, 8, 9, 10, 11, 3 }, p2[] = { 30 };
static const int32_t pre[] = { 3, 1 };

static void requests(struct clm_gen_request *q)
{
	memset(q, 0, 3 * sizeof(*q));
	q[0] = (struct clm_gen_request){ .prompt = p0, .n_prompt = 3, .adapter = -1 };
	q[1] = (struct clm_gen_request){ .prompt = p1, .n_prompt = 7, .prefix_ids = pre, .n_prefix = 2, .adapter = 0 };
	q[2] = (struct clm_gen_request){ .prompt = p2, .n_prompt = 1, .adapter = 0 };
}

static void free_requests(struct clm_gen_request *q, int n)
{
	for (int i = 0; i < n; i++)
		free(q[i].out);
}

/* Generate the three requests with and without the cache; outputs must be identical. */
static void cached_matches_uncached(struct clm_gpt *m, struct clm_gen_config *c)
{
	struct clm_gen_request a[3], b[3];
	requests(a);
	requests(b);
	c->no_cache = 0;
	assert_int_equal(clm_generate(m, c, a, 3), 0);
	c->no_cache = 1;
	assert_int_equal(clm_generate(m, c, b, 3), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(a[i].n_out, b[i].n_out);
		assert_true(a[i].n_out > 0);
		assert_memory_equal(a[i].out, b[i].out, sizeof(int32_t) * a[i].n_out);
		assert_true(fabsf(a[i].score - b[i].score) < 1e-3f);
	}
	free_requests(a, 3);
	free_requests(b, 3);
}

static void greedy_cached_equals_uncached(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 30;
	cached_matches_uncached(&m, &c);
	clm_gpt_release(&m);
}

static void sampling_cached_equals_uncached(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 25;
	c.temperature = 0.9f;
	c.top_k = 12;
	c.top_p = 0.9f;
	c.seed = 77;
	cached_matches_uncached(&m, &c);
	c.top_k = 0;
	c.top_p = 1.0f;
	c.temperature = 1.5f;
	cached_matches_uncached(&m, &c);
	clm_gpt_release(&m);
}

static void beam_cached_equals_uncached(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	int32_t stop = 5;
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 12;
	c.beam_width = 3;
	c.length_penalty = 0.8f;
	c.stop = &stop;
	c.n_stop = 1;
	cached_matches_uncached(&m, &c);
	clm_gpt_release(&m);
}

/* One request alone gives the same tokens as inside a batch. */
static void batched_equals_single(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	struct clm_gen_request all[3], one[3];
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 20;
	requests(all);
	requests(one);
	assert_int_equal(clm_generate(&m, &c, all, 3), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(clm_generate(&m, &c, &one[i], 1), 0);
		assert_int_equal(one[i].n_out, all[i].n_out);
		assert_memory_equal(one[i].out, all[i].out, sizeof(int32_t) * one[i].n_out);
	}
	free_requests(all, 3);
	free_requests(one, 3);
	clm_gpt_release(&m);
}

/* The decode step's logits equal the training forward's (different code paths, same maths). */
static void decode_logits_match_forward(void **state)
{
	struct clm_gpt m;
	struct clm_kv_cache kv;
	struct clm_batch b = CLM_BATCH_INIT;
	int seq[1] = { 0 }, tok_off[2] = { 0, 7 }, pre_off[2] = { 0, 2 }, adapter = 0;
	float step[40], *full;
	(void)state;
	model(&m);
	m.params[m.n_params - 1].w[3] = 0.7f; /* non-zero LoRA B */
	assert_int_equal(clm_kv_cache_init(&kv, &cfg, 1, 48), 0);
	assert_int_equal(clm_gpt_decode(&m, &kv, 1, seq, pre_off, pre, tok_off, p1, &adapter, step), 0);
	assert_int_equal(kv.len[0], 9);
	assert_int_equal(clm_batch_add(&b, p1, 7, NULL, pre, 2, 0), 0);
	assert_int_equal(clm_gpt_logits(&m, &b, &full), 0);
	for (int v = 0; v < 40; v++)
		assert_true(fabsf(step[v] - full[6 * 40 + v]) < 1e-4f * (1 + fabsf(step[v])));
	free(full);
	clm_batch_release(&b);
	clm_kv_cache_release(&kv);
	clm_gpt_release(&m);
}

static void stop_tokens_and_length_cap(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	struct clm_gen_request q[3];
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 6;
	requests(q);
	assert_int_equal(clm_generate(&m, &c, q, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(q[i].n_out, 6);
	/* stop at the third token of request 0: it is cut there (and not included) */
	int32_t stop = q[0].out[2];
	int first = 0;
	while (q[0].out[first] != stop)
		first++;
	free_requests(q, 3);
	c.stop = &stop;
	c.n_stop = 1;
	c.max_new_tokens = 40;
	requests(q);
	assert_int_equal(clm_generate(&m, &c, q, 1), 0);
	assert_int_equal(q[0].n_out, first);
	free_requests(q, 1);
	/* the context bounds generation: 48 positions, 7 prompt + 2 prefix */
	c.n_stop = 0;
	c.max_new_tokens = 1000;
	requests(q);
	assert_int_equal(clm_generate(&m, &c, &q[1], 1), 0);
	assert_int_equal(q[1].n_out, 48 - 9);
	free_requests(&q[1], 1);
	clm_gpt_release(&m);
}

static void seeds_reproduce(void **state)
{
	struct clm_gpt m;
	struct clm_gen_config c;
	struct clm_gen_request a[3], b[3], d[3];
	(void)state;
	model(&m);
	clm_gen_defaults(&c);
	c.max_new_tokens = 20;
	c.temperature = 2.0f;
	c.seed = 5;
	requests(a), requests(b), requests(d);
	assert_int_equal(clm_generate(&m, &c, a, 3), 0);
	assert_int_equal(clm_generate(&m, &c, b, 3), 0);
	c.seed = 6;
	assert_int_equal(clm_generate(&m, &c, d, 3), 0);
	int differs = 0;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(a[i].n_out, b[i].n_out);
		assert_memory_equal(a[i].out, b[i].out, sizeof(int32_t) * a[i].n_out);
		differs |= a[i].n_out != d[i].n_out || memcmp(a[i].out, d[i].out, sizeof(int32_t) * a[i].n_out);
	}
	assert_true(differs);
	free_requests(a, 3), free_requests(b, 3), free_requests(d, 3);
	/* bad input is refused with a message */
	struct clm_gen_request bad = { .prompt = p0, .n_prompt = 0, .adapter = -1 };
	assert_int_equal(clm_generate(&m, &c, &bad, 1), CLM_EINVALID);
	bad.n_prompt = 1;
	bad.adapter = 3;
	assert_int_equal(clm_generate(&m, &c, &bad, 1), CLM_EINVALID);
	assert_null(bad.out);
	clm_gpt_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(greedy_cached_equals_uncached),
		cmocka_unit_test(sampling_cached_equals_uncached),
		cmocka_unit_test(beam_cached_equals_uncached),
		cmocka_unit_test(batched_equals_single),
		cmocka_unit_test(decode_logits_match_forward),
		cmocka_unit_test(stop_tokens_and_length_cap),
		cmocka_unit_test(seeds_reproduce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
