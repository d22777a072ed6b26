/* Inference benchmark helper (make bench-infer, tests/bench/infer.sh):
 *   bench_infer write <out.gguf> <F32|Q8_0|Q4_K>
 * writes a qwen2 model with the real shapes of Qwen2.5-Coder-0.5B (24 layers, 896 wide, 14 heads,
 * 2 key/value heads of 64, MLP 4864, vocabulary 151936, tied embedding, rope_theta 1e6) and
 * random weights, encoded as llama.cpp's quantizer would (Q4_K rows that are not whole 256-value
 * blocks fall back to Q5_0; the embedding is Q8_0 in the Q4_K file), with a byte-level vocabulary
 * of that size so llama.cpp loads it;
 *   bench_infer run <model.gguf> <prompt tokens> <new tokens>
 * opens it with our engine (weights kept in their encoding), feeds token ids 1, 2, ... as one
 * prompt and generates greedily, printing what tests/llama/bench.mjs prints for llama.cpp: load
 * seconds, prompt tokens/s (to the first new token), generated tokens/s (the tokens after the
 * first), both also per second of process CPU time, peak RSS in MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "io/gguf.h"
#include "io/gguf_gpt2.h"
#include "io/gguf_llama.h"
#include "nn/generate.h"
#include "tok/byte_unicode.h"
#include "util/error.h"
#include "util/strbuf.h"

#define N_LAYER 24
#define N_EMBD 896
#define N_HEAD 14
#define N_KV 2
#define HEAD_DIM 64
#define N_FF 4864
#define N_VOCAB 151936

static uint32_t rng = 12345;

/* Roughly normal values of standard deviation `sd` (sum of four uniforms). */
static void fill(uint16_t *bf16, size_t n, float sd)
{
	for (size_t i = 0; i < n; i++) {
		float u = 0;
		for (int k = 0; k < 4; k++) {
			rng = rng * 1664525u + 1013904223u;
			u += (float)(rng >> 8) / 16777216.0f - 0.5f;
		}
		bf16[i] = clm_float_to_bf16(u * sd * 1.732f);
	}
}

static int add(struct clm_tensor_list *l, const char *name, int64_t rows, int64_t cols, float sd, float one)
{
	int64_t shape[2] = { rows, cols };
	size_t n = (size_t)(rows * (cols ? cols : 1));
	uint16_t *v = malloc(n * sizeof(uint16_t));
	int rc;

	if (!v)
		return clm_error_oom();
	if (one != 0) {
		for (size_t i = 0; i < n; i++)
			v[i] = clm_float_to_bf16(one);
	} else {
		fill(v, n, sd);
	}
	rc = clm_tensor_list_add(l, name, CLM_DTYPE_BF16, cols ? 2 : 1, shape, v, n * sizeof(uint16_t));
	free(v);
	return rc;
}

static int random_model(struct clm_tensor_list *l)
{
	char name[128];
	int rc = add(l, "model.embed_tokens.weight", N_VOCAB, N_EMBD, 0.02f, 0);

	for (int b = 0; b < N_LAYER && !rc; b++) {
		const struct { const char *n; int64_t r, c; float one; } t[] = {
			{ "input_layernorm.weight", N_EMBD, 0, 1 },
			{ "self_attn.q_proj.weight", N_HEAD * HEAD_DIM, N_EMBD, 0 },
			{ "self_attn.q_proj.bias", N_HEAD * HEAD_DIM, 0, 0 },
			{ "self_attn.k_proj.weight", N_KV * HEAD_DIM, N_EMBD, 0 },
			{ "self_attn.k_proj.bias", N_KV * HEAD_DIM, 0, 0 },
			{ "self_attn.v_proj.weight", N_KV * HEAD_DIM, N_EMBD, 0 },
			{ "self_attn.v_proj.bias", N_KV * HEAD_DIM, 0, 0 },
			{ "self_attn.o_proj.weight", N_EMBD, N_HEAD * HEAD_DIM, 0 },
			{ "post_attention_layernorm.weight", N_EMBD, 0, 1 },
			{ "mlp.gate_proj.weight", N_FF, N_EMBD, 0 },
			{ "mlp.up_proj.weight", N_FF, N_EMBD, 0 },
			{ "mlp.down_proj.weight", N_EMBD, N_FF, 0 },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && !rc; i++) {
			snprintf(name, sizeof(name), "model.layers.%d.%s", b, t[i].n);
			rc = add(l, name, t[i].r, t[i].c, 0.02f, t[i].one);
		}
	}
	return rc ? rc : add(l, "model.norm.weight", N_EMBD, 0, 0, 1);
}

/* 256 byte tokens in GPT-2's mapping, then "<tN>" fillers, the last one <|endoftext|>. */
static int vocab(struct clm_gguf_vocab *v)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char buf[32];
	int rc = 0;

	memset(v, 0, sizeof(*v));
	v->tokens = calloc(N_VOCAB, sizeof(char *));
	v->token_types = calloc(N_VOCAB, sizeof(int32_t));
	if (!v->tokens || !v->token_types)
		return clm_error_oom();
	v->n_tokens = N_VOCAB;
	for (int i = 0; i < N_VOCAB && !rc; i++) {
		uint8_t b = (uint8_t)i;
		clm_strbuf_reset(&sb);
		if (i < 256) {
			rc = clm_bytes_to_mapped(&b, 1, &sb);
		} else {
			snprintf(buf, sizeof(buf), i == N_VOCAB - 1 ? "<|endoftext|>" : "<t%d>", i);
			rc = clm_strbuf_addstr(&sb, buf);
		}
		if (!rc && !(v->tokens[i] = strdup(sb.buf)))
			rc = clm_error_oom();
		v->token_types[i] = i == N_VOCAB - 1 ? CLM_GGUF_TOKEN_CONTROL : CLM_GGUF_TOKEN_NORMAL;
	}
	v->bos_id = v->eos_id = N_VOCAB - 1;
	clm_strbuf_release(&sb);
	return rc;
}

