/* libcore/nn: training behaviour (memorisation, determinism, resume, frozen weights, LoRA
 * selection, weight decay, schedules), checkpoint tensor mapping and the pooled query vector. */
#include "test_helpers.h"
#include "nn/config.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "nn/tensormap.h"
#include "util/error.h"
#include "nn_reference.h"

static const struct clm_gpt_config small_cfg = { .n_layer = 2, .n_head = 4, .n_embd = 32, .n_positions = 32, .vocab_size = 16,
					       .layer_norm_epsilon = 1e-5f };

/* Four windows of a repetitive token stream. */
static void corpus_batch(struct clm_batch *b, int step)
{
	static const int32_t pattern[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 3, 5, 7 };
	int32_t seq[24];
	clm_batch_clear(b);
	for (int e = 0; e < 4; e++) {
		int start = (step * 5 + e * 3) % 12, len = 16 + e * 2;
		for (int i = 0; i < len; i++)
			seq[i] = pattern[(start + i) % 12];
		assert_int_equal(clm_batch_add(b, seq, len, NULL, NULL, 0, -1), 0);
	}
}

/* Train `steps` optimizer steps of `accum` micro-batches from the current state; losses may be NULL. */
static void train(struct clm_gpt *m, struct clm_adamw *o, int first, int steps, int accum, float *losses)
{
	struct clm_batch b = CLM_BATCH_INIT;
	for (int s = first; s < first + steps; s++) {
		float total = 0, loss;
		for (int k = 0; k < accum; k++) {
			corpus_batch(&b, s * accum + k);
			assert_int_equal(clm_gpt_forward_backward(m, &b, &loss), 0);
			total += loss;
		}
		assert_int_equal(clm_adamw_step(o, m, accum), 0);
		if (losses)
			losses[s - first] = total / accum;
	}
	clm_batch_release(&b);
}

static void train_config(struct clm_adamw_config *c)
{
	clm_adamw_defaults(c);
	c->lr = 3e-3f;
	c->warmup_steps = 10;
	c->total_steps = 300;
	c->schedule = CLM_LR_COSINE;
	c->min_lr_ratio = 0.1f;
}

static void memorises_a_repetitive_corpus(void **state)
{
	struct clm_gpt m;
	struct clm_adamw o;
	struct clm_adamw_config c;
	float losses[300];
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 1), 0);
	train_config(&c);
	clm_adamw_init(&o, &c);
	train(&m, &o, 0, 300, 1, losses);
	assert_true(losses[0] > 2.0f);
	assert_true(losses[299] < 0.05f);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

static void same_seed_gives_identical_losses(void **state)
{
	float a[20], b[20];
	(void)state;
	for (int run = 0; run < 2; run++) {
		struct clm_gpt m;
		struct clm_adamw o;
		struct clm_adamw_config c;
		assert_int_equal(clm_gpt_init(&m, &small_cfg, 42), 0);
		train_config(&c);
		clm_adamw_init(&o, &c);
		train(&m, &o, 0, 20, 1, run ? b : a);
		clm_adamw_release(&o);
		clm_gpt_release(&m);
	}
	assert_memory_equal(a, b, sizeof(a));
}

/* Stop after 6 of 12 steps, save model + optimizer to tensors, rebuild both, finish: same bytes. */
static void resume_equals_unbroken_run(void **state)
{
	struct clm_gpt full, half, resumed;
	struct clm_adamw of, oh, orr;
	struct clm_adamw_config c;
	struct clm_tensor_list saved = { 0 };
	(void)state;
	train_config(&c);
	c.clip_norm = 0.5f;
	assert_int_equal(clm_gpt_init(&full, &small_cfg, 3), 0);
	clm_adamw_init(&of, &c);
	train(&full, &of, 0, 12, 2, NULL);

	assert_int_equal(clm_gpt_init(&half, &small_cfg, 3), 0);
	clm_adamw_init(&oh, &c);
	train(&half, &oh, 0, 6, 2, NULL);
	assert_int_equal(clm_gpt_export(&half, CLM_EXPORT_ALL, &saved), 0);
	assert_int_equal(clm_adamw_save(&oh, &saved), 0);
	clm_adamw_release(&oh);
	clm_gpt_release(&half);

	assert_int_equal(clm_gpt_from_tensors(&resumed, &small_cfg, &saved), 0);
	clm_adamw_init(&orr, &c);
	assert_int_equal(clm_adamw_load(&orr, &saved), 0);
	assert_int_equal((int)orr.step, 6);
	train(&resumed, &orr, 6, 6, 2, NULL);
	for (size_t i = 0; i < full.n_params; i++)
		assert_memory_equal(full.params[i].w, resumed.params[i].w, full.params[i].n * sizeof(float));
	clm_tensor_list_release(&saved);
	clm_adamw_release(&of);
	clm_adamw_release(&orr);
	clm_gpt_release(&full);
	clm_gpt_release(&resumed);
}

