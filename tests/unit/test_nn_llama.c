/* The Llama-family engine (Llama, Qwen2, StarCoder2) against an independent PyTorch implementation:
 * tests/nn/llama_ref.py (Debian's python3-torch, float64) writes random tiny models of each
 * architecture as Hugging Face directories (F32, F16 and BF16 weights, one file or shards; odd
 * sizes: head_dim 6, 5:1 grouped-query attention, tied and untied outputs, llama3 and linear rope
 * scaling) with a batch using a soft prompt and a LoRA set, and what PyTorch computes for it. The
 * engine (loading them through io/hf_dir: mapped files, shards) must match logits, loss and every gradient to 1e-4 relative, and one AdamW step of the
 * prompt and LoRA tensors on a frozen backbone must give PyTorch's values. */
#include "test_helpers.h"
#include "parity_helpers.h"
#include "io/hf_dir.h"
#include "nn/config.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "nn/tensormap.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>

static char *outdir;

static void check_case(const char *name)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	struct clm_gpt_config cfg;
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	float *logits, loss;
	double err, worst_grad = 0;

	clm_strbuf_addf(&dir, "%s/%s", outdir, name);
	json_t *config = parity_load_json(dir.buf, "config.json"), *ref = parity_load_json(dir.buf, "expect.json");
	const json_t *lora = json_object_get(ref, "lora");
	assert_int_equal(clm_gpt_config_from_json(config, &cfg), 0);
	assert_int_equal(clm_hf_dir_load_model(dir.buf, &cfg, &m), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(&m, (int)json_integer_value(json_object_get(ref, "prompt_rows")), 0), 0);
	assert_int_equal(clm_gpt_add_lora(&m, (int)json_integer_value(json_object_get(lora, "rank")),
					  (float)json_number_value(json_object_get(lora, "alpha")), 0), 0);
	parity_set_values(&m, json_object_get(ref, "extras"));
	parity_load_batch(ref, &b);

	assert_int_equal(clm_gpt_logits(&m, &b, &logits), 0);
	err = parity_relative_error(logits, json_object_get(ref, "logits"), (size_t)b.tok_off[b.n] * cfg.vocab_size);
	free(logits);
	assert_true(err < 1e-4);
	clm_gpt_zero_grad(&m);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	double want = json_number_value(json_object_get(ref, "loss"));
	assert_true(fabs(loss - want) < 1e-4 * fabs(want));
	const char *pname;
	const json_t *g;
	size_t n_grads = 0;
	json_object_foreach(json_object_get(ref, "grads"), pname, g) {
		struct clm_param *p = clm_gpt_param(&m, pname);
		assert_non_null(p);
		double e = parity_relative_error(p->g, g, p->n);
		if (e >= 1e-4)
			print_error("grad %s: relative error %.3g\n", pname, e);
		assert_true(e < 1e-4);
		worst_grad = fmax(worst_grad, e);
		n_grads++;
	}
	assert_int_equal(n_grads, m.n_params);
	print_message("# %s (%s): logits %.2g, loss %.9f vs %.9f, %zu gradients worst %.2g (relative)\n", name,
		      clm_arch_name(cfg.arch), err, loss, want, n_grads, worst_grad);

	/* one AdamW step of the soft prompt and the LoRA set on the frozen backbone */
	struct clm_adamw_config ocfg;
	struct clm_adamw opt;
	clm_adamw_defaults(&ocfg);
	ocfg.lr = (float)json_number_value(json_object_get(json_object_get(ref, "adamw"), "lr"));
	ocfg.weight_decay = (float)json_number_value(json_object_get(json_object_get(ref, "adamw"), "weight_decay"));
	ocfg.clip_norm = 0;
	clm_adamw_init(&opt, &ocfg);
	clm_gpt_set_trainable(&m, "", 0);
	assert_true(clm_gpt_set_trainable(&m, "clm.", 1) > 0);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	assert_true(fabs(loss - json_number_value(json_object_get(ref, "step_loss"))) < 1e-4 * fabs(loss));
	assert_int_equal(clm_adamw_step(&opt, &m, 1), 0);
	double worst_step = 0;
	json_object_foreach(json_object_get(ref, "after_step"), pname, g) {
		struct clm_param *p = clm_gpt_param(&m, pname);
		assert_non_null(p);
		worst_step = fmax(worst_step, parity_relative_error(p->w, g, p->n));
	}
	print_message("# %s: prompt + LoRA after one AdamW step, worst relative error %.2g\n", name, worst_step);
	assert_true(worst_step < 1e-4);

	clm_adamw_release(&opt);
	clm_batch_release(&b);
	clm_gpt_release(&m);
	json_decref(config);
	json_decref(ref);
	clm_strbuf_release(&dir);
}

