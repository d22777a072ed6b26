/* Llama-family GGUF files whose blocks we write (F32, F16, Q8_0, Q4_0, Q5_0, Q4_K, Q6_K), run by
 * our engine with the weights kept in their encoding and by llama.cpp (node-llama-cpp 3.21.1,
 * tests/llama/setup.sh): our logits equal those of the same model decoded to f32 (the kernels),
 * and llama.cpp's greedy tokens equal ours for as long as our margin between the two most likely
 * tokens is clear of what the encoding may move (llama.cpp multiplies quantized weights with
 * 8-bit activations, so a near tie may go either way). qwen2 (halves) and llama (pairs, rows
 * reordered) both. Skipped, with a message, when node or the package cannot be had. */
#include "test_helpers.h"
#include <math.h>
#include "io/gguf_gpt2.h"
#include "io/gguf_llama.h"
#include "nn/config.h"
#include "nn/generate.h"
#include "nn/tensormap.h"
#include "tok/byte_unicode.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#define C 256
#define H 4
#define KV 2
#define HD 64
#define FF 512
#define L 2
#define V 300
#define N_NEW 12
#define N_PROMPTS 3

static const int32_t prompts[N_PROMPTS][5] = { { 40, 41, 42, 43, 44 }, { 7, 250, 3, 99, 180 }, { 1, 2, 3, 4, 5 } };

static char modules[4096];

static int setup(void **state)
{
	char cmd[4096];
	FILE *p;

	(void)state;
	if (!getenv("CLM_TOP"))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/llama/setup.sh'", getenv("CLM_TOP"));
	modules[0] = '\0';
	if ((p = popen(cmd, "r"))) {
		if (!fgets(modules, sizeof(modules), p))
			modules[0] = '\0';
		pclose(p);
	}
	modules[strcspn(modules, "\n")] = '\0';
	return 0;
}

static void add(struct clm_tensor_list *l, const char *name, int64_t rows, int64_t cols, float sd, float base,
		uint32_t seed)
{
	int64_t shape[2] = { rows, cols };
	size_t n = (size_t)(rows * (cols ? cols : 1));
	float *f = malloc(n * sizeof(float));
	uint32_t s = seed * 2654435761u + 11;

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		f[i] = base + sd * 3.46f * ((float)(s >> 8) / 16777216.0f - 0.5f);
	}
	assert_int_equal(clm_tensor_list_add(l, name, CLM_DTYPE_F32, cols ? 2 : 1, shape, f, n * sizeof(float)), 0);
	free(f);
}

/* A random model of family `fam` with its own output head (a tied one mostly repeats the input). */
static json_t *tiny_model(const char *cls, const char *fam, struct clm_tensor_list *l)
{
	char name[128];
	uint32_t seed = 100;
	int qwen = !strcmp(fam, "qwen2");

	memset(l, 0, sizeof(*l));
	add(l, "model.embed_tokens.weight", V, C, 1.0f, 0, seed++);
	for (int b = 0; b < L; b++) {
		const struct { const char *n; int64_t r, c; float sd, base; int bias; } t[] = {
			{ "input_layernorm.weight", C, 0, 0.1f, 1, 0 },
			{ "self_attn.q_proj.weight", H * HD, C, 0.08f, 0, 0 }, { "self_attn.q_proj.bias", H * HD, 0, 0.1f, 0, 1 },
			{ "self_attn.k_proj.weight", KV * HD, C, 0.08f, 0, 0 }, { "self_attn.k_proj.bias", KV * HD, 0, 0.1f, 0, 1 },
			{ "self_attn.v_proj.weight", KV * HD, C, 0.08f, 0, 0 }, { "self_attn.v_proj.bias", KV * HD, 0, 0.1f, 0, 1 },
			{ "self_attn.o_proj.weight", C, H * HD, 0.05f, 0, 0 },
			{ "post_attention_layernorm.weight", C, 0, 0.1f, 1, 0 },
			{ "mlp.gate_proj.weight", FF, C, 0.08f, 0, 0 }, { "mlp.up_proj.weight", FF, C, 0.08f, 0, 0 },
			{ "mlp.down_proj.weight", C, FF, 0.05f, 0, 0 },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if (t[i].bias && !qwen)
				continue;
			snprintf(name, sizeof(name), "model.layers.%d.%s", b, t[i].n);
			add(l, name, t[i].r, t[i].c, t[i].sd, t[i].base, seed++);
		}
	}
	add(l, "model.norm.weight", C, 0, 0.1f, 1, seed++);
	add(l, "lm_head.weight", V, C, 0.1f, 0, seed++);
	return json_pack("{s:[s], s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:b}", "architectures", cls,
			 "model_type", fam, "hidden_size", C, "intermediate_size", FF, "num_hidden_layers", L,
			 "num_attention_heads", H, "num_key_value_heads", KV, "max_position_embeddings", 64,
			 "vocab_size", V, "rms_norm_eps", 1e-5, "rope_theta", 10000.0, "tie_word_embeddings", 0);
}