/* A frozen backbone stays bit-identical while soft prompts and a LoRA set learn. */
static void frozen_weights_are_untouched(void **state)
{
	struct clm_gpt m;
	struct clm_adamw o;
	struct clm_adamw_config c;
	struct clm_tensor_list before = { 0 }, after = { 0 };
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t toks[] = { 1, 2, 3, 4, 5, 6 }, pre[] = { 0, 1 };
	float loss;
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 5), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 2, 6), 0);
	assert_int_equal(clm_gpt_add_lora(&m, 4, 8.0f, 7), 0);
	assert_true(clm_gpt_set_trainable(&m, "wte.", 0) == 1);
	assert_true(clm_gpt_set_trainable(&m, "wpe.", 0) == 1);
	assert_true(clm_gpt_set_trainable(&m, "h.", 0) == 2 * 12);
	assert_true(clm_gpt_set_trainable(&m, "ln_f.", 0) == 2);
	assert_int_equal(clm_gpt_export(&m, CLM_EXPORT_ALL, &before), 0);
	clm_adamw_defaults(&c);
	c.decay_all = 1;
	clm_adamw_init(&o, &c);
	assert_int_equal(clm_batch_add(&b, toks, 6, NULL, pre, 2, 0), 0);
	for (int s = 0; s < 3; s++) {
		assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
		assert_int_equal(clm_adamw_step(&o, &m, 1), 0);
	}
	assert_int_equal(clm_gpt_export(&m, CLM_EXPORT_ALL, &after), 0);
	for (size_t i = 0; i < before.n; i++) {
		const struct clm_named_tensor *x = &before.items[i], *y = clm_tensor_list_find(&after, x->name);
		int same = !memcmp(x->data, y->data, x->nbytes);
		int frozen = strncmp(x->name, "clm.", 4) != 0;
		if (strstr(x->name, ".alpha"))
			continue;
		if (frozen != same)
			fprintf(stderr, "%s: %s\n", x->name, same ? "unchanged" : "changed");
		assert_int_equal(frozen, same);
	}
	clm_batch_release(&b);
	clm_tensor_list_release(&before);
	clm_tensor_list_release(&after);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

/* A fresh LoRA set changes nothing (B = 0); after training, only examples that select it change. */
static void lora_is_selected_per_example(void **state)
{
	struct clm_gpt m;
	struct clm_adamw o;
	struct clm_adamw_config c;
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t toks[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	float per0[2], per1[2], per2[2], loss;
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 8), 0);
	assert_int_equal(clm_batch_add(&b, toks, 8, NULL, NULL, 0, -1), 0);
	assert_int_equal(clm_batch_add(&b, toks, 8, NULL, NULL, 0, 0), 0);
	assert_int_equal(clm_gpt_add_lora(&m, 2, 2.0f, 9), 0);
	assert_int_equal(clm_gpt_loss(&m, &b, &loss, NULL, per0), 0);
	/* rows in different places of one sgemm may round differently, hence a tolerance */
	assert_true(fabsf(per0[0] - per0[1]) <= 1e-6f * per0[0]);
	clm_gpt_set_trainable(&m, "", 0);
	clm_gpt_set_trainable(&m, "clm.lora.0.", 1);
	clm_adamw_defaults(&c);
	c.lr = 1e-2f;
	clm_adamw_init(&o, &c);
	clm_batch_clear(&b);
	assert_int_equal(clm_batch_add(&b, toks, 8, NULL, NULL, 0, 0), 0);
	for (int s = 0; s < 5; s++) {
		assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
		assert_int_equal(clm_adamw_step(&o, &m, 1), 0);
	}
	clm_batch_clear(&b);
	assert_int_equal(clm_batch_add(&b, toks, 8, NULL, NULL, 0, -1), 0);
	assert_int_equal(clm_batch_add(&b, toks, 8, NULL, NULL, 0, 0), 0);
	assert_int_equal(clm_gpt_loss(&m, &b, &loss, NULL, per1), 0);
	assert_true(per1[0] == per0[0]);
	assert_true(per1[1] < per0[1] - 0.1f);
	/* a second set leaves the first one's examples alone */
	assert_int_equal(clm_gpt_add_lora(&m, 3, 3.0f, 10), 1);
	assert_int_equal(clm_gpt_loss(&m, &b, &loss, NULL, per2), 0);
	assert_true(per2[1] == per1[1]);
	clm_batch_release(&b);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

