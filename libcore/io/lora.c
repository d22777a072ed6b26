/* LoRA sets as PEFT directories and llama.cpp GGUF adapters: see lora.h. */
#include "io/lora.h"
#include "io/gguf.h"
#include "io/gguf_llama.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The set index of a "clm.lora.<k>." name and where the rest starts; -1 for other names. */
static int set_of(const char *name, const char **rest)
{
	int k, n = 0;

	if (sscanf(name, "clm.lora.%d.%n", &k, &n) != 1 || n == 0 || k < 0)
		return -1;
	*rest = name + n;
	return k;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

/* dst[c][r] = src[r][c] for a rows x cols matrix. */
static void transpose(float *dst, const float *src, int64_t rows, int64_t cols)
{
	for (int64_t r = 0; r < rows; r++)
		for (int64_t c = 0; c < cols; c++)
			dst[c * rows + r] = src[r * cols + c];
}

/* Add `t` (a 2-D float tensor) transposed under `name`. */
static int add_transposed(struct clm_tensor_list *out, const char *name, const struct clm_named_tensor *t)
{
	float *src = NULL, *dst = NULL;
	int64_t shape[2] = { t->shape[1], t->shape[0] };
	size_t n = (size_t)(t->shape[0] * t->shape[1]);
	int rc = clm_tensor_to_f32(t, &src);

	if (rc == 0 && !(dst = malloc((n ? n : 1) * sizeof(float))))
		rc = clm_error_oom();
	if (rc == 0) {
		transpose(dst, src, t->shape[0], t->shape[1]);
		rc = clm_tensor_list_add(out, name, CLM_DTYPE_F32, 2, shape, dst, n * sizeof(float));
	}
	free(src);
	free(dst);
	return rc;
}

/* The alpha of set k: its "clm.lora.<k>.alpha" scalar, else the rank (the engine's default). */
static int set_alpha(const struct clm_tensor_list *w, int k, struct clm_lora_adapter *a)
{
	char name[48];
	const struct clm_named_tensor *t;
	float v;

	snprintf(name, sizeof(name), "clm.lora.%d.alpha", k);
	a->alpha = (float)a->rank;
	if (!(t = clm_tensor_list_find(w, name)))
		return 0;
	if (clm_shape_numel(t->ndim, t->shape) != 1 || clm_tensor_to_f32_into(t, &v) < 0 || !(v == v))
		return clm_error_set(CLM_EINVALID, "%s is not one number", name);
	a->alpha = v;
	return 0;
}

/* Add module `mod` of set k (A [in, r] and B [r, out]) transposed. */
static int collect_module(const struct clm_tensor_list *w, int k, const struct clm_named_tensor *A, const char *mod,
			  size_t mod_len, struct clm_lora_adapter *a)
{
	struct clm_strbuf name = CLM_STRBUF_INIT;
	const struct clm_named_tensor *B;
	int rc = clm_strbuf_addf(&name, "clm.lora.%d.%.*s.B", k, (int)mod_len, mod);

	if (rc < 0)
		return rc;
	B = clm_tensor_list_find(w, name.buf);
	if (!B || A->ndim != 2 || B->ndim != 2 || A->shape[1] != B->shape[0] || A->shape[1] < 1 ||
	    (a->rank && A->shape[1] != a->rank)) {
		rc = clm_error_set(CLM_EINVALID, "LoRA set %d: module '%.*s' has no B or misshapen A/B", k, (int)mod_len,
				   mod);
		goto cleanup;
	}
	a->rank = (int)A->shape[1];
	clm_strbuf_reset(&name);
	if ((rc = clm_strbuf_addf(&name, "%.*s.lora_A", (int)mod_len, mod)) == 0)
		rc = add_transposed(&a->ab, name.buf, A);
	clm_strbuf_reset(&name);
	if (rc == 0 && (rc = clm_strbuf_addf(&name, "%.*s.lora_B", (int)mod_len, mod)) == 0)
		rc = add_transposed(&a->ab, name.buf, B);
cleanup:
	clm_strbuf_release(&name);
	return rc;
}

int clm_lora_collect(const struct clm_tensor_list *w, int set, struct clm_lora_adapter *out)
{
	const char *rest;
	int last = -1, rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < w->n; i++) {
		int k = set_of(w->items[i].name, &rest);
		last = k > last ? k : last;
	}
	if (set < 0)
		set = last;
	if (set < 0 || set > last)
		return clm_error_set(CLM_ENOTFOUND, last < 0 ? "the version has no LoRA adapter" :
				     "the version has LoRA sets 0 to %d, not %d", last, set);
	out->set = set;
	for (size_t i = 0; i < w->n && rc == 0; i++) {
		const struct clm_named_tensor *t = &w->items[i];
		if (set_of(t->name, &rest) == set && has_suffix(rest, ".A"))
			rc = collect_module(w, set, t, rest, strlen(rest) - 2, out);
	}
	if (rc == 0 && !out->ab.n)
		rc = clm_error_set(CLM_EINVALID, "LoRA set %d has no A/B tensors", set);
	if (rc == 0)
		rc = set_alpha(w, set, out);
	if (rc < 0)
		clm_lora_adapter_release(out);
	return rc;
}