static void llama_gqa5(void **state)
{
	(void)state;
	check_case("llama_gqa5");
}

static void qwen2_bf16(void **state)
{
	(void)state;
	check_case("qwen2_bf16");
}

static void starcoder2(void **state)
{
	(void)state;
	check_case("starcoder2");
}

static void llama_plain_bf16(void **state)
{
	(void)state;
	check_case("llama_plain_bf16");
}

/* Configs the engine cannot run are refused by name. */
static void unsupported_configs_are_refused(void **state)
{
	static const char *const cases[][2] = {
		{ "{\"architectures\":[\"MixtralForCausalLM\"]}", "MixtralForCausalLM" },
		{ "{\"architectures\":[\"LlamaForCausalLM\"],\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}}", "yarn" },
		{ "{\"architectures\":[\"MistralForCausalLM\"],\"sliding_window\":4096}", "sliding-window" },
		{ "{\"architectures\":[\"Qwen2ForCausalLM\"],\"use_sliding_window\":true,\"sliding_window\":4096}",
		  "sliding-window" },
		{ "{\"architectures\":[\"LlamaForCausalLM\"],\"num_local_experts\":8}", "mixture-of-experts" },
		{ "{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_act\":\"gelu\"}", "hidden_act" },
	};
	struct clm_gpt_config cfg;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = clm_json_parse(cases[i][0], strlen(cases[i][0]), "case");
		assert_non_null(j);
		assert_int_equal(clm_gpt_config_from_json(j, &cfg), CLM_EINVALID);
		assert_non_null(strstr(clm_error(), cases[i][1]));
		json_decref(j);
	}
}