/* With a zero gradient Adam moves nothing, so only decoupled decay acts: on matrices only. */
static void weight_decay_skips_biases_norms_embeddings(void **state)
{
	struct clm_gpt m;
	struct clm_adamw o;
	struct clm_adamw_config c;
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 11), 0);
	struct clm_tensor_list before = { 0 };
	clm_gpt_export(&m, CLM_EXPORT_ALL, &before);
	clm_adamw_defaults(&c);
	c.lr = 0.1f;
	c.weight_decay = 0.5f;
	clm_adamw_init(&o, &c);
	assert_int_equal(clm_gpt_ensure_grads(&m), 0);
	assert_int_equal(clm_adamw_step(&o, &m, 1), 0);
	for (size_t i = 0; i < m.n_params; i++) {
		const float *w0 = before.items[i].data;
		float expect = m.params[i].decay ? 0.95f : 1.0f;
		for (size_t j = 0; j < m.params[i].n; j += 7)
			assert_true(m.params[i].w[j] == w0[j] * expect);
	}
	assert_true(m.params[clm_gpt_param(&m, "h.0.attn.c_attn.weight") - m.params].decay);
	assert_false(clm_gpt_param(&m, "h.0.attn.c_attn.bias")->decay);
	assert_false(clm_gpt_param(&m, "wte.weight")->decay);
	assert_false(clm_gpt_param(&m, "h.1.ln_2.weight")->decay);
	clm_tensor_list_release(&before);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

static void schedules_and_clipping(void **state)
{
	struct clm_adamw_config c;
	(void)state;
	clm_adamw_defaults(&c);
	c.lr = 1.0f;
	c.warmup_steps = 4;
	c.total_steps = 14;
	c.schedule = CLM_LR_COSINE;
	c.min_lr_ratio = 0.1f;
	assert_true(fabsf(clm_adamw_lr_at(&c, 0) - 0.25f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 3) - 1.0f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 4) - 1.0f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 9) - 0.55f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 14) - 0.1f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 100) - 0.1f) < 1e-6f);
	c.schedule = CLM_LR_LINEAR;
	assert_true(fabsf(clm_adamw_lr_at(&c, 9) - 0.55f) < 1e-6f);
	assert_true(fabsf(clm_adamw_lr_at(&c, 6) - 0.82f) < 1e-6f);

	/* a huge gradient is clipped: the reported norm is before clipping, the step stays bounded */
	struct clm_gpt m;
	struct clm_adamw o;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 12), 0);
	clm_adamw_defaults(&c);
	clm_adamw_init(&o, &c);
	assert_null(m.params[0].g); /* allocated on demand */
	assert_int_equal(clm_gpt_ensure_grads(&m), 0);
	for (size_t j = 0; j < m.params[0].n; j++)
		m.params[0].g[j] = 1000.0f;
	assert_int_equal(clm_adamw_step(&o, &m, 2), 0);
	assert_true(fabsf(o.last_grad_norm - 500.0f * sqrtf((float)m.params[0].n)) < 1.0f);
	m.params[1].g[0] = NAN;
	assert_int_equal(clm_adamw_step(&o, &m, 1), CLM_EINVALID);
	assert_true(m.params[1].g[0] == 0.0f);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

