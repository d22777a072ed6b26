/* libcore/io/gguf_llama: Llama, Qwen2 and StarCoder2 models to GGUF and back. Tensors come back
 * under their Hugging Face names exactly (F32) or as the decoded blocks (quantized), q/k rows in
 * Hugging Face order although the llama file holds them in llama.cpp's; the config survives; the
 * file's own row order is llama.cpp's pair order; what we cannot run is refused by name. */
#include "test_helpers.h"
#include <math.h>
#include "io/gguf_llama.h"
#include "util/error.h"

#define C 64
#define H 4
#define KV 2
#define HD 16
#define FF 96
#define V 50
#define L 2

static json_t *tiny_config(const char *cls, const char *type, int tied)
{
	return json_pack("{s:[s], s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:b}", "architectures", cls,
			 "model_type", type, "hidden_size", C, "intermediate_size", FF, "num_hidden_layers", L,
			 "num_attention_heads", H, "num_key_value_heads", KV, "max_position_embeddings", 128,
			 "vocab_size", V, "rms_norm_eps", 1e-5, "rope_theta", 10000.0, "tie_word_embeddings", tied);
}

static void add(struct clm_tensor_list *l, const char *name, int64_t rows, int64_t cols, uint32_t seed)
{
	int64_t shape[2] = { rows, cols };
	size_t n = (size_t)(rows * (cols ? cols : 1));
	float *f = malloc(n * sizeof(float));
	uint32_t s = seed * 2654435761u + 3;

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		f[i] = ((float)(s >> 8) / 16777216.0f - 0.5f) * 0.4f;
	}
	assert_int_equal(clm_tensor_list_add(l, name, CLM_DTYPE_F32, cols ? 2 : 1, shape, f, n * sizeof(float)), 0);
	free(f);
}

/* A tiny model of family `fam` ("llama", "qwen2", "starcoder2"). */
static void tiny_model(const char *fam, int tied, struct clm_tensor_list *l)
{
	char name[128];
	uint32_t seed = 1;
	int sc2 = !strcmp(fam, "starcoder2"), bias = !strcmp(fam, "qwen2") || sc2;

	memset(l, 0, sizeof(*l));
	add(l, "model.embed_tokens.weight", V, C, seed++);
	for (int b = 0; b < L; b++) {
		const struct { const char *n; int64_t r, c; int is_bias; } t[] = {
			{ "input_layernorm.weight", C, 0, 0 }, { "input_layernorm.bias", C, 0, 2 },
			{ "self_attn.q_proj.weight", H * HD, C, 0 }, { "self_attn.q_proj.bias", H * HD, 0, 1 },
			{ "self_attn.k_proj.weight", KV * HD, C, 0 }, { "self_attn.k_proj.bias", KV * HD, 0, 1 },
			{ "self_attn.v_proj.weight", KV * HD, C, 0 }, { "self_attn.v_proj.bias", KV * HD, 0, 1 },
			{ "self_attn.o_proj.weight", C, H * HD, 0 }, { "self_attn.o_proj.bias", C, 0, 2 },
			{ "post_attention_layernorm.weight", C, 0, 0 }, { "post_attention_layernorm.bias", C, 0, 2 },
			{ "mlp.gate_proj.weight", FF, C, 3 }, { "mlp.up_proj.weight", FF, C, 3 },
			{ "mlp.down_proj.weight", C, FF, 3 }, { "mlp.c_fc.weight", FF, C, 4 }, { "mlp.c_fc.bias", FF, 0, 4 },
			{ "mlp.c_proj.weight", C, FF, 4 }, { "mlp.c_proj.bias", C, 0, 4 },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if ((t[i].is_bias == 1 && !bias) || (t[i].is_bias == 2 && !sc2) || (t[i].is_bias == 3 && sc2) ||
			    (t[i].is_bias == 4 && !sc2))
				continue;
			snprintf(name, sizeof(name), "model.layers.%d.%s", b, t[i].n);
			add(l, name, t[i].r, t[i].c, seed++);
		}
	}
	add(l, "model.norm.weight", C, 0, seed++);
	if (sc2)
		add(l, "model.norm.bias", C, 0, seed++);
	if (!tied)
		add(l, "lm_head.weight", V, C, seed++);
}