/* Byte tokens in GPT-2's mapping, fillers, and <|endoftext|> last. */
static void vocab(struct clm_gguf_vocab *v)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;

	memset(v, 0, sizeof(*v));
	v->n_tokens = V;
	v->tokens = calloc(V, sizeof(char *));
	v->token_types = calloc(V, sizeof(int32_t));
	assert_true(v->tokens && v->token_types);
	for (int i = 0; i < V; i++) {
		uint8_t b = (uint8_t)i;
		clm_strbuf_reset(&sb);
		if (i < 256)
			assert_int_equal(clm_bytes_to_mapped(&b, 1, &sb), 0);
		else
			assert_int_equal(clm_strbuf_addf(&sb, i == V - 1 ? "<|endoftext|>" : "<t%d>", i), 0);
		v->tokens[i] = strdup(sb.buf);
		v->token_types[i] = i == V - 1 ? CLM_GGUF_TOKEN_CONTROL : CLM_GGUF_TOKEN_NORMAL;
	}
	v->bos_id = v->eos_id = V - 1;
	clm_strbuf_release(&sb);
}

static void write_file(const char *path, const char *cls, const char *fam, enum clm_ggml_type type)
{
	struct clm_tensor_list hf;
	struct clm_gguf_vocab v;
	struct clm_gguf_writer w;
	json_t *cfg = tiny_model(cls, fam, &hf);

	vocab(&v);
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	if (clm_gguf_add_llama(&w, cfg, &hf, type, type) < 0 || clm_gguf_add_vocab(&w, &v, "qwen2") < 0)
		fail_msg("%s", clm_error());
	assert_int_equal(clm_gguf_write(&w, path), 0);
	clm_gguf_writer_release(&w);
	clm_gguf_vocab_release(&v);
	clm_tensor_list_release(&hf);
	json_decref(cfg);
}

/* Logits after `prompt`, then greedy tokens with the margin (top-1 minus top-2, in standard
 * deviations of that step's logits) of each choice. */
static void run_ours(struct clm_gpt *m, const int32_t *prompt, int n, float *first, int32_t *out, float *margin)
{
	struct clm_kv_cache kv;
	float *lg = malloc(V * sizeof(float));
	int seq = 0, off[2] = { 0, n }, one[2] = { 0, 1 };

	assert_non_null(lg);
	assert_int_equal(clm_kv_cache_init(&kv, &m->cfg, 1, n + N_NEW), 0);
	assert_int_equal(clm_gpt_decode(m, &kv, 1, &seq, NULL, NULL, off, prompt, NULL, lg), 0);
	if (first)
		memcpy(first, lg, V * sizeof(float));
	for (int k = 0; out && k < N_NEW; k++) {
		int a = 0, b = -1;
		double s = 0, s2 = 0;
		for (int i = 0; i < V; i++) {
			s += lg[i];
			s2 += (double)lg[i] * lg[i];
			if (lg[i] > lg[a]) {
				b = a;
				a = i;
			} else if (i != a && (b < 0 || lg[i] > lg[b])) {
				b = i;
			}
		}
		out[k] = a;
		margin[k] = (float)((lg[a] - lg[b]) / sqrt(s2 / V - (s / V) * (s / V)));
		if (k + 1 < N_NEW)
			assert_int_equal(clm_gpt_decode(m, &kv, 1, &seq, NULL, NULL, one, &out[k], NULL, lg), 0);
	}
	clm_kv_cache_release(&kv);
	free(lg);
}

static json_t *llama_greedy(const char *gguf)
{
	struct clm_strbuf text = CLM_STRBUF_INIT, out = CLM_STRBUF_INIT;
	json_t *req = json_pack("{s:i, s:[]}", "n", N_NEW, "prompts"), *root, *results;
	char cmd[8192];

	for (int p = 0; p < N_PROMPTS; p++) {
		json_t *ids = json_array();
		for (int i = 0; i < 5; i++)
			json_array_append_new(ids, json_integer(prompts[p][i]));
		json_array_append_new(json_object_get(req, "prompts"), json_pack("{s:s, s:o}", "text", "", "ids", ids));
	}
	assert_int_equal(clm_json_dump(req, &text), 0);
	assert_int_equal(clm_write_file_atomic("quant-request.json", text.buf, text.len), 0);
	snprintf(cmd, sizeof(cmd), "node '%s/tests/llama/greedy.mjs' '%s' '%s' quant-request.json > quant-answer.json",
		 getenv("CLM_TOP"), modules, gguf);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(clm_read_file("quant-answer.json", 0, &out), 0);
	root = clm_json_parse(out.buf, out.len, "llama.cpp answer");
	assert_non_null(root);
	results = json_incref(json_object_get(root, "results"));
	json_decref(root);
	json_decref(req);
	clm_strbuf_release(&text);
	clm_strbuf_release(&out);
	return results;
}