static void tensors_round_trip_with_hf_names(void **state)
{
	struct clm_gpt m, back;
	struct clm_tensor_list l = { 0 }, hf = { 0 };
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t toks[] = { 1, 2, 3, 4 }, pre[] = { 1 };
	float *la, *lb;
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 13), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 3, 1), 0);
	assert_int_equal(clm_gpt_add_lora(&m, 2, 5.0f, 2), 0);
	m.params[m.n_params - 1].w[0] = 0.5f; /* a non-zero B so the set matters */
	assert_int_equal(clm_gpt_export(&m, CLM_EXPORT_ALL, &l), 0);
	const struct clm_named_tensor *qkv = clm_tensor_list_find(&l, "h.1.attn.c_attn.weight");
	assert_non_null(qkv);
	assert_true(qkv->ndim == 2 && qkv->shape[0] == 32 && qkv->shape[1] == 96);
	assert_non_null(clm_tensor_list_find(&l, "ln_f.bias"));
	assert_non_null(clm_tensor_list_find(&l, "clm.lora.0.h.1.mlp.c_proj.A"));
	assert_non_null(clm_tensor_list_find(&l, "clm.lora.0.alpha"));
	assert_int_equal(clm_gpt_from_tensors(&back, &small_cfg, &l), 0);
	assert_int_equal(back.n_params, m.n_params);
	assert_int_equal(back.n_lora, 1);
	assert_true(back.lora[0].alpha == 5.0f && back.lora[0].rank == 2);
	for (size_t i = 0; i < m.n_params; i++)
		assert_memory_equal(m.params[i].w, back.params[i].w, m.params[i].n * sizeof(float));
	assert_int_equal(clm_batch_add(&b, toks, 4, NULL, pre, 1, 0), 0);
	assert_int_equal(clm_gpt_logits(&m, &b, &la), 0);
	assert_int_equal(clm_gpt_logits(&back, &b, &lb), 0);
	assert_memory_equal(la, lb, 4 * 16 * sizeof(float));
	free(la), free(lb);
	clm_gpt_release(&back);

	/* GPT2LMHeadModel naming: "transformer." prefix, mask buffers and a tied lm_head */
	for (size_t i = 0; i < l.n; i++) {
		const struct clm_named_tensor *t = &l.items[i];
		char name[160];
		if (!strncmp(t->name, "clm.", 4))
			continue;
		snprintf(name, sizeof(name), "transformer.%s", t->name);
		clm_tensor_list_add(&hf, name, t->dtype, t->ndim, t->shape, t->data, t->nbytes);
	}
	int64_t mshape[4] = { 1, 1, 32, 32 };
	float *mask = calloc(32 * 32, sizeof(float));
	clm_tensor_list_add(&hf, "transformer.h.0.attn.bias", CLM_DTYPE_F32, 4, mshape, mask, 32 * 32 * 4);
	free(mask);
	assert_int_equal(clm_gpt_from_tensors(&back, &small_cfg, &hf), 0);
	assert_memory_equal(back.params[5].w, m.params[5].w, m.params[5].n * sizeof(float));
	clm_gpt_release(&back);
	/* a missing tensor is named */
	free(hf.items[3].name);
	hf.items[3].name = strdup("transformer.h.0.renamed");
	assert_int_equal(clm_gpt_from_tensors(&back, &small_cfg, &hf), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "renamed"));
	clm_tensor_list_release(&hf);
	clm_tensor_list_release(&l);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

/* The query vector is the mean of the frozen model's final hidden states over source tokens. */
static void pooled_hidden_matches_reference(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t src[] = { 5, 6, 7 }, tgt[] = { 8, 9 }, pre[] = { 0 };
	float out[2 * 32];
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 14), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 1, 1), 0);
	assert_int_equal(clm_batch_add_pair(&b, src, 3, tgt, 2, pre, 1, -1, 32), 0);
	assert_int_equal(clm_batch_add(&b, tgt, 2, NULL, NULL, 0, -1), 0);
	assert_int_equal(clm_gpt_pooled_hidden(&m, &b, out), 0);
	double **p = ref_params(&m);
	for (int e = 0; e < 2; e++) {
		int L, n = e == 0 ? 3 : 2;
		double *h = ref_hidden(&m, p, &b, e, 0, &L);
		for (int c = 0; c < 32; c++) {
			double s = 0;
			for (int i = 0; i < n; i++)
				s += h[i * 32 + c];
			assert_true(fabs(s / n - out[e * 32 + c]) < 1e-4);
		}
		free(h);
	}
	ref_params_free(&m, p);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