/* A config written by the engine reads back to the same config. */
static void config_round_trips(void **state)
{
	const char *names[] = { "llama_gqa5", "qwen2_bf16", "starcoder2", "llama_plain_bf16" };
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct clm_strbuf dir = CLM_STRBUF_INIT;
		struct clm_gpt_config a, b;
		clm_strbuf_addf(&dir, "%s/%s", outdir, names[i]);
		json_t *j = parity_load_json(dir.buf, "config.json");
		assert_int_equal(clm_gpt_config_from_json(j, &a), 0);
		json_t *k = clm_gpt_config_to_json(&a);
		assert_int_equal(clm_gpt_config_from_json(k, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
		json_decref(j);
		json_decref(k);
		clm_strbuf_release(&dir);
	}
}

/* Cached decoding (the key/value cache holds rotated keys of the grouped heads) gives the tokens
 * and scores of recomputing the whole sequence, with a soft prompt and a LoRA set, for each
 * architecture; sampling too. */
static void cached_generation_matches_uncached(void **state)
{
	static const char *const configs[] = {
		"{\"architectures\":[\"LlamaForCausalLM\"],\"hidden_size\":20,\"intermediate_size\":36,"
		"\"num_hidden_layers\":2,\"num_attention_heads\":5,\"num_key_value_heads\":1,\"head_dim\":6,"
		"\"max_position_embeddings\":40,\"vocab_size\":31,\"tie_word_embeddings\":false,"
		"\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8,\"low_freq_factor\":1,"
		"\"high_freq_factor\":4,\"original_max_position_embeddings\":16}}",
		"{\"architectures\":[\"Qwen2ForCausalLM\"],\"hidden_size\":24,\"intermediate_size\":40,"
		"\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
		"\"max_position_embeddings\":40,\"vocab_size\":31,\"tie_word_embeddings\":true,\"rope_theta\":1e6}",
		"{\"architectures\":[\"Starcoder2ForCausalLM\"],\"hidden_size\":24,\"intermediate_size\":48,"
		"\"num_hidden_layers\":2,\"num_attention_heads\":6,\"num_key_value_heads\":2,"
		"\"max_position_embeddings\":40,\"vocab_size\":31}",
	};
	int32_t prompt[] = { 3, 9, 1, 4, 4, 17 }, prefix[] = { 1, 0 };
	(void)state;
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		struct clm_gpt_config cfg;
		struct clm_gpt m;
		json_t *j = clm_json_parse(configs[i], strlen(configs[i]), "config");
		assert_int_equal(clm_gpt_config_from_json(j, &cfg), 0);
		json_decref(j);
		assert_int_equal(clm_gpt_init(&m, &cfg, 5 + i), 0);
		/* larger weights than the init so that greedy choices are not near-ties */
		for (size_t p = 0; p < m.n_backbone; p++)
			for (size_t k = 0; k < m.params[p].n; k++)
				m.params[p].w[k] *= 10.0f;
		assert_int_equal(clm_gpt_set_prompt_rows(&m, 2, 1), 0);
		assert_int_equal(clm_gpt_add_lora(&m, 2, 8.0f, 2), 0);
		for (size_t p = 0; p < m.n_params; p++)
			if (strstr(m.params[p].name, ".B"))
				for (size_t k = 0; k < m.params[p].n; k++)
					m.params[p].w[k] = 0.05f * (float)((k * 7 + p) % 5) - 0.1f;
		for (int mode = 0; mode < 2; mode++) {
			struct clm_gen_config gc;
			struct clm_gen_request a = { .prompt = prompt, .n_prompt = 6, .prefix_ids = prefix, .n_prefix = 2,
						     .adapter = 0 };
			struct clm_gen_request b = a;
			clm_gen_defaults(&gc);
			gc.max_new_tokens = 12;
			if (mode) {
				gc.temperature = 0.9f;
				gc.top_k = 8;
				gc.seed = 3;
			}
			assert_int_equal(clm_generate(&m, &gc, &a, 1), 0);
			gc.no_cache = 1;
			assert_int_equal(clm_generate(&m, &gc, &b, 1), 0);
			assert_int_equal(a.n_out, 12);
			assert_int_equal(a.n_out, b.n_out);
			assert_memory_equal(a.out, b.out, sizeof(int32_t) * a.n_out);
			assert_true(fabsf(a.score - b.score) < 1e-3f * fabsf(b.score) + 1e-4f);
			free(a.out);
			free(b.out);
		}
		clm_gpt_release(&m);
	}
}

static int make_models(void **state)
{
	struct clm_strbuf cmd = CLM_STRBUF_INIT;
	const char *top = getenv("CLM_TOP");
	(void)state;
	outdir = clm_test_tmpdir();
	clm_strbuf_addf(&cmd, "/usr/bin/python3 %s/tests/nn/llama_ref.py %s >/dev/null", top ? top : ".", outdir);
	int rc = system(cmd.buf);
	clm_strbuf_release(&cmd);
	return rc;
}

static int drop_outdir(void **state)
{
	(void)state;
	free(outdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(llama_gqa5),
		cmocka_unit_test(qwen2_bf16),
		cmocka_unit_test(starcoder2),
		cmocka_unit_test(llama_plain_bf16),
		cmocka_unit_test(unsupported_configs_are_refused),
		cmocka_unit_test(config_round_trips),
		cmocka_unit_test(cached_generation_matches_uncached),
	};
	return cmocka_run_group_tests(tests, make_models, drop_outdir);
}
