/* libcore/cl: each strategy trains two tiny tasks on a tiny model and shows its defining property;
 * every strategy's state survives a save/load round trip. Text is encoded as bytes. */
#include "test_helpers.h"
#include "cl/byte_codec.h"
#include "cl/strategy.h"
#include "cl/trainer.h"
#include "nn/config.h"
#include "nn/model.h"
#include "util/error.h"
#include "util/json.h"

#include <math.h>

static struct clm_text_codec codec;

/* Task "upper": lowercase word -> uppercase; task "rev": word -> reversed. */
static void make_task(struct clm_dataset *ds, const char *task, int n)
{
	for (int i = 0; i < n; i++) {
		char src[8], tgt[8], id[17];
		for (int j = 0; j < 5; j++)
			src[j] = (char)('a' + (i * 7 + j * 3 + (int)strlen(task)) % 26);
		src[5] = 0;
		for (int j = 0; j < 5; j++)
			tgt[j] = task[0] == 'u' ? (char)(src[j] - 32) : src[4 - j];
		tgt[5] = 0;
		clm_example_content_id(task, src, tgt, id);
		assert_int_equal(clm_dataset_add(ds, id, task, CLM_KIND_REFINE, "text", src, tgt, NULL), 0);
	}
}

struct fixture {
	struct clm_gpt m;
	struct clm_dataset t1, t2;
	struct clm_cl_train_config tc;
	struct clm_cl_params params;
};

static void fixture_init(struct fixture *f)
{
	struct clm_gpt_config cfg = { .n_layer = 1, .n_head = 2, .n_embd = 16, .n_positions = 48, .vocab_size = 258,
					       .layer_norm_epsilon = 1e-5f };
	memset(f, 0, sizeof(*f));
	clm_byte_codec(&codec);
	codec.max_source = codec.max_target = 12;
	assert_int_equal(clm_gpt_init(&f->m, &cfg, 42), 0);
	make_task(&f->t1, "upper", 24);
	make_task(&f->t2, "rev", 24);
	clm_cl_train_defaults(&f->tc);
	f->tc.steps = 4;
	f->tc.batch_size = 4;
	f->tc.max_new_tokens = 6;
	f->tc.adamw.lr = 1e-2f;
	clm_cl_params_defaults(&f->params);
	f->params.replay_size = 6;
	f->params.replay_ratio = 0.5;
	f->params.fisher_samples = 4;
	f->params.lora_rank = 2;
	f->params.prompt_len = 3;
	f->params.pool_size = 6;
	f->params.pool_prompt_len = 2;
	f->params.top_k = 4;
	f->params.pptf_shared = 1;
	f->params.planned_tasks = 2;
}

static void fixture_release(struct fixture *f)
{
	clm_gpt_release(&f->m);
	clm_dataset_release(&f->t1);
	clm_dataset_release(&f->t2);
}

static void train(struct fixture *f, struct clm_strategy *s, const char *task, const struct clm_dataset *ds)
{
	struct clm_cl_train_stats st;
	int rc = clm_cl_train_task(s, &f->m, &codec, task, ds, &f->tc, NULL, &st);
	if (rc)
		fail_msg("training %s with %s: %s", task, s->name, clm_error());
	assert_true(isfinite(st.last_loss));
}

