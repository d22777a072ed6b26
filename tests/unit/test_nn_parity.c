/* libcore/nn against PyTorch: tests/nn/parity.json (written by tests/nn/gen_parity.py with
 * Debian's python3-torch, in float64) holds a tiny GPT-2 with a soft-prompt table and a LoRA set,
 * a batch, and PyTorch's logits, loss and gradients. The engine must match to 1e-4 relative. */
#include "test_helpers.h"
#include "nn/config.h"
#include "nn/model.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>

static json_t *load_reference(void)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
	const char *top = getenv("CLM_TOP");
	clm_strbuf_addf(&path, "%s/tests/nn/parity.json", top ? top : ".");
	assert_int_equal(clm_read_file(path.buf, 1 << 20, &data), 0);
	json_t *j = clm_json_parse(data.buf, data.len, "parity.json");
	assert_non_null(j);
	clm_strbuf_release(&path);
	clm_strbuf_release(&data);
	return j;
}

/* Largest |a - b| relative to the largest |b| of the tensor. */
static double relative_error(const float *a, const json_t *b, size_t n)
{
	double worst = 0, scale = 0;
	assert_int_equal(json_array_size(b), n);
	for (size_t i = 0; i < n; i++)
		scale = fmax(scale, fabs(json_number_value(json_array_get(b, i))));
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(a[i] - json_number_value(json_array_get(b, i))));
	return worst / scale;
}

static void matches_pytorch(void **state)
{
	json_t *ref = load_reference();
	struct clm_gpt_config cfg;
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	const json_t *lora = json_object_get(ref, "lora"), *weights = json_object_get(ref, "weights");
	size_t i;
	const json_t *ex;
	(void)state;

	assert_int_equal(clm_gpt_config_from_json(json_object_get(ref, "config"), &cfg), 0);
	assert_int_equal(clm_gpt_init(&m, &cfg, 0), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, (int)json_integer_value(json_object_get(ref, "prompt_rows")), 0), 0);
	assert_int_equal(clm_gpt_add_lora(&m, (int)json_integer_value(json_object_get(lora, "rank")),
					  (float)json_number_value(json_object_get(lora, "alpha")), 0), 0);
	assert_int_equal(json_object_size(weights), m.n_params);
	for (size_t p = 0; p < m.n_params; p++) {
		const json_t *w = json_object_get(weights, m.params[p].name);
		assert_non_null(w);
		assert_int_equal(json_array_size(w), m.params[p].n);
		for (size_t k = 0; k < m.params[p].n; k++)
			m.params[p].w[k] = (float)json_number_value(json_array_get(w, k));
	}
	json_array_foreach(json_object_get(ref, "batch"), i, ex) {
		int32_t tok[64], pre[64];
		float wt[64];
		const json_t *t = json_object_get(ex, "tokens"), *pr = json_object_get(ex, "prefix");
		for (size_t k = 0; k < json_array_size(t); k++) {
			tok[k] = (int32_t)json_integer_value(json_array_get(t, k));
			wt[k] = (float)json_number_value(json_array_get(json_object_get(ex, "weights"), k));
		}
		for (size_t k = 0; k < json_array_size(pr); k++)
			pre[k] = (int32_t)json_integer_value(json_array_get(pr, k));
		assert_int_equal(clm_batch_add(&b, tok, (int)json_array_size(t), wt, pre, (int)json_array_size(pr),
					       (int)json_integer_value(json_object_get(ex, "adapter"))),
				 0);
	}

	float *logits, loss;
	assert_int_equal(clm_gpt_logits(&m, &b, &logits), 0);
	double err = relative_error(logits, json_object_get(ref, "logits"), (size_t)b.tok_off[b.n] * cfg.vocab_size);
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
		err = relative_error(p->g, g, p->n);
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
