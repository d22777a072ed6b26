/* libcore/nn against PyTorch: tests/nn/parity.json (written by tests/nn/gen_parity.py with
 * Debian's python3-torch, in float64) holds a tiny GPT-2 with a soft-prompt table and a LoRA set,
 * a batch, and PyTorch's logits, loss and gradients. The engine must match to 1e-4 relative. */
#include "test_helpers.h"
#include "parity_helpers.h"
#include "nn/config.h"
#include "nn/model.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>

static json_t *load_reference(void)
{
	const char *top = getenv("CLM_TOP");
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	clm_strbuf_addf(&dir, "%s/tests/nn", top ? top : ".");
	json_t *j = parity_load_json(dir.buf, "parity.json");
	clm_strbuf_release(&dir);
	return j;
}

static void matches_pytorch(void **state)
{
	json_t *ref = load_reference();
	struct clm_gpt_config cfg;
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	const json_t *lora = json_object_get(ref, "lora"), *weights = json_object_get(ref, "weights");
	(void)state;

	assert_int_equal(clm_gpt_config_from_json(json_object_get(ref, "config"), &cfg), 0);
	assert_int_equal(clm_gpt_init(&m, &cfg, 0), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, (int)json_integer_value(json_object_get(ref, "prompt_rows")), 0), 0);
	assert_int_equal(clm_gpt_add_lora(&m, (int)json_integer_value(json_object_get(lora, "rank")),
					  (float)json_number_value(json_object_get(lora, "alpha")), 0), 0);
	assert_int_equal(json_object_size(weights), m.n_params);
	parity_set_values(&m, weights);
	parity_load_batch(ref, &b);

	float *logits, loss;
	assert_int_equal(clm_gpt_logits(&m, &b, &logits), 0);
	double err = parity_relative_error(logits, json_object_get(ref, "logits"), (size_t)b.tok_off[b.n] * cfg.vocab_size);
	print_message("# logits max relative error %.3g\n", err);
	assert_true(err < 1e-4);
	free(logits);

	clm_gpt_zero_grad(&m);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	double want = json_number_value(json_object_get(ref, "loss"));
	print_message("# loss %.8f, pytorch %.8f\n", loss, want);
	assert_true(fabs(loss - want) < 1e-4 * fabs(want));
	const char *name;
	const json_t *g;
	json_object_foreach(json_object_get(ref, "grads"), name, g) {
		struct clm_param *p = clm_gpt_param(&m, name);
		assert_non_null(p);
		err = parity_relative_error(p->g, g, p->n);
		print_message("# grad %s max relative error %.3g\n", name, err);
		assert_true(err < 1e-4);
	}
	clm_batch_release(&b);
	clm_gpt_release(&m);
	json_decref(ref);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_pytorch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