/* Logits of task-`task` examples routed as the strategy routes them with the task id known. */
static float *routed_logits(struct fixture *f, struct clm_strategy *s, const struct clm_dataset *ds, size_t task,
			    size_t *count)
{
	struct clm_batch bare = CLM_BATCH_INIT, real = CLM_BATCH_INIT;
	struct clm_cl_item items[8];
	struct clm_cl_route routes[8];
	float *logits = NULL;
	for (int i = 0; i < 8; i++) {
		int32_t *src = NULL, *tgt = NULL;
		size_t ns = 0, nt = 0;
		items[i] = (struct clm_cl_item){ &ds->items[i], task };
		codec.encode(NULL, ds->items[i].source, strlen(ds->items[i].source), &src, &ns);
		codec.encode(NULL, ds->items[i].target, strlen(ds->items[i].target), &tgt, &nt);
		assert_true(clm_batch_add_pair(&bare, src, (int)ns, tgt, (int)nt, NULL, 0, -1, 48) >= 0);
		free(src), free(tgt);
	}
	assert_int_equal(clm_strategy_route(s, &f->m, items, &bare, CLM_ROUTE_INFER_KNOWN, routes), 0);
	for (int i = 0; i < 8; i++)
		assert_true(clm_batch_add(&real, bare.tokens + bare.tok_off[i], clm_batch_len(&bare, i), NULL,
					  routes[i].prefix, routes[i].n_prefix, routes[i].adapter) == 0);
	assert_int_equal(clm_gpt_logits(&f->m, &real, &logits), 0);
	*count = (size_t)real.tok_off[8] * 258;
	clm_batch_release(&bare);
	clm_batch_release(&real);
	return logits;
}

static void unknown_strategy_is_rejected(void **state)
{
	struct clm_strategy s;
	struct clm_cl_params p;
	(void)state;
	clm_cl_params_defaults(&p);
	assert_int_equal(clm_strategy_create(&s, "sgd", &p), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "pp-tf"));
	assert_int_equal(clm_strategy_create(&s, "replay+replay", &p), CLM_EINVALID);
	assert_int_equal(clm_strategy_create(&s, "ewc+rep", &p), CLM_EINVALID);
	assert_int_equal(clm_strategy_create(&s, "pp-tf+replay", &p), 0);
	assert_int_equal(s.params.replay, 1);
	clm_strategy_release(&s);
}

static void replay_buffer_is_filled_balanced_and_mixed(void **state)
{
	struct fixture f;
	struct clm_strategy s;
	struct clm_cl_item items[8];
	size_t old = 0;
	(void)state;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&s, "replay", &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	assert_int_equal(s.replay.ntasks, 1);
	assert_int_equal(s.replay.per_task[0].n, 6);
	/* While learning task 2, half of each batch comes from the buffer (task 0). */
	assert_int_equal(clm_strategy_begin_task(&s, &f.m, "rev", &f.t2), 0);
	assert_int_equal(clm_strategy_compose(&s, &f.t2, items, 8), 0);
	for (int i = 0; i < 8; i++) {
		old += items[i].task == 0;
		assert_string_equal(items[i].ex->task, items[i].task == 0 ? "upper" : "rev");
	}
	assert_int_equal(old, 4);
	assert_int_equal(clm_strategy_end_task(&s, &f.m, &f.t2), 0);
	assert_int_equal(s.replay.per_task[0].n, 3);
	assert_int_equal(s.replay.per_task[1].n, 3);
	clm_strategy_release(&s);
	fixture_release(&f);
}

