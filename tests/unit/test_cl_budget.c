/* libcore/cl/budget: a source too long keeps its first line and the lines that matter for its
 * kind; training, evaluation and generation on examples far longer than the context never fail. */
#include "test_helpers.h"
#include "cl/budget.h"
#include "cl/byte_codec.h"
#include "cl/strategy.h"
#include "nn/model.h"
#include "util/error.h"

static const char *const function =
	"def f(x):\n"
	"    a = 1\n"
	"    b = 2\n"
	"    c = 3\n"
	"    d = 4\n"
	"    return a\n";

/* The kept text of `function` in `keep` byte tokens around `focus`. */
static char *kept(enum clm_task_kind kind, size_t focus, size_t keep, size_t *cut)
{
	struct clm_text_codec c;
	int32_t *ids = NULL;
	size_t n = 0;
	char *out;

	clm_byte_codec(&c);
	assert_int_equal(clm_budget_encode(&c, function, strlen(function), kind, focus, keep, &ids, &n, cut), 0);
	assert_true(n <= keep);
	out = calloc(n + 1, 1);
	for (size_t i = 0; i < n; i++)
		out[i] = (char)ids[i];
	free(ids);
	return out;
}

static void split_shares_the_room(void **state)
{
	size_t s, t;
	(void)state;
	clm_budget_split(100, 30, 40, &s, &t);
	assert_true(s == 30 && t == 40);
	clm_budget_split(100, 300, 400, &s, &t); /* both long: half each */
	assert_true(s == 50 && t == 50);
	clm_budget_split(100, 20, 400, &s, &t);  /* short source: the target gets the rest */
	assert_true(s == 20 && t == 80);
	clm_budget_split(100, 300, 10, &s, &t);  /* short target: the source gets the rest */
	assert_true(s == 90 && t == 10);
}

static void source_keeps_signature_and_the_lines_that_matter(void **state)
{
	size_t cut;
	char *t;
	(void)state;
	t = kept(CLM_KIND_REFINE, CLM_BUDGET_NO_FOCUS, strlen(function), &cut);
	assert_string_equal(t, function);
	assert_int_equal(cut, 0);
	free(t);
	/* refine: the signature and the start of the body */
	t = kept(CLM_KIND_REFINE, CLM_BUDGET_NO_FOCUS, 40, &cut);
	assert_string_equal(t, "def f(x):\n    a = 1\n    b = 2\n    c = 3\n");
	assert_int_equal(cut, strlen(function) - strlen(t));
	free(t);
	/* complete: the signature and the end */
	t = kept(CLM_KIND_COMPLETE, CLM_BUDGET_NO_FOCUS, 40, &cut);
	assert_string_equal(t, "def f(x):\n    d = 4\n    return a\n");
	free(t);
	/* a cursor on "d = 4": the signature and the lines around it */
	t = kept(CLM_KIND_REFINE, (size_t)(strstr(function, "    d") - function), 30, &cut);
	assert_string_equal(t, "def f(x):\n    c = 3\n    d = 4\n");
	free(t);
	/* less than the signature: its start */
	t = kept(CLM_KIND_REFINE, CLM_BUDGET_NO_FOCUS, 5, &cut);
	assert_string_equal(t, "def f");
	free(t);
}

static void long_examples_train_evaluate_and_generate(void **state)
{
	struct clm_gpt_config cfg = { .n_layer = 1, .n_head = 2, .n_embd = 16, .n_positions = 32, .vocab_size = CLM_BYTE_CODEC_VOCAB,
					       .layer_norm_epsilon = 1e-5f };
	struct clm_text_codec c;
	struct clm_cl_train_config tc;
	struct clm_cl_train_stats st;
	struct clm_cl_params p;
	struct clm_strategy s;
	struct clm_dataset ds = { 0 };
	struct clm_gpt m;
	char **preds = NULL;
	(void)state;
	clm_byte_codec(&c);
	assert_int_equal(clm_gpt_init(&m, &cfg, 7), 0);
	clm_cl_params_defaults(&p);
	p.pool_size = 4, p.pool_prompt_len = 2, p.top_k = 2, p.planned_tasks = 1;
	assert_int_equal(clm_strategy_create(&s, "pp-tf+replay", &p), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(clm_dataset_add(&ds, i ? "b" : "a", "t", CLM_KIND_REFINE, "python", function, function,
						 NULL), 0);
	clm_cl_train_defaults(&tc);
	tc.steps = 2, tc.batch_size = 2, tc.max_new_tokens = 64;
	/* 61 + 61 bytes in a context of 32 positions, 4 of them soft prompts */
	if (clm_cl_train_task(&s, &m, &c, "t", &ds, &tc, NULL, &st) < 0)
		fail_msg("training: %s", clm_error());
	assert_true(c.fitted >= 4 && c.fitted_tokens > 0);
	if (clm_cl_predict(&s, &m, &c, &ds, 0, CLM_ROUTE_INFER_UNKNOWN, &tc, &preds) < 0)
		fail_msg("predicting: %s", clm_error());
	for (size_t i = 0; i < ds.n; i++)
		assert_non_null(preds[i]);
	clm_cl_free_preds(preds, ds.n);
	clm_strategy_release(&s);
	clm_dataset_release(&ds);
	clm_gpt_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_shares_the_room),
		cmocka_unit_test(source_keeps_signature_and_the_lines_that_matter),
		cmocka_unit_test(long_examples_train_evaluate_and_generate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
