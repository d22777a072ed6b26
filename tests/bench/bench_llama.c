/* A Llama-family model at real size: load a Hugging Face directory (mapped, converted once to
 * f32), generate greedily from a prompt with the key/value cache, then train one LoRA step (rank
 * 8 on every projection, frozen backbone) on a batch; prints load time, tokens/s, step time and
 * peak RSS after each phase. Usage: bench_llama <dir> [new tokens (32)] [train tokens per
 * example (128)]. tests/bench/llama.sh makes a random directory at Qwen2.5-Coder-0.5B's shapes. */
#include "io/hf_dir.h"
#include "nn/config.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static double peak_rss_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024.0;
}

static int fail(const char *what)
{
	fprintf(stderr, "bench_llama: %s: %s\n", what, clm_error());
	return 1;
}

int main(int argc, char **argv)
{
	struct clm_hf_dir d;
	struct clm_gpt_config cfg;
	struct clm_gpt m;
	int n_new = argc > 2 ? atoi(argv[2]) : 32, n_train = argc > 3 ? atoi(argv[3]) : 128;
	int32_t prompt[16];
	json_t *config;

	if (argc < 2 || n_new < 1 || n_train < 2) {
		fprintf(stderr, "usage: bench_llama <hf-dir> [new tokens] [train tokens]\n");
		return 129;
	}
	if (clm_hf_dir_read(argv[1], CLM_HF_CONFIG, &d) ||
	    !(config = clm_json_parse(d.config.buf, d.config.len, "config.json")) ||
	    clm_gpt_config_from_json(config, &cfg))
		return fail(argv[1]);
	json_decref(config);
	clm_hf_dir_release(&d);
	printf("model: %s, %d layers, width %d, %d heads, %d key/value heads, head_dim %d, MLP %d, vocab %d, "
	       "%s, %.0fM parameters\n", clm_arch_name(cfg.arch), cfg.n_layer, cfg.n_embd, cfg.n_head,
	       clm_cfg_kv_heads(&cfg), clm_cfg_head_dim(&cfg), clm_cfg_ffn(&cfg), cfg.vocab_size,
	       cfg.untied ? "untied" : "tied", clm_gpt_config_param_count(&cfg) / 1e6);
	double t0 = clm_now();
	if (clm_hf_dir_load_model(argv[1], &cfg, &m))
		return fail("load");
	double t1 = clm_now();
	printf("load_seconds: %.2f\npeak_rss_after_load_mb: %.0f (f32 weights: %.0f MB)\n", t1 - t0, peak_rss_mb(),
	       clm_gpt_config_param_count(&cfg) * 4 / 1048576.0);

	for (int i = 0; i < 16; i++)
		prompt[i] = (int32_t)((i * 7919 + 13) % cfg.vocab_size);
	struct clm_gen_config gc;
	clm_gen_defaults(&gc);
	gc.max_new_tokens = 1;
	struct clm_gen_request rq = { .prompt = prompt, .n_prompt = 16, .adapter = -1 };
	t0 = clm_now();
	if (clm_generate(&m, &gc, &rq, 1))
		return fail("generate");
	double prompt_s = clm_now() - t0;
	free(rq.out);
	gc.max_new_tokens = n_new;
	t0 = clm_now();
	if (clm_generate(&m, &gc, &rq, 1))
		return fail("generate");
	double gen_s = clm_now() - t0 - prompt_s;
	printf("prompt: 16 tokens in %.2f s (%.1f tokens/s)\n", prompt_s, 16 / prompt_s);
	printf("generate: %d tokens in %.2f s after the prompt (%.2f tokens/s)\npeak_rss_after_generate_mb: %.0f\n",
	       rq.n_out, gen_s, (rq.n_out - 1) / gen_s, peak_rss_mb());
	free(rq.out);

	struct clm_batch b = CLM_BATCH_INIT;
	int32_t *toks = malloc(sizeof(int32_t) * n_train);
	for (int e = 0; e < 2; e++) {
		for (int i = 0; i < n_train; i++)
			toks[i] = (int32_t)((i * 104729 + e * 31 + 5) % cfg.vocab_size);
		clm_batch_add(&b, toks, n_train, NULL, NULL, 0, 0);
	}
	free(toks);
	clm_gpt_set_trainable(&m, "", 0);
	if (clm_gpt_add_lora(&m, 8, 16.0f, 1) < 0)
		return fail("lora");
	struct clm_adamw_config ocfg;
	struct clm_adamw opt;
	clm_adamw_defaults(&ocfg);
	clm_adamw_init(&opt, &ocfg);
	float loss;
	t0 = clm_now();
	if (clm_gpt_forward_backward(&m, &b, &loss) || clm_adamw_step(&opt, &m, 1))
		return fail("train");
	double step_s = clm_now() - t0;
	printf("lora_step: rank 8 on every projection (%zu trainable), 2 x %d tokens, loss %.3f, %.2f s "
	       "(%.1f tokens/s)\npeak_rss_after_train_mb: %.0f\n", clm_gpt_trainable_count(&m), n_train, loss, step_s,
	       2 * n_train / step_s, peak_rss_mb());
	clm_adamw_release(&opt);
	clm_batch_release(&b);
	clm_gpt_release(&m);
	return 0;
}