static void mtl_samples_tasks_by_size_power(void **state)
{
	struct fixture f;
	struct clm_strategy s;
	struct clm_dataset big = { 0 };
	struct clm_cl_item items[100];
	size_t first = 0;
	(void)state;
	fixture_init(&f);
	make_task(&big, "rev", 240);
	assert_int_equal(clm_strategy_create(&s, "mtl", &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	assert_int_equal(clm_strategy_begin_task(&s, &f.m, "rev", &big), 0);
	for (int r = 0; r < 50; r++) {
		assert_int_equal(clm_strategy_compose(&s, &big, items, 100), 0);
		for (int i = 0; i < 100; i++)
			first += items[i].task == 0;
	}
	/* p(task 0) = 24^0.7 / (24^0.7 + 240^0.7) = 0.166 */
	assert_true(first > 5000 * 0.14 && first < 5000 * 0.19);
	clm_strategy_release(&s);
	clm_dataset_release(&big);
	fixture_release(&f);
}

static void ewc_penalty_gradient_matches_finite_differences(void **state)
{
	struct fixture f;
	struct clm_strategy s;
	struct clm_param *p;
	float loss = 0, base = 0, *grad;
	(void)state;
	fixture_init(&f);
	f.params.ewc_lambda = 50;
	assert_int_equal(clm_strategy_create(&s, "ewc", &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	/* Right after the task the weights are theta*: no penalty. */
	clm_gpt_zero_grad(&f.m);
	assert_int_equal(clm_strategy_extra_loss(&s, &f.m, &loss), 0);
	assert_true(loss == 0);
	/* Move the weights, then compare the penalty's gradient with central differences. The
	 * penalty is quadratic, so a wide step is exact and keeps the float total's rounding small. */
	train(&f, &s, "rev", &f.t2);
	p = clm_gpt_param(&f.m, "h.0.attn.c_attn.weight");
	assert_non_null(p);
	clm_gpt_zero_grad(&f.m);
	assert_int_equal(clm_strategy_extra_loss(&s, &f.m, &base), 0);
	assert_true(base > 0);
	grad = malloc(p->n * sizeof(float));
	memcpy(grad, p->g, p->n * sizeof(float)); /* each later call adds to p->g again */
	for (size_t j = 0; j < p->n; j += p->n / 7) {
		float g = grad[j], save = p->w[j], plus = 0, minus = 0, h = 0.25f;
		float scale = fabsf(g) > 1e-3f ? fabsf(g) : 1e-3f;
		p->w[j] = save + h;
		clm_strategy_extra_loss(&s, &f.m, &plus);
		p->w[j] = save - h;
		clm_strategy_extra_loss(&s, &f.m, &minus);
		p->w[j] = save;
		if (fabsf((plus - minus) / (2 * h) - g) > 0.02f * scale + 1e-5f)
			fail_msg("param %zu: fd %g vs analytic %g", j, (double)((plus - minus) / (2 * h)), (double)g);
	}
	free(grad);
	clm_gpt_zero_grad(&f.m);
	clm_strategy_release(&s);
	fixture_release(&f);
}

static void ewc_online_keeps_one_decayed_set(void **state)
{
	struct fixture f;
	struct clm_strategy sep, onl;
	struct clm_tensor_list ts = { 0 }, to = { 0 };
	json_t *js, *jo;
	(void)state;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&sep, "ewc", &f.params), 0);
	f.params.ewc_online = 1;
	assert_int_equal(clm_strategy_create(&onl, "ewc", &f.params), 0);
	train(&f, &sep, "upper", &f.t1);
	train(&f, &onl, "upper", &f.t1);
	train(&f, &sep, "rev", &f.t2);
	train(&f, &onl, "rev", &f.t2);
	assert_int_equal(clm_strategy_save(&sep, &ts, &js), 0);
	assert_int_equal(clm_strategy_save(&onl, &to, &jo), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(js, "state"), "sets")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(jo, "state"), "sets")), 1);
	assert_int_equal(ts.n, 2 * to.n);
	assert_non_null(clm_tensor_list_find(&to, "cl.ewc.0.fisher.wte.weight"));
	assert_null(clm_tensor_list_find(&to, "cl.ewc.1.fisher.wte.weight"));
	assert_non_null(clm_tensor_list_find(&ts, "cl.ewc.1.fisher.wte.weight"));
	json_decref(js), json_decref(jo);
	clm_tensor_list_release(&ts), clm_tensor_list_release(&to);
	clm_strategy_release(&sep), clm_strategy_release(&onl);
	fixture_release(&f);
}

/* Task 2's route on its own examples after the same run as task_one_unchanged's, except that
 * task 2 is begun and ended with no training step. */