/* Whether `arr` holds the string s[0..len). */
static int has_string(const json_t *arr, const char *s, size_t len)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		if (strlen(v) == len && !strncmp(v, s, len))
			return 1;
	}
	return 0;
}

json_t *clm_lora_target_modules(const struct clm_lora_adapter *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < a->ab.n; i++) {
		const char *s = a->ab.items[i].name, *last = s;
		size_t len = strlen(s) - strlen(".lora_A");
		for (size_t j = 0; j < len; j++)
			if (s[j] == '.')
				last = s + j + 1;
		len -= (size_t)(last - s);
		if (!has_string(arr, last, len) && json_array_append_new(arr, json_stringn(last, len)) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* GPT-2 keeps its blocks under "h.N." (HF's GPT2LMHeadModel puts them under "transformer."). */
static int is_gpt2_module(const char *name)
{
	return !strncmp(name, "h.", 2);
}

static json_t *peft_config(const struct clm_lora_adapter *a, const json_t *config)
{
	const char *base = json_string_value(json_object_get(config, "_name_or_path"));
	int gpt2 = a->ab.n && is_gpt2_module(a->ab.items[0].name);
	json_t *targets = clm_lora_target_modules(a);

	if (!targets)
		return NULL;
	return json_pack("{ss ss si sf so sf ss sb ss? sb sb sb sb}", "peft_type", "LORA", "task_type", "CAUSAL_LM", "r",
			 a->rank, "lora_alpha", (double)a->alpha, "target_modules", targets, "lora_dropout", 0.0, "bias",
			 "none", "fan_in_fan_out", gpt2, "base_model_name_or_path", base,
			 "inference_mode", 1, "use_rslora", 0, "use_dora", 0, "init_lora_weights", 1);
}

int clm_lora_write_peft(const struct clm_lora_adapter *a, const char *config_json, size_t config_len, const char *dir)
{
	struct clm_tensor_list peft = { 0 };
	struct clm_strbuf name = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT;
	json_t *config = clm_json_parse(config_json, config_len, "config.json"), *pc = NULL;
	char *text = NULL;
	int rc = config ? 0 : CLM_EINVALID;

	for (size_t i = 0; i < a->ab.n && rc == 0; i++) {
		const struct clm_named_tensor *t = &a->ab.items[i];
		clm_strbuf_reset(&name);
		rc = clm_strbuf_addf(&name, "base_model.model.%s%s.weight", is_gpt2_module(t->name) ? "transformer." : "",
				     t->name);
		if (rc == 0)
			rc = clm_tensor_list_add(&peft, name.buf, t->dtype, t->ndim, t->shape, t->data, t->nbytes);
	}
	if (rc == 0 && (!(pc = peft_config(a, config)) || !(text = json_dumps(pc, JSON_INDENT(2) | JSON_SORT_KEYS))))
		rc = clm_error_oom();
	if (rc == 0 && clm_mkdir_p(dir, 0777) < 0)
		rc = clm_error_set(CLM_EIO, "cannot create '%s'", dir);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/adapter_config.json", dir)) == 0)
		rc = clm_write_file_atomic(path.buf, text, strlen(text));
	clm_strbuf_reset(&path);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/adapter_model.safetensors", dir)) == 0)
		rc = clm_safetensors_write(path.buf, &peft, NULL);
	free(text);
	json_decref(pc);
	json_decref(config);
	clm_strbuf_release(&name);
	clm_strbuf_release(&path);
	clm_tensor_list_release(&peft);
	return rc;
}

int clm_lora_write_gguf(const struct clm_lora_adapter *a, const char *config_json, size_t config_len,
			enum clm_dtype dtype, const char *path)
{
	struct clm_gguf_writer w;
	json_t *config = clm_json_parse(config_json, config_len, "config.json");
	int rc = config ? clm_gguf_writer_init(&w, 0) : CLM_EINVALID;

	if (rc < 0) {
		json_decref(config);
		return rc;
	}
	if (a->ab.n && is_gpt2_module(a->ab.items[0].name))
		rc = clm_error_set(CLM_EINVALID, "a GGUF LoRA adapter is written for Llama, Qwen2 and StarCoder2 "
				   "models, not GPT-2 (export --format peft serves it)");
	if (rc == 0)
		rc = clm_gguf_add_string(&w, "general.name", "clmodel LoRA adapter");
	if (rc == 0)
		rc = clm_gguf_add_llama_lora(&w, config, &a->ab, a->alpha,
					     dtype == CLM_DTYPE_F16 ? CLM_GGML_F16 : CLM_GGML_F32);
	if (rc == 0)
		rc = clm_gguf_write(&w, path);
	clm_gguf_writer_release(&w);
	json_decref(config);
	return rc;
}

void clm_lora_adapter_release(struct clm_lora_adapter *a)
{
	clm_tensor_list_release(&a->ab);
	memset(a, 0, sizeof(*a));
}