/* Growing the prompt table keeps trained rows and their optimizer moments; new rows start fresh. */
static void prompt_table_grows_during_training(void **state)
{
	struct clm_gpt m, other;
	struct clm_adamw o;
	struct clm_adamw_config c;
	struct clm_batch b = CLM_BATCH_INIT;
	struct clm_tensor_list saved = { 0 };
	int32_t toks[] = { 1, 2, 3, 4, 5 }, pre[] = { 0, 1, 2 };
	float loss;
	(void)state;
	assert_int_equal(clm_gpt_init(&m, &small_cfg, 15), 0);
	clm_gpt_set_trainable(&m, "", 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 2, 1), 0);
	clm_adamw_defaults(&c);
	clm_adamw_init(&o, &c);
	assert_int_equal(clm_batch_add(&b, toks, 5, NULL, pre, 2, -1), 0);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	assert_int_equal(clm_adamw_step(&o, &m, 1), 0);
	float row1 = m.params[m.prompt_param].w[32];
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 3, 2), 0);
	assert_true(m.params[m.prompt_param].w[32] == row1);
	clm_batch_clear(&b);
	assert_int_equal(clm_batch_add(&b, toks, 5, NULL, pre, 3, -1), 0);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	assert_int_equal(clm_adamw_step(&o, &m, 1), 0);
	assert_int_equal(clm_adamw_save(&o, &saved), 0);
	const struct clm_named_tensor *mo = clm_tensor_list_find(&saved, "clm.optim.m.clm.prompt.weight");
	assert_non_null(mo);
	assert_int_equal(mo->nbytes, 3 * 32 * sizeof(float));
	assert_null(clm_tensor_list_find(&saved, "clm.optim.m.wte.weight"));
	/* loading the prompt table into a model without one creates it */
	assert_int_equal(clm_gpt_export(&m, CLM_EXPORT_PROMPT, &saved), 0);
	assert_int_equal(clm_gpt_init(&other, &small_cfg, 16), 0);
	assert_int_equal(clm_gpt_load_tensors(&other, &saved), 0);
	assert_int_equal(other.n_prompt_rows, 3);
	assert_memory_equal(other.params[other.prompt_param].w, m.params[m.prompt_param].w, 3 * 32 * sizeof(float));
	clm_gpt_release(&other);
	clm_tensor_list_release(&saved);
	clm_batch_release(&b);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
}

static void config_json_round_trip(void **state)
{
	struct clm_gpt_config c, back;
	(void)state;
	assert_int_equal(clm_gpt_config_named("small", 0, &c), 0);
	assert_int_equal(c.n_layer, 4);
	assert_int_equal(c.n_embd, 256);
	assert_int_equal(c.vocab_size, 4096);
	assert_true(clm_gpt_config_param_count(&c) == 4240896);
	assert_int_equal(clm_gpt_config_named("tiny", 1234, &c), 0);
	assert_int_equal(c.vocab_size, 1234);
	assert_int_equal(clm_gpt_config_named("huge", 0, &c), CLM_ENOTFOUND);
	json_t *j = clm_gpt_config_to_json(&c);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "model_type")), "gpt2");
	assert_int_equal(clm_gpt_config_from_json(j, &back), 0);
	assert_memory_equal(&c, &back, sizeof(c));
	json_object_set_new(j, "n_head", json_integer(5));
	assert_int_equal(clm_gpt_config_from_json(j, &back), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "divide"));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(memorises_a_repetitive_corpus),
		cmocka_unit_test(same_seed_gives_identical_losses),
		cmocka_unit_test(resume_equals_unbroken_run),
		cmocka_unit_test(frozen_weights_are_untouched),
		cmocka_unit_test(lora_is_selected_per_example),
		cmocka_unit_test(weight_decay_skips_biases_norms_embeddings),
		cmocka_unit_test(schedules_and_clipping),
		cmocka_unit_test(tensors_round_trip_with_hf_names),
		cmocka_unit_test(pooled_hidden_matches_reference),
		cmocka_unit_test(prompt_table_grows_during_training),
		cmocka_unit_test(config_json_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