static float *task_two_untrained(const char *name, size_t *count)
{
	struct fixture f;
	struct clm_strategy s;
	struct clm_cl_train_stats st;
	float *logits;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&s, name, &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	f.tc.steps = 0;
	assert_int_equal(clm_cl_train_task(&s, &f.m, &codec, "rev", &f.t2, &f.tc, NULL, &st), 0);
	logits = routed_logits(&f, &s, &f.t2, 1, count);
	clm_strategy_release(&s);
	fixture_release(&f);
	return logits;
}

static void task_one_unchanged(const char *name)
{
	struct fixture f;
	struct clm_strategy s;
	float *before, *after, *untrained;
	size_t nb, na, nu;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&s, name, &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	before = routed_logits(&f, &s, &f.t1, 0, &nb);
	train(&f, &s, "rev", &f.t2);
	after = routed_logits(&f, &s, &f.t1, 0, &na);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb * sizeof(float));
	free(before), free(after);
	/* ... while training task 2 did change task 2's own route: without its training steps the
	 * same run routes task 2's examples to other logits (so the check above is not vacuous). */
	after = routed_logits(&f, &s, &f.t2, 1, &na);
	untrained = task_two_untrained(name, &nu);
	assert_int_equal(na, nu);
	assert_true(memcmp(after, untrained, na * sizeof(float)) != 0);
	free(after), free(untrained);
	clm_strategy_release(&s);
	fixture_release(&f);
}

static void tspt_leaves_task_one_bit_identical(void **state)
{
	(void)state;
	task_one_unchanged("tspt");
}

static void lora_leaves_task_one_bit_identical(void **state)
{
	(void)state;
	task_one_unchanged("lora");
}

static int allowed_in_training(size_t task, size_t key)
{
	/* clm_pptf_assign(2 tasks, 6 keys, 1 shared): task 0 owns 0-2, shares 3; task 1 owns 4-5. */
	return task == 0 ? key <= 3 : key >= 3;
}

static void pptf_selects_assigned_keys_in_training_and_any_at_inference(void **state)
{
	struct fixture f;
	struct clm_strategy s;
	char **preds;
	size_t outside = 0;
	(void)state;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&s, "pp-tf", &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	train(&f, &s, "rev", &f.t2);
	for (size_t t = 0; t < 2; t++)
		for (size_t k = 0; k < s.hist_cols; k++)
			if (s.hist[0][t * s.hist_cols + k] && !allowed_in_training(t, k))
				fail_msg("training task %zu selected key %zu", t, k);
	assert_true(s.hist[0][1 * s.hist_cols + 3] + s.hist[0][1 * s.hist_cols + 4] > 0);
	/* Inference picks top_k = 4 among all 6 keys with no task id: task 1 has only 3 keys, so
	 * every example of task 1 uses a key outside its training set. */
	assert_int_equal(clm_cl_predict(&s, &f.m, &codec, &f.t2, 1, CLM_ROUTE_INFER_UNKNOWN, &f.tc, &preds), 0);
	clm_cl_free_preds(preds, f.t2.n);
	for (size_t k = 0; k < s.hist_cols; k++)
		if (!allowed_in_training(1, k))
			outside += s.hist[1][1 * s.hist_cols + k];
	assert_true(outside >= f.t2.n);
	{
		char *text = clm_strategy_histogram_text(&s, 1);
		assert_non_null(strstr(text, "rev: "));
		free(text);
	}
	clm_strategy_release(&s);
	fixture_release(&f);
}