static int write_model(const char *path, const char *type_name)
{
	enum clm_ggml_type type, embd;
	struct clm_tensor_list hf = { 0 };
	struct clm_gguf_vocab v = { 0 };
	struct clm_gguf_writer w;
	json_t *cfg = json_pack("{s:[s], s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:b}", "architectures",
				"Qwen2ForCausalLM", "model_type", "qwen2", "hidden_size", N_EMBD, "intermediate_size",
				N_FF, "num_hidden_layers", N_LAYER, "num_attention_heads", N_HEAD, "num_key_value_heads",
				N_KV, "head_dim", HEAD_DIM, "max_position_embeddings", 32768, "vocab_size", N_VOCAB,
				"rms_norm_eps", 1e-6, "rope_theta", 1000000.0, "tie_word_embeddings", 1);
	int rc;

	if (!strcmp(type_name, "F32")) {
		type = embd = CLM_GGML_F32;
	} else if (!strcmp(type_name, "Q8_0")) {
		type = embd = CLM_GGML_Q8_0;
	} else if (!strcmp(type_name, "Q4_K")) {
		type = CLM_GGML_Q4_K;
		embd = CLM_GGML_Q8_0;
	} else {
		json_decref(cfg);
		return clm_error_set(CLM_EINVALID, "type '%s' is not F32, Q8_0 or Q4_K", type_name);
	}
	rc = clm_gguf_writer_init(&w, 0);
	if (!rc)
		rc = random_model(&hf);
	if (!rc)
		rc = vocab(&v);
	if (!rc)
		rc = clm_gguf_add_string(&w, "general.name", "qwen2.5-coder-0.5b-shaped random");
	if (!rc)
		rc = clm_gguf_add_llama(&w, cfg, &hf, type, embd);
	if (!rc)
		rc = clm_gguf_add_vocab(&w, &v, "qwen2");
	clm_tensor_list_release(&hf);
	if (!rc)
		rc = clm_gguf_write(&w, path);
	clm_gguf_writer_release(&w);
	clm_gguf_vocab_release(&v);
	json_decref(cfg);
	return rc;
}

static double clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static long peak_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

static int32_t argmax(const float *v, int n)
{
	int32_t best = 0;

	for (int i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

static int run_model(const char *path, int n_prompt, int n_new)
{
	struct clm_gguf_model g;
	struct clm_kv_cache kv = { 0 };
	int32_t *ids = NULL;
	float *logits = NULL;
	double t0 = now(), t_load, t_first = 0, t_end, c_load, c_first = 0, c_end;
	int seq = 0, off[2] = { 0, n_prompt }, one[2] = { 0, 1 }, rc;

	if (n_prompt < 1 || n_new < 2)
		return clm_error_set(CLM_EINVALID, "need a prompt and at least 2 new tokens");
	if ((rc = clm_gguf_open_model(path, &g)) < 0)
		return rc;
	t_load = now();
	c_load = cpu();
	rc = clm_kv_cache_init(&kv, &g.model.cfg, 1, n_prompt + n_new);
	ids = malloc((size_t)n_prompt * sizeof(int32_t));
	logits = malloc((size_t)g.model.cfg.vocab_size * sizeof(float));
	if (!rc && (!ids || !logits))
		rc = clm_error_oom();
	for (int i = 0; !rc && i < n_prompt; i++)
		ids[i] = (1 + i) % g.model.cfg.vocab_size;
	if (!rc)
		rc = clm_gpt_decode(&g.model, &kv, 1, &seq, NULL, NULL, off, ids, NULL, logits);
	for (int k = 1; !rc && k < n_new; k++) {
		int32_t next = argmax(logits, g.model.cfg.vocab_size);
		if (k == 1) {
			t_first = now();
			c_first = cpu();
		}
		rc = clm_gpt_decode(&g.model, &kv, 1, &seq, NULL, NULL, one, &next, NULL, logits);
	}
	t_end = now();
	c_end = cpu();
	if (!rc) {
		printf("load_s: %.3f\n", t_load - t0);
		printf("prompt_tokens_per_s: %.2f\n", n_prompt / (t_first - t_load));
		printf("gen_tokens_per_s: %.2f\n", (n_new - 1) / (t_end - t_first));
		printf("prompt_tokens_per_cpu_s: %.2f\n", n_prompt / (c_first - c_load));
		printf("gen_tokens_per_cpu_s: %.2f\n", (n_new - 1) / (c_end - c_first));
		printf("peak_rss_mib: %ld\n", peak_rss_kib() / 1024);
	}
	free(ids);
	free(logits);
	clm_kv_cache_release(&kv);
	clm_gguf_model_release(&g);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc == 4 && !strcmp(argv[1], "write")) {
		rc = write_model(argv[2], argv[3]);
	} else if (argc == 5 && !strcmp(argv[1], "run")) {
		rc = run_model(argv[2], atoi(argv[3]), atoi(argv[4]));
	} else {
		fprintf(stderr, "usage: bench_infer write <out.gguf> <F32|Q8_0|Q4_K>\n"
				"       bench_infer run <model.gguf> <prompt tokens> <new tokens>\n");
		return 129;
	}
	if (rc < 0) {
		fprintf(stderr, "bench_infer: %s\n", clm_error());
		return 1;
	}
	return 0;
}
