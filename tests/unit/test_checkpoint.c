/* A model checkpoint through a safetensors file: engine -> Hugging Face names -> file -> engine
 * gives back every parameter bit for bit, and the same logits. */
#include "test_helpers.h"
#include "io/safetensors.h"
#include "nn/model.h"
#include "nn/tensormap.h"
#include "util/error.h"

static const struct clm_gpt_config cfg = { .n_layer = 2, .n_head = 4, .n_embd = 32, .n_positions = 32, .vocab_size = 16,
					       .layer_norm_epsilon = 1e-5f };

static void model_round_trips_through_safetensors_bit_exactly(void **state)
{
	struct clm_gpt m, back;
	struct clm_tensor_list out = { 0 }, in = { 0 }, again = { 0 };
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t toks[] = { 3, 1, 4, 1, 5 };
	float *la, *lb;
	char *dir = clm_test_tmpdir(), path[256];
	(void)state;
	snprintf(path, sizeof(path), "%s/model.safetensors", dir);
	assert_int_equal(clm_gpt_init(&m, &cfg, 21), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, 4, 2), 0);
	assert_int_equal(clm_gpt_add_lora(&m, 2, 4.0f, 3), 0);
	m.params[m.n_params - 1].w[1] = -0.25f; /* a non-zero LoRA B, so adapters count */
	assert_int_equal(clm_gpt_export(&m, CLM_EXPORT_ALL, &out), 0);
	if (clm_safetensors_write(path, &out, NULL) < 0)
		fail_msg("%s", clm_error());
	if (clm_safetensors_read(path, 0, &in, NULL) < 0)
		fail_msg("%s", clm_error());
	assert_int_equal(in.n, out.n);
	for (size_t i = 0; i < out.n; i++) {
		const struct clm_named_tensor *t = clm_tensor_list_find(&in, out.items[i].name);
		assert_non_null(t);
		assert_int_equal(t->nbytes, out.items[i].nbytes);
		assert_memory_equal(t->data, out.items[i].data, t->nbytes);
	}
	assert_int_equal(clm_gpt_from_tensors(&back, &cfg, &in), 0);
	assert_int_equal(clm_gpt_export(&back, CLM_EXPORT_ALL, &again), 0);
	assert_int_equal(again.n, out.n);
	for (size_t i = 0; i < out.n; i++)
		assert_memory_equal(again.items[i].data, out.items[i].data, out.items[i].nbytes);
	assert_int_equal(clm_batch_add(&b, toks, 5, NULL, NULL, 0, 0), 0);
	assert_int_equal(clm_gpt_logits(&m, &b, &la), 0);
	assert_int_equal(clm_gpt_logits(&back, &b, &lb), 0);
	assert_memory_equal(la, lb, 5 * 16 * sizeof(float));
	free(la);
	free(lb);
	clm_batch_release(&b);
	clm_tensor_list_release(&out);
	clm_tensor_list_release(&in);
	clm_tensor_list_release(&again);
	clm_gpt_release(&m);
	clm_gpt_release(&back);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_round_trips_through_safetensors_bit_exactly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