static void state_round_trips(const char *name)
{
	struct fixture f;
	struct clm_strategy s, back;
	struct clm_tensor_list t1 = { 0 }, t2 = { 0 };
	struct clm_strbuf j1 = CLM_STRBUF_INIT, j2 = CLM_STRBUF_INIT;
	json_t *st1, *st2;
	char **p1, **p2;
	fixture_init(&f);
	assert_int_equal(clm_strategy_create(&s, name, &f.params), 0);
	train(&f, &s, "upper", &f.t1);
	train(&f, &s, "rev", &f.t2);
	assert_int_equal(clm_strategy_save(&s, &t1, &st1), 0);
	if (clm_strategy_load(&back, &t1, st1))
		fail_msg("%s: %s", name, clm_error());
	assert_int_equal(clm_strategy_save(&back, &t2, &st2), 0);
	assert_int_equal(clm_json_dump(st1, &j1), 0);
	assert_int_equal(clm_json_dump(st2, &j2), 0);
	assert_string_equal(j1.buf, j2.buf);
	assert_int_equal(t1.n, t2.n);
	for (size_t i = 0; i < t1.n; i++) {
		assert_string_equal(t1.items[i].name, t2.items[i].name);
		assert_int_equal(t1.items[i].nbytes, t2.items[i].nbytes);
		assert_memory_equal(t1.items[i].data, t2.items[i].data, t1.items[i].nbytes);
	}
	assert_int_equal(back.ntasks, 2);
	assert_int_equal(clm_strategy_trainable(&back, &f.m), clm_strategy_trainable(&s, &f.m));
	/* The restored strategy predicts exactly as the original, without task ids. */
	assert_int_equal(clm_cl_predict(&s, &f.m, &codec, &f.t2, 1, CLM_ROUTE_INFER_UNKNOWN, &f.tc, &p1), 0);
	assert_int_equal(clm_cl_predict(&back, &f.m, &codec, &f.t2, 1, CLM_ROUTE_INFER_UNKNOWN, &f.tc, &p2), 0);
	for (size_t i = 0; i < f.t2.n; i++)
		assert_string_equal(p1[i], p2[i]);
	clm_cl_free_preds(p1, f.t2.n), clm_cl_free_preds(p2, f.t2.n);
	json_decref(st1), json_decref(st2);
	clm_strbuf_release(&j1), clm_strbuf_release(&j2);
	clm_tensor_list_release(&t1), clm_tensor_list_release(&t2);
	clm_strategy_release(&s), clm_strategy_release(&back);
	fixture_release(&f);
}

static void every_strategy_state_round_trips(void **state)
{
	static const char *const all[] = { "seqft", "mtl", "replay", "ewc", "ewc+replay", "lora", "spt",
					   "tspt", "pp", "pp+replay", "pp-tf", "pp-tf+replay" };
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		state_round_trips(all[i]);
}

static void frozen_backbone_for_prompt_strategies(void **state)
{
	static const char *const frozen[] = { "lora", "spt", "tspt", "pp", "pp-tf" };
	(void)state;
	for (size_t i = 0; i < sizeof(frozen) / sizeof(frozen[0]); i++) {
		struct fixture f;
		struct clm_strategy s;
		struct clm_param *w;
		float save;
		fixture_init(&f);
		w = clm_gpt_param(&f.m, "h.0.mlp.c_fc.weight");
		save = w->w[5];
		assert_int_equal(clm_strategy_create(&s, frozen[i], &f.params), 0);
		train(&f, &s, "upper", &f.t1);
		assert_true(clm_gpt_param(&f.m, "h.0.mlp.c_fc.weight")->w[5] == save);
		assert_true(clm_strategy_trainable(&s, &f.m) < (size_t)clm_gpt_config_param_count(&f.m.cfg) / 2);
		clm_strategy_release(&s);
		fixture_release(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_strategy_is_rejected),
		cmocka_unit_test(replay_buffer_is_filled_balanced_and_mixed),
		cmocka_unit_test(mtl_samples_tasks_by_size_power),
		cmocka_unit_test(ewc_penalty_gradient_matches_finite_differences),
		cmocka_unit_test(ewc_online_keeps_one_decayed_set),
		cmocka_unit_test(tspt_leaves_task_one_bit_identical),
		cmocka_unit_test(lora_leaves_task_one_bit_identical),
		cmocka_unit_test(pptf_selects_assigned_keys_in_training_and_any_at_inference),
		cmocka_unit_test(every_strategy_state_round_trips),
		cmocka_unit_test(frozen_backbone_for_prompt_strategies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