/* Write `hf` as `type`, read it back, and compare each tensor with its encoded-decoded self. */
static void round_trip(const char *cls, const char *fam, int tied, enum clm_ggml_type type)
{
	struct clm_tensor_list hf, back;
	struct clm_gguf_writer w;
	struct clm_gguf_file f;
	struct clm_gguf_hf_tensors t;
	json_t *cfg = tiny_config(cls, fam, tied), *got;
	char path[64];

	snprintf(path, sizeof(path), "map-%s-%d.gguf", fam, (int)type);
	tiny_model(fam, tied, &hf);
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	if (clm_gguf_add_llama(&w, cfg, &hf, type, type) < 0)
		fail_msg("%s: %s", fam, clm_error());
	assert_int_equal(clm_gguf_write(&w, path), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_open(path, &f), 0);
	if (clm_gguf_read_llama(&f, &got, &t) < 0)
		fail_msg("%s: %s", fam, clm_error());
	assert_int_equal(clm_gguf_hf_tensors_to_list(&t, &back), 0);
	assert_int_equal(back.n, hf.n);
	for (size_t i = 0; i < hf.n; i++) {
		const struct clm_named_tensor *a = &hf.items[i], *b = clm_tensor_list_find(&back, a->name);
		size_t n = a->nbytes / 4, bytes;
		enum clm_ggml_type enc = a->ndim == 1 ? CLM_GGML_F32 : type;
		float *want = malloc(n * sizeof(float)), *have;
		uint8_t *q;
		if (!b)
			fail_msg("%s: %s did not come back", fam, a->name);
		assert_true(b->ndim == a->ndim && b->shape[0] == a->shape[0] && b->shape[1] == a->shape[1]);
		assert_int_equal(clm_ggml_row_bytes(enc, n, &bytes), 0);
		q = malloc(bytes);
		clm_ggml_quantize(enc, a->data, q, n); /* these rows are whole blocks of every type tested */
		clm_ggml_dequantize(enc, q, want, n);
		assert_int_equal(clm_tensor_to_f32(b, &have), 0);
		if (memcmp(want, have, n * sizeof(float)))
			fail_msg("%s %s: %s differs", fam, clm_ggml_type_name(type), a->name);
		free(want);
		free(have);
		free(q);
	}
	assert_int_equal(json_integer_value(json_object_get(got, "num_key_value_heads")), KV);
	assert_int_equal(json_integer_value(json_object_get(got, "head_dim")), HD);
	assert_true(json_is_true(json_object_get(got, "tie_word_embeddings")) == tied);
	assert_string_equal(json_string_value(json_array_get(json_object_get(got, "architectures"), 0)), cls);
	json_decref(got);
	json_decref(cfg);
	clm_gguf_hf_tensors_release(&t);
	clm_gguf_close(&f);
	clm_tensor_list_release(&hf);
	clm_tensor_list_release(&back);
}

static void families_round_trip(void **state)
{
	(void)state;
	round_trip("LlamaForCausalLM", "llama", 1, CLM_GGML_F32);
	round_trip("LlamaForCausalLM", "llama", 0, CLM_GGML_Q8_0);
	round_trip("Qwen2ForCausalLM", "qwen2", 1, CLM_GGML_F32);
	round_trip("Qwen2ForCausalLM", "qwen2", 1, CLM_GGML_Q4_0);
	round_trip("Starcoder2ForCausalLM", "starcoder2", 1, CLM_GGML_F32);
	round_trip("Starcoder2ForCausalLM", "starcoder2", 0, CLM_GGML_F16);
}

/* The llama file holds q rows in pairs: GGUF row 2i+j of a head is HF row j*HD/2+i; qwen2 keeps
 * HF's order. */