/* One family and encoding: kernels against the decoded model, then llama.cpp against us. */
static void check(const char *cls, const char *fam, enum clm_ggml_type type, float clear)
{
	char path[64];
	struct clm_gguf_model g;
	struct clm_gguf_file f;
	struct clm_gguf_hf_tensors t;
	struct clm_tensor_list dec;
	struct clm_gpt_config cfg;
	struct clm_gpt ref;
	json_t *config, *results = NULL;
	int32_t ours[N_PROMPTS][N_NEW];
	float margin[N_PROMPTS][N_NEW], a[V], b[V], amax = 0, worst = 0;
	int compared = 0;

	snprintf(path, sizeof(path), "quant-%s-%s.gguf", fam, clm_ggml_type_name(type));
	write_file(path, cls, fam, type);
	if (clm_gguf_open_model(path, &g) < 0)
		fail_msg("%s", clm_error());
	/* the same file decoded to f32 (the f32 engine path) */
	assert_int_equal(clm_gguf_open(path, &f), 0);
	assert_int_equal(clm_gguf_read_llama(&f, &config, &t), 0);
	assert_int_equal(clm_gguf_hf_tensors_to_list(&t, &dec), 0);
	assert_int_equal(clm_gpt_config_from_json(config, &cfg), 0);
	assert_int_equal(clm_gpt_from_tensors(&ref, &cfg, &dec), 0);
	for (int p = 0; p < N_PROMPTS; p++) {
		run_ours(&g.model, prompts[p], 5, a, ours[p], margin[p]);
		run_ours(&ref, prompts[p], 5, b, NULL, NULL);
		for (int i = 0; i < V; i++) {
			amax = fmaxf(amax, fabsf(b[i]));
			worst = fmaxf(worst, fabsf(a[i] - b[i]));
		}
	}
	if (worst > 1e-4f * amax)
		fail_msg("%s %s: kept-encoded logits differ from decoded ones by %g (largest %g)", fam,
			 clm_ggml_type_name(type), worst, amax);
	if (modules[0])
		results = llama_greedy(path);
	for (int p = 0; results && p < N_PROMPTS; p++) {
		const json_t *gen = json_object_get(json_array_get(results, p), "generated");
		for (int k = 0; k < N_NEW && margin[p][k] >= clear; k++, compared++) {
			if (json_integer_value(json_array_get(gen, k)) != ours[p][k])
				fail_msg("%s %s prompt %d token %d: llama.cpp %lld, ours %d (margin %.3f sd)", fam,
					 clm_ggml_type_name(type), p, k, (long long)json_integer_value(json_array_get(gen, k)),
					 ours[p][k], margin[p][k]);
		}
	}
	if (results) {
		print_message("# %s %s: %d greedy tokens compared with llama.cpp, all equal\n", fam,
			      clm_ggml_type_name(type), compared);
		assert_true(compared >= N_NEW); /* not vacuous: at least a prompt's worth of clear choices */
	}
	json_decref(results);
	json_decref(config);
	clm_gpt_release(&ref);
	clm_tensor_list_release(&dec);
	clm_gguf_hf_tensors_release(&t);
	clm_gguf_close(&f);
	clm_gguf_model_release(&g);
}

static void qwen2_each_encoding(void **state)
{
	(void)state;
	if (!modules[0])
		print_message("# node-llama-cpp unavailable: llama.cpp's side is skipped\n");
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_F32, 0.01f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_F16, 0.01f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_Q8_0, 0.03f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_Q4_0, 0.05f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_Q5_0, 0.05f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_Q4_K, 0.05f);
	check("Qwen2ForCausalLM", "qwen2", CLM_GGML_Q6_K, 0.03f);
}

static void llama_rows_reordered(void **state)
{
	(void)state;
	check("LlamaForCausalLM", "llama", CLM_GGML_F32, 0.01f);
	check("LlamaForCausalLM", "llama", CLM_GGML_Q4_K, 0.05f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qwen2_each_encoding),
		cmocka_unit_test(llama_rows_reordered),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