static void llama_rows_are_interleaved(void **state)
{
	const char *fams[2][2] = { { "LlamaForCausalLM", "llama" }, { "Qwen2ForCausalLM", "qwen2" } };
	(void)state;
	for (int k = 0; k < 2; k++) {
		struct clm_tensor_list hf;
		struct clm_gguf_writer w;
		struct clm_gguf_file f;
		json_t *cfg = tiny_config(fams[k][0], fams[k][1], 1);
		const struct clm_gguf_tensor *q;
		const float *src, *dst;
		tiny_model(fams[k][1], 1, &hf);
		src = clm_tensor_list_find(&hf, "model.layers.1.self_attn.q_proj.weight")->data;
		assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
		assert_int_equal(clm_gguf_add_llama(&w, cfg, &hf, CLM_GGML_F32, CLM_GGML_F32), 0);
		assert_int_equal(clm_gguf_write(&w, "map-rows.gguf"), 0);
		clm_gguf_writer_release(&w);
		assert_int_equal(clm_gguf_open("map-rows.gguf", &f), 0);
		q = clm_gguf_find_tensor(&f, "blk.1.attn_q.weight");
		assert_non_null(q);
		dst = (const float *)(const void *)q->data;
		for (int h = 0; h < H; h++)
			for (int i = 0; i < HD / 2; i++)
				for (int j = 0; j < 2; j++) {
					int hf_row = h * HD + j * HD / 2 + i, gguf_row = k == 0 ? h * HD + 2 * i + j : hf_row;
					assert_memory_equal(dst + gguf_row * C, src + hf_row * C, C * sizeof(float));
				}
		clm_gguf_close(&f);
		json_decref(cfg);
		clm_tensor_list_release(&hf);
	}
}

/* A file with an extra key or tensor: refused with its name. */
static void expect_refused(void (*change)(struct clm_gguf_writer *), const char *says)
{
	struct clm_tensor_list hf;
	struct clm_gguf_writer w;
	struct clm_gguf_file f;
	struct clm_gguf_hf_tensors t;
	json_t *cfg = tiny_config("LlamaForCausalLM", "llama", 1), *got;

	tiny_model("llama", 1, &hf);
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	assert_int_equal(clm_gguf_add_llama(&w, cfg, &hf, CLM_GGML_F32, CLM_GGML_F32), 0);
	change(&w);
	assert_int_equal(clm_gguf_write(&w, "map-bad.gguf"), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_open("map-bad.gguf", &f), 0);
	assert_int_equal(clm_gguf_read_llama(&f, &got, &t), CLM_EINVALID);
	if (!strstr(clm_error(), says))
		fail_msg("message '%s' lacks '%s'", clm_error(), says);
	assert_null(got);
	assert_int_equal(t.n, 0);
	clm_gguf_close(&f);
	json_decref(cfg);
	clm_tensor_list_release(&hf);
}

static void add_rope_freqs(struct clm_gguf_writer *w)
{
	float ff[HD / 2] = { 1 };
	uint64_t ne = HD / 2;
	assert_int_equal(clm_gguf_add_tensor(w, "rope_freqs.weight", CLM_GGML_F32, 1, &ne, ff, sizeof(ff)), 0);
}

static void add_expert(struct clm_gguf_writer *w)
{
	float x[4] = { 0 };
	uint64_t ne = 4;
	assert_int_equal(clm_gguf_add_tensor(w, "blk.0.ffn_gate_inp.weight", CLM_GGML_F32, 1, &ne, x, sizeof(x)), 0);
}

static void add_yarn(struct clm_gguf_writer *w)
{
	assert_int_equal(clm_gguf_add_string(w, "llama.rope.scaling.type", "yarn"), 0);
}

static void refuses_what_we_cannot_run(void **state)
{
	(void)state;
	expect_refused(add_rope_freqs, "rope frequency factors");
	expect_refused(add_expert, "tensor 'blk.0.ffn_gate_inp.weight' has no place in a llama model");
	expect_refused(add_yarn, "rope scaling 'yarn' is not supported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(families_round_trip),
		cmocka_unit_test(llama_rows_are_interleaved),
		cmocka_unit_test(refuses_what_we_cannot_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
