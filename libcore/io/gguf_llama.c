/* Llama, Qwen2 and StarCoder2 GGUF files <-> Hugging Face config and tensors: see gguf_llama.h. */
#include "io/gguf_llama.h"
#include "nn/config.h"
#include "nn/tensormap.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HPARAM (1u << 24)

enum family { FAM_LLAMA, FAM_QWEN2, FAM_STARCODER2 };

static const struct {
	const char *gguf, *hf_class;
} families[] = {
	[FAM_LLAMA] = { "llama", "LlamaForCausalLM" },
	[FAM_QWEN2] = { "qwen2", "Qwen2ForCausalLM" },
	[FAM_STARCODER2] = { "starcoder2", "Starcoder2ForCausalLM" },
};

/* Sizes a dimension can be. */
enum dim { D_1, D_C, D_Q, D_KV, D_FF, D_V };

/* A tensor of a block or of the model: GGUF and HF names (block ones after "blk.N." and
 * "model.layers.N."), GGUF dims ne[0] (inputs) and ne[1] (outputs; D_1 for vectors), and which
 * head count reorders its rows for `llama` (0 none, 'q' or 'k'). */
struct tmap {
	const char *gguf, *hf;
	enum dim in, out;
	char rope;
};

static const struct tmap block_map[] = {
	{ "attn_norm.weight", "input_layernorm.weight", D_C, D_1, 0 },
	{ "attn_norm.bias", "input_layernorm.bias", D_C, D_1, 0 },
	{ "attn_q.weight", "self_attn.q_proj.weight", D_C, D_Q, 'q' },
	{ "attn_q.bias", "self_attn.q_proj.bias", D_Q, D_1, 'q' },
	{ "attn_k.weight", "self_attn.k_proj.weight", D_C, D_KV, 'k' },
	{ "attn_k.bias", "self_attn.k_proj.bias", D_KV, D_1, 'k' },
	{ "attn_v.weight", "self_attn.v_proj.weight", D_C, D_KV, 0 },
	{ "attn_v.bias", "self_attn.v_proj.bias", D_KV, D_1, 0 },
	{ "attn_output.weight", "self_attn.o_proj.weight", D_Q, D_C, 0 },
	{ "attn_output.bias", "self_attn.o_proj.bias", D_C, D_1, 0 },
	{ "ffn_norm.weight", "post_attention_layernorm.weight", D_C, D_1, 0 },
	{ "ffn_norm.bias", "post_attention_layernorm.bias", D_C, D_1, 0 },
	{ "ffn_gate.weight", "mlp.gate_proj.weight", D_C, D_FF, 0 },
	{ "ffn_gate.bias", "mlp.gate_proj.bias", D_FF, D_1, 0 },
	{ "ffn_up.weight", "mlp.up_proj.weight", D_C, D_FF, 0 },
	{ "ffn_up.bias", "mlp.up_proj.bias", D_FF, D_1, 0 },
	{ "ffn_down.weight", "mlp.down_proj.weight", D_FF, D_C, 0 },
	{ "ffn_down.bias", "mlp.down_proj.bias", D_C, D_1, 0 },
};

static const struct tmap model_map[] = {
	{ "token_embd.weight", "model.embed_tokens.weight", D_C, D_V, 0 },
	{ "output_norm.weight", "model.norm.weight", D_C, D_1, 0 },
	{ "output_norm.bias", "model.norm.bias", D_C, D_1, 0 },
	{ "output.weight", "lm_head.weight", D_C, D_V, 0 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct hparams {
	enum family fam;
	uint32_t n_ctx, n_embd, n_layer, n_ff, n_head, n_kv, head_dim, n_vocab;
	double eps, theta, rope_linear; /* rope_linear 0: none */
};

static uint32_t dim_size(enum dim d, const struct hparams *hp)
{
	switch (d) {
	case D_1: return 1;
	case D_C: return hp->n_embd;
	case D_Q: return hp->n_head * hp->head_dim;
	case D_KV: return hp->n_kv * hp->head_dim;
	case D_FF: return hp->n_ff;
	case D_V: return hp->n_vocab;
	}
	return 0;
}

/* StarCoder2 names its MLP c_fc / c_proj. */
static const char *hf_block_name(const struct tmap *m, enum family fam)
{
	if (fam != FAM_STARCODER2)
		return m->hf;
	if (!strcmp(m->gguf, "ffn_up.weight"))
		return "mlp.c_fc.weight";
	if (!strcmp(m->gguf, "ffn_up.bias"))
		return "mlp.c_fc.bias";
	if (!strcmp(m->gguf, "ffn_down.weight"))
		return "mlp.c_proj.weight";
	if (!strcmp(m->gguf, "ffn_down.bias"))
		return "mlp.c_proj.bias";
	return m->hf;
}

/* ---- reading ---- */

static int family_of(const struct clm_gguf_str *arch, enum family *fam)
{
	for (size_t i = 0; i < COUNT(families); i++) {
		if (arch->len == strlen(families[i].gguf) && !memcmp(arch->s, families[i].gguf, arch->len)) {
			*fam = (enum family)i;
			return 0;
		}
	}
	return clm_error_set(CLM_EINVALID, "GGUF: architecture '%.*s' is not llama, qwen2 or starcoder2",
			     (int)(arch->len > 64 ? 64 : arch->len), arch->s);
}

int clm_gguf_is_llama_family(const struct clm_gguf_file *f)
{
	struct clm_gguf_str arch;
	enum family fam;

	if (clm_gguf_get_string(f, "general.architecture", &arch) < 0)
		return 0;
	return family_of(&arch, &fam) == 0;
}

/* `<arch>.<key>` as a u32; `def` when absent and def is not 0. */
static int arch_u32(const struct clm_gguf_file *f, const struct hparams *hp, const char *key, uint32_t def,
		    uint32_t *out)
{
	char full[128];
	uint64_t v;
	int rc;

	snprintf(full, sizeof(full), "%s.%s", families[hp->fam].gguf, key);
	rc = clm_gguf_get_uint(f, full, &v);
	if (rc == CLM_ENOTFOUND && def) {
		*out = def;
		return 0;
	}
	if (rc == CLM_ENOTFOUND)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is missing", full);
	if (rc < 0)
		return rc;
	if (v == 0 || v > MAX_HPARAM)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' = %llu is out of range", full, (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

/* `<arch>.<key>` as a float; `def` when absent (def < 0: required). */
static int arch_float(const struct clm_gguf_file *f, const struct hparams *hp, const char *key, double def,
		      double *out)
{
	char full[128];
	int rc;

	snprintf(full, sizeof(full), "%s.%s", families[hp->fam].gguf, key);
	rc = clm_gguf_get_float(f, full, out);
	if (rc == CLM_ENOTFOUND && def >= 0) {
		*out = def;
		return 0;
	}
	if (rc == CLM_ENOTFOUND)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is missing", full);
	return rc;
}

/* Rope settings: full rotary width, and scaling none or linear. */
static int read_rope(const struct clm_gguf_file *f, struct hparams *hp)
{
	char key[128];
	struct clm_gguf_str type;
	uint32_t dims;
	int rc = arch_u32(f, hp, "rope.dimension_count", hp->head_dim, &dims);

	if (rc == 0 && dims != hp->head_dim)
		return clm_error_set(CLM_EINVALID, "GGUF: rope over %u of %u dimensions per head (partial rotary) is "
				     "not supported", dims, hp->head_dim);
	if (rc == 0)
		rc = arch_float(f, hp, "rope.freq_base", 10000.0, &hp->theta);
	if (rc < 0)
		return rc;
	if (clm_gguf_find_tensor(f, "rope_freqs.weight"))
		return clm_error_set(CLM_EINVALID, "GGUF: rope frequency factors (rope_freqs.weight, llama3 rope "
				     "scaling) are not supported");
	snprintf(key, sizeof(key), "%s.rope.scaling.type", families[hp->fam].gguf);
	rc = clm_gguf_get_string(f, key, &type);
	if (rc == CLM_ENOTFOUND || (rc == 0 && type.len == 4 && !memcmp(type.s, "none", 4)))
		return 0;
	if (rc < 0)
		return rc;
	if (!(type.len == 6 && !memcmp(type.s, "linear", 6)))
		return clm_error_set(CLM_EINVALID, "GGUF: rope scaling '%.*s' is not supported (none and linear are)",
				     (int)(type.len > 32 ? 32 : type.len), type.s);
	return arch_float(f, hp, "rope.scaling.factor", -1, &hp->rope_linear);
}

static int read_hparams(const struct clm_gguf_file *f, struct hparams *hp)
{
	struct clm_gguf_str arch;
	const struct clm_gguf_tensor *emb;
	uint32_t key_len;
	int rc = clm_gguf_get_string(f, "general.architecture", &arch);

	memset(hp, 0, sizeof(*hp));
	if (rc == 0)
		rc = family_of(&arch, &hp->fam);
	if (rc == 0)
		rc = arch_u32(f, hp, "context_length", 0, &hp->n_ctx);
	if (rc == 0)
		rc = arch_u32(f, hp, "embedding_length", 0, &hp->n_embd);
	if (rc == 0)
		rc = arch_u32(f, hp, "block_count", 0, &hp->n_layer);
	if (rc == 0)
		rc = arch_u32(f, hp, "feed_forward_length", 0, &hp->n_ff);
	if (rc == 0)
		rc = arch_u32(f, hp, "attention.head_count", 0, &hp->n_head);
	if (rc == 0)
		rc = arch_u32(f, hp, "attention.head_count_kv", hp->n_head, &hp->n_kv);
	if (rc < 0)
		return rc;
	if (hp->n_kv > hp->n_head || hp->n_head % hp->n_kv)
		return clm_error_set(CLM_EINVALID, "GGUF: %u key/value heads do not divide %u heads", hp->n_kv, hp->n_head);
	if ((rc = arch_u32(f, hp, "attention.key_length", hp->n_embd / hp->n_head, &hp->head_dim)) < 0)
		return rc;
	if (hp->head_dim % 2 || (uint64_t)hp->head_dim * hp->n_head > MAX_HPARAM)
		return clm_error_set(CLM_EINVALID, "GGUF: head width %u is not usable", hp->head_dim);
	if ((rc = arch_u32(f, hp, "attention.value_length", hp->head_dim, &key_len)) < 0)
		return rc;
	if (key_len != hp->head_dim)
		return clm_error_set(CLM_EINVALID, "GGUF: value heads of %u differ from key heads of %u", key_len,
				     hp->head_dim);
	rc = arch_float(f, hp, hp->fam == FAM_STARCODER2 ? "attention.layer_norm_epsilon" :
			"attention.layer_norm_rms_epsilon", -1, &hp->eps);
	if (rc == 0)
		rc = read_rope(f, hp);
	if (rc < 0)
		return rc;
	emb = clm_gguf_find_tensor(f, "token_embd.weight");
	if (!emb || emb->ne[1] == 0 || emb->ne[1] > MAX_HPARAM)
		return clm_error_set(CLM_EINVALID, "GGUF: token_embd.weight is missing or has no rows");
	hp->n_vocab = (uint32_t)emb->ne[1];
	return 0;
}

/* Rows of a q or k tensor (or bias) in the other rope order: `to_hf` turns GGUF's interleaved
 * pairs (row 2i+j of a head) into Hugging Face's halves (row j*hd/2+i), else the reverse. */
static void reorder_rows(const uint8_t *src, uint8_t *dst, uint32_t heads, uint32_t hd, size_t row_bytes, int to_hf)
{
	for (uint32_t h = 0; h < heads; h++) {
		for (uint32_t i = 0; i < hd / 2; i++) {
			for (uint32_t j = 0; j < 2; j++) {
				size_t pair = (size_t)h * hd + 2 * i + j, half = (size_t)h * hd + j * (hd / 2) + i;
				size_t from = to_hf ? pair : half, to = to_hf ? half : pair;
				memcpy(dst + to * row_bytes, src + from * row_bytes, row_bytes);
			}
		}
	}
}

static int add_tensor(struct clm_gguf_hf_tensors *out, size_t *cap, const struct clm_gguf_tensor *t,
		      const struct tmap *m, const char *hf_name, const struct hparams *hp)
{
	struct clm_gguf_hf_tensor *e;
	uint32_t in = dim_size(m->in, hp), outs = dim_size(m->out, hp);

	if (t->ne[0] != in || t->ne[1] != outs || t->ne[2] != 1 || t->ne[3] != 1 || (m->out == D_1 && t->n_dims != 1))
		return clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' has dims [%llu, %llu, %llu, %llu], expected "
				     "[%u, %u]", (int)t->name.len, t->name.s, (unsigned long long)t->ne[0],
				     (unsigned long long)t->ne[1], (unsigned long long)t->ne[2],
				     (unsigned long long)t->ne[3], in, outs);
	if (out->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		void *p = realloc(out->items, nc * sizeof(*out->items));
		if (!p)
			return clm_error_oom();
		out->items = p;
		*cap = nc;
	}
	e = &out->items[out->n];
	memset(e, 0, sizeof(*e));
	if (!(e->name = strdup(hf_name)))
		return clm_error_oom();
	out->n++;
	e->type = t->type;
	e->ndim = m->out == D_1 ? 1 : 2;
	e->shape[0] = m->out == D_1 ? in : outs;
	e->shape[1] = m->out == D_1 ? 0 : in;
	e->data = t->data;
	e->nbytes = t->nbytes;
	if (m->rope && hp->fam == FAM_LLAMA) {
		uint32_t heads = m->rope == 'q' ? hp->n_head : hp->n_kv;
		if (!(e->owned = malloc(t->nbytes ? t->nbytes : 1)))
			return clm_error_oom();
		reorder_rows(t->data, e->owned, heads, hp->head_dim, t->nbytes / ((size_t)heads * hp->head_dim), 1);
		e->data = e->owned;
	}
	return 0;
}

/* Find `gguf` and add it under `hf`; a missing optional tensor is skipped, used[] marks hits. */
static int take(const struct clm_gguf_file *f, struct clm_gguf_hf_tensors *out, size_t *cap, const struct tmap *m,
		const char *gguf, const char *hf, int required, const struct hparams *hp, char *used)
{
	const struct clm_gguf_tensor *t = clm_gguf_find_tensor(f, gguf);

	if (!t)
		return required ? clm_error_set(CLM_EINVALID, "GGUF: tensor '%s' is missing", gguf) : 0;
	used[t - f->tensors] = 1;
	return add_tensor(out, cap, t, m, hf, hp);
}

/* Whether block tensor `m` must be present for the family (biases and gate depend on it). */
static int block_required(const struct tmap *m, enum family fam)
{
	int bias = strstr(m->gguf, ".bias") != NULL;

	if (fam == FAM_STARCODER2)
		return strncmp(m->gguf, "ffn_gate", 8) != 0;
	if (fam == FAM_QWEN2 && bias)
		return !strncmp(m->gguf, "attn_q", 6) || !strncmp(m->gguf, "attn_k", 6) || !strncmp(m->gguf, "attn_v", 6);
	return !bias;
}

static int read_tensors(const struct clm_gguf_file *f, const struct hparams *hp, struct clm_gguf_hf_tensors *out)
{
	char gguf[96], hf[128], *used = calloc(f->n_tensors + 1, 1);
	size_t cap = 0;
	int rc = used ? 0 : clm_error_oom();

	for (size_t i = 0; i < COUNT(model_map) && !rc; i++) /* embedding and final norm weight required */
		rc = take(f, out, &cap, &model_map[i], model_map[i].gguf, model_map[i].hf,
			  i < 2 || (i == 2 && hp->fam == FAM_STARCODER2), hp, used);
	for (uint32_t l = 0; l < hp->n_layer && !rc; l++) {
		for (size_t i = 0; i < COUNT(block_map) && !rc; i++) {
			if (hp->fam == FAM_STARCODER2 && !strncmp(block_map[i].gguf, "ffn_gate", 8))
				continue;
			snprintf(gguf, sizeof(gguf), "blk.%u.%s", l, block_map[i].gguf);
			snprintf(hf, sizeof(hf), "model.layers.%u.%s", l, hf_block_name(&block_map[i], hp->fam));
			rc = take(f, out, &cap, &block_map[i], gguf, hf, block_required(&block_map[i], hp->fam), hp, used);
		}
	}
	for (size_t i = 0; i < f->n_tensors && !rc; i++)
		if (!used[i])
			rc = clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' has no place in a %s model",
					   (int)(f->tensors[i].name.len > 80 ? 80 : f->tensors[i].name.len),
					   f->tensors[i].name.s, families[hp->fam].gguf);
	free(used);
	return rc;
}

/* tokenizer.ggml.<key> as a JSON integer under `name`, when present. */
static int set_token_id(const struct clm_gguf_file *f, const char *key, json_t *cfg, const char *name)
{
	uint64_t v;
	int rc = clm_gguf_get_uint(f, key, &v);

	if (rc == CLM_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	return json_object_set_new(cfg, name, json_integer((json_int_t)v)) ? clm_error_oom() : 0;
}

static json_t *config_json(const struct clm_gguf_file *f, const struct hparams *hp, int tied, int qkv_bias,
			   int mlp_bias)
{
	json_t *c = json_object();
	int bad = !c;

	bad = bad || json_object_set_new(c, "architectures", json_pack("[s]", families[hp->fam].hf_class));
	bad = bad || json_object_set_new(c, "model_type", json_string(families[hp->fam].gguf));
	bad = bad || json_object_set_new(c, "hidden_size", json_integer(hp->n_embd));
	bad = bad || json_object_set_new(c, "intermediate_size", json_integer(hp->n_ff));
	bad = bad || json_object_set_new(c, "num_hidden_layers", json_integer(hp->n_layer));
	bad = bad || json_object_set_new(c, "num_attention_heads", json_integer(hp->n_head));
	bad = bad || json_object_set_new(c, "num_key_value_heads", json_integer(hp->n_kv));
	bad = bad || json_object_set_new(c, "head_dim", json_integer(hp->head_dim));
	bad = bad || json_object_set_new(c, "max_position_embeddings", json_integer(hp->n_ctx));
	bad = bad || json_object_set_new(c, "vocab_size", json_integer(hp->n_vocab));
	bad = bad || json_object_set_new(c, hp->fam == FAM_STARCODER2 ? "norm_epsilon" : "rms_norm_eps",
					 json_real(hp->eps));
	bad = bad || json_object_set_new(c, "rope_theta", json_real(hp->theta));
	bad = bad || json_object_set_new(c, "tie_word_embeddings", json_boolean(tied));
	if (hp->fam == FAM_LLAMA) {
		bad = bad || json_object_set_new(c, "attention_bias", json_boolean(qkv_bias));
		bad = bad || json_object_set_new(c, "mlp_bias", json_boolean(mlp_bias));
	}
	if (hp->fam == FAM_STARCODER2)
		bad = bad || json_object_set_new(c, "use_bias", json_true());
	if (hp->rope_linear > 0)
		bad = bad || json_object_set_new(c, "rope_scaling", json_pack("{s:s, s:f}", "type", "linear", "factor",
									      hp->rope_linear));
	bad = bad || set_token_id(f, "tokenizer.ggml.bos_token_id", c, "bos_token_id") < 0;
	bad = bad || set_token_id(f, "tokenizer.ggml.eos_token_id", c, "eos_token_id") < 0;
	if (bad) {
		json_decref(c);
		return NULL;
	}
	return c;
}

int clm_gguf_read_llama(const struct clm_gguf_file *f, json_t **config, struct clm_gguf_hf_tensors *out)
{
	struct hparams hp;
	int rc;

	*config = NULL;
	memset(out, 0, sizeof(*out));
	if ((rc = read_hparams(f, &hp)) < 0 || (rc = read_tensors(f, &hp, out)) < 0) {
		clm_gguf_hf_tensors_release(out);
		return rc;
	}
	*config = config_json(f, &hp, !clm_gguf_find_tensor(f, "output.weight"),
			      clm_gguf_find_tensor(f, "blk.0.attn_q.bias") != NULL,
			      clm_gguf_find_tensor(f, "blk.0.ffn_up.bias") != NULL);
	if (!*config) {
		clm_gguf_hf_tensors_release(out);
		return clm_error_oom();
	}
	return 0;
}

int clm_gguf_hf_tensors_to_list(const struct clm_gguf_hf_tensors *t, struct clm_tensor_list *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct clm_gguf_hf_tensor *e = &t->items[i];
		size_t n = (size_t)e->shape[0] * (size_t)(e->ndim == 2 ? e->shape[1] : 1);
		float *dec;
		if (e->type == CLM_GGML_F32 || e->type == CLM_GGML_F16 || e->type == CLM_GGML_BF16) {
			enum clm_dtype dt = e->type == CLM_GGML_F32 ? CLM_DTYPE_F32 :
					    e->type == CLM_GGML_F16 ? CLM_DTYPE_F16 : CLM_DTYPE_BF16;
			rc = clm_tensor_list_add(out, e->name, dt, e->ndim, e->shape, e->data, e->nbytes);
			continue;
		}
		if (!(dec = malloc((n ? n : 1) * sizeof(float)))) {
			rc = clm_error_oom();
			break;
		}
		clm_ggml_dequantize(e->type, e->data, dec, n);
		rc = clm_tensor_list_add(out, e->name, CLM_DTYPE_F32, e->ndim, e->shape, dec, n * sizeof(float));
		free(dec);
	}
	for (size_t i = 0; i < out->n && !rc; i++)
		rc = clm_tensor_check_finite(&out->items[i]);
	if (rc < 0)
		clm_tensor_list_release(out);
	return rc < 0 ? clm_error_wrap(rc, "GGUF") : 0;
}

void clm_gguf_hf_tensors_release(struct clm_gguf_hf_tensors *t)
{
	for (size_t i = 0; t->items && i < t->n; i++) {
		free(t->items[i].name);
		free(t->items[i].owned);
	}
	free(t->items);
	memset(t, 0, sizeof(*t));
}

/* Hand tensor `e` to the loader: matrices as they are encoded, vectors as f32/f16/bf16 values. */
static int load_tensor(struct clm_gpt_loader *ld, const struct clm_gguf_hf_tensor *e)
{
	struct clm_named_tensor t = { e->name, CLM_DTYPE_F32, e->ndim, { e->shape[0], e->shape[1] }, (void *)e->data,
				      e->nbytes };

	if (e->ndim == 2)
		return clm_gpt_loader_add_encoded(ld, e->name, e->type, e->data, e->nbytes);
	if (e->type != CLM_GGML_F32 && e->type != CLM_GGML_F16 && e->type != CLM_GGML_BF16)
		return clm_error_set(CLM_EINVALID, "GGUF: vector %s is quantized", e->name);
	t.dtype = e->type == CLM_GGML_F32 ? CLM_DTYPE_F32 : e->type == CLM_GGML_F16 ? CLM_DTYPE_F16 : CLM_DTYPE_BF16;
	return clm_tensor_check_finite(&t) < 0 ? clm_error_wrap(CLM_EINVALID, "GGUF") : clm_gpt_loader_add(ld, &t);
}

int clm_gguf_open_model(const char *path, struct clm_gguf_model *out)
{
	struct clm_gpt_config cfg;
	struct clm_gpt_loader ld;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = clm_gguf_open(path, &out->file)) < 0)
		return rc;
	rc = clm_gguf_read_llama(&out->file, &out->config, &out->tensors);
	if (!rc)
		rc = clm_gpt_config_from_json(out->config, &cfg);
	if (!rc)
		rc = clm_gpt_loader_begin(&ld, &out->model, &cfg);
	if (!rc) {
		for (size_t i = 0; i < out->tensors.n && !rc; i++)
			rc = load_tensor(&ld, &out->tensors.items[i]);
		rc = clm_gpt_loader_end(&ld, rc == 0) < 0 && !rc ? CLM_EINVALID : rc;
	}
	if (rc < 0) {
		clm_error_wrap(rc, "%s", path);
		clm_gguf_model_release(out);
	}
	return rc;
}

void clm_gguf_model_release(struct clm_gguf_model *m)
{
	clm_gpt_release(&m->model);
	json_decref(m->config);
	clm_gguf_hf_tensors_release(&m->tensors);
	clm_gguf_close(&m->file);
	memset(m, 0, sizeof(*m));
}

/* ---- writing ---- */

static int cfg_int(const json_t *cfg, const char *key, uint32_t def, uint32_t *out)
{
	const json_t *v = json_object_get(cfg, key);

	if (!v || json_is_null(v)) {
		if (!def)
			return clm_error_set(CLM_EINVALID, "config.json has no '%s'", key);
		*out = def;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0 || json_integer_value(v) > MAX_HPARAM)
		return clm_error_set(CLM_EINVALID, "config.json: '%s' is not a positive integer", key);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

static double cfg_num(const json_t *cfg, const char *key, double def)
{
	const json_t *v = json_object_get(cfg, key);

	return v && json_is_number(v) ? json_number_value(v) : def;
}

static int hparams_from_config(const json_t *cfg, struct hparams *hp)
{
	const char *type = json_string_value(json_object_get(cfg, "model_type"));
	const json_t *arr = json_object_get(cfg, "architectures");
	const char *cls = json_string_value(json_array_get(arr, 0));
	int rc = CLM_EINVALID;

	memset(hp, 0, sizeof(*hp));
	for (size_t i = 0; i < COUNT(families) && rc; i++) {
		if ((type && !strcmp(type, families[i].gguf)) || (cls && !strcmp(cls, families[i].hf_class))) {
			hp->fam = (enum family)i;
			rc = 0;
		}
	}
	if (rc)
		return clm_error_set(CLM_EINVALID, "config.json is not a Llama, Qwen2 or StarCoder2 model");
	rc = cfg_int(cfg, "hidden_size", 0, &hp->n_embd);
	if (!rc)
		rc = cfg_int(cfg, "num_hidden_layers", 0, &hp->n_layer);
	if (!rc)
		rc = cfg_int(cfg, "intermediate_size", 0, &hp->n_ff);
	if (!rc)
		rc = cfg_int(cfg, "num_attention_heads", 0, &hp->n_head);
	if (!rc)
		rc = cfg_int(cfg, "num_key_value_heads", hp->n_head, &hp->n_kv);
	if (!rc)
		rc = cfg_int(cfg, "max_position_embeddings", 0, &hp->n_ctx);
	if (!rc)
		rc = cfg_int(cfg, "vocab_size", 0, &hp->n_vocab);
	if (!rc)
		rc = cfg_int(cfg, "head_dim", hp->n_embd / hp->n_head, &hp->head_dim);
	if (rc < 0)
		return rc;
	hp->eps = cfg_num(cfg, hp->fam == FAM_STARCODER2 ? "norm_epsilon" : "rms_norm_eps", 1e-6);
	hp->theta = cfg_num(cfg, "rope_theta", 10000.0);
	return 0;
}

static int put_u32(struct clm_gguf_writer *w, const struct hparams *hp, const char *key, uint32_t v)
{
	char full[128];

	snprintf(full, sizeof(full), "%s.%s", families[hp->fam].gguf, key);
	return clm_gguf_add_u32(w, full, v);
}

static int put_f32(struct clm_gguf_writer *w, const struct hparams *hp, const char *key, double v)
{
	char full[128];

	snprintf(full, sizeof(full), "%s.%s", families[hp->fam].gguf, key);
	return clm_gguf_add_f32(w, full, (float)v);
}

/* The encoding of a matrix with rows of `cols` values: `type`, or llama.cpp's fallback when the
 * rows are not whole blocks of it. */
static enum clm_ggml_type fit_type(enum clm_ggml_type type, int64_t cols)
{
	size_t bv = clm_ggml_block_values(type);

	if (bv && cols % (int64_t)bv == 0)
		return type;
	if (type == CLM_GGML_Q4_K && cols % 32 == 0)
		return CLM_GGML_Q5_0;
	if ((type == CLM_GGML_Q5_K || type == CLM_GGML_Q6_K) && cols % 32 == 0)
		return CLM_GGML_Q8_0;
	return CLM_GGML_F16;
}

/* Add f32 values `f` (ne[1] rows of ne[0], consumed) as GGUF tensor `gguf` of `type`, rows
 * first reordered for `llama` when `heads` is not 0 (q or k: that many heads of hd rows each). */
static int add_encoded(struct clm_gguf_writer *w, const char *gguf, float *f, const uint64_t ne[2], uint32_t n_dims,
		       uint32_t heads, uint32_t hd, enum clm_ggml_type type)
{
	size_t n = (size_t)ne[0] * ne[1], bytes = 0;
	float *moved = NULL;
	uint8_t *q = NULL;
	int rc;

	if (heads) {
		if (!(moved = malloc((n ? n : 1) * sizeof(float)))) {
			rc = clm_error_oom();
			goto cleanup;
		}
		reorder_rows((const uint8_t *)f, (uint8_t *)moved, heads, hd, n / ((size_t)heads * hd) * sizeof(float), 0);
		free(f);
		f = moved;
	}
	if ((rc = clm_ggml_row_bytes(type, n, &bytes)) < 0)
		goto cleanup;
	if (!(q = malloc(bytes ? bytes : 1))) {
		rc = clm_error_oom();
		goto cleanup;
	}
	clm_ggml_quantize(type, f, q, n);
	rc = clm_gguf_add_tensor(w, gguf, type, n_dims, ne, q, bytes);
cleanup:
	free(f);
	free(q);
	return rc;
}

/* The head count whose rows `llama` reorders in a tensor of map entry `m` (0: none). */
static uint32_t rope_heads(const struct tmap *m, const struct hparams *hp)
{
	if (!m->rope || hp->fam != FAM_LLAMA)
		return 0;
	return m->rope == 'q' ? hp->n_head : hp->n_kv;
}

/* Encode HF tensor `t` as GGUF tensor `gguf` of `type` (vectors always F32). */
static int write_one(struct clm_gguf_writer *w, const struct clm_named_tensor *t, const char *gguf,
		     const struct tmap *m, const struct hparams *hp, enum clm_ggml_type type)
{
	uint64_t ne[2] = { dim_size(m->in, hp), dim_size(m->out, hp) };
	float *f = NULL;
	int rc;

	if (clm_shape_numel(t->ndim, t->shape) != (int64_t)(ne[0] * ne[1]) || (m->out == D_1) != (t->ndim == 1))
		return clm_error_set(CLM_EINVALID, "tensor '%s' does not have the shape config.json gives", t->name);
	if ((rc = clm_tensor_to_f32(t, &f)) < 0)
		return rc;
	type = m->out == D_1 ? CLM_GGML_F32 : fit_type(type, (int64_t)ne[0]);
	return add_encoded(w, gguf, f, ne, m->out == D_1 ? 1 : 2, rope_heads(m, hp), hp->head_dim, type);
}

int clm_gguf_add_llama(struct clm_gguf_writer *w, const json_t *config, const struct clm_tensor_list *hf,
		       enum clm_ggml_type type, enum clm_ggml_type embd_type)
{
	struct hparams hp;
	char gguf[96], hfn[128];
	size_t used = 0;
	int rc = hparams_from_config(config, &hp);

	if (!rc)
		rc = clm_gguf_add_string(w, "general.architecture", families[hp.fam].gguf);
	if (!rc)
		rc = put_u32(w, &hp, "context_length", hp.n_ctx);
	if (!rc)
		rc = put_u32(w, &hp, "embedding_length", hp.n_embd);
	if (!rc)
		rc = put_u32(w, &hp, "block_count", hp.n_layer);
	if (!rc)
		rc = put_u32(w, &hp, "feed_forward_length", hp.n_ff);
	if (!rc)
		rc = put_u32(w, &hp, "attention.head_count", hp.n_head);
	if (!rc)
		rc = put_u32(w, &hp, "attention.head_count_kv", hp.n_kv);
	if (!rc)
		rc = put_u32(w, &hp, "attention.key_length", hp.head_dim);
	if (!rc)
		rc = put_u32(w, &hp, "attention.value_length", hp.head_dim);
	if (!rc)
		rc = put_u32(w, &hp, "rope.dimension_count", hp.head_dim);
	if (!rc)
		rc = put_f32(w, &hp, "rope.freq_base", hp.theta);
	if (!rc)
		rc = put_f32(w, &hp, hp.fam == FAM_STARCODER2 ? "attention.layer_norm_epsilon" :
			     "attention.layer_norm_rms_epsilon", hp.eps);
	for (size_t i = 0; i < COUNT(model_map) && !rc; i++) {
		const struct clm_named_tensor *t = clm_tensor_list_find(hf, model_map[i].hf);
		if (t && ++used)
			rc = write_one(w, t, model_map[i].gguf, &model_map[i], &hp, model_map[i].out == D_V ? embd_type : type);
	}
	for (uint32_t l = 0; l < hp.n_layer && !rc; l++) {
		for (size_t i = 0; i < COUNT(block_map) && !rc; i++) {
			const struct clm_named_tensor *t;
			snprintf(hfn, sizeof(hfn), "model.layers.%u.%s", l, hf_block_name(&block_map[i], hp.fam));
			snprintf(gguf, sizeof(gguf), "blk.%u.%s", l, block_map[i].gguf);
			if ((t = clm_tensor_list_find(hf, hfn)) && ++used)
				rc = write_one(w, t, gguf, &block_map[i], &hp, type);
		}
	}
	if (!rc && used != hf->n)
		rc = clm_error_set(CLM_EINVALID, "%zu tensors have no GGUF equivalent (adapters or prompts?)", hf->n - used);
	return rc;
}

static int has_weight_suffix(const char *name)
{
	size_t n = strlen(name);
	return n > 7 && !strcmp(name + n - 7, ".weight");
}

/* Add the lora_a / lora_b pair of block weight `m` of layer l when `lora` has it; *used counts. */
static int write_lora_pair(struct clm_gguf_writer *w, const struct clm_tensor_list *lora, const struct tmap *m,
			   uint32_t l, const struct hparams *hp, enum clm_ggml_type type, size_t *used)
{
	char hfn[160], gguf[128];
	const char *hf = hf_block_name(m, hp->fam);
	int hf_len = (int)(strlen(hf) - strlen(".weight"));
	const struct clm_named_tensor *a, *b;
	uint64_t ne_a[2], ne_b[2];
	float *fa = NULL, *fb = NULL;
	int rc;

	snprintf(hfn, sizeof(hfn), "model.layers.%u.%.*s.lora_A", l, hf_len, hf);
	a = clm_tensor_list_find(lora, hfn);
	hfn[strlen(hfn) - 1] = 'B';
	b = clm_tensor_list_find(lora, hfn);
	if (!a && !b)
		return 0;
	ne_a[0] = dim_size(m->in, hp);
	ne_b[1] = dim_size(m->out, hp);
	if (!a || !b || a->ndim != 2 || b->ndim != 2 || a->shape[1] != (int64_t)ne_a[0] || b->shape[0] != (int64_t)ne_b[1] ||
	    a->shape[0] != b->shape[1] || a->shape[0] < 1)
		return clm_error_set(CLM_EINVALID, "LoRA tensors of '%.*s' of layer %u do not fit the model", hf_len, hf, l);
	ne_a[1] = ne_b[0] = (uint64_t)a->shape[0];
	*used += 2;
	if ((rc = clm_tensor_to_f32(a, &fa)) < 0 || (rc = clm_tensor_to_f32(b, &fb)) < 0) {
		free(fa);
		return rc;
	}
	snprintf(gguf, sizeof(gguf), "blk.%u.%s.lora_a", l, m->gguf);
	rc = add_encoded(w, gguf, fa, ne_a, 2, 0, 0, type);
	snprintf(gguf, sizeof(gguf), "blk.%u.%s.lora_b", l, m->gguf);
	if (rc == 0)
		return add_encoded(w, gguf, fb, ne_b, 2, rope_heads(m, hp), hp->head_dim, type);
	free(fb);
	return rc;
}

int clm_gguf_add_llama_lora(struct clm_gguf_writer *w, const json_t *config, const struct clm_tensor_list *lora,
			    float alpha, enum clm_ggml_type type)
{
	struct hparams hp;
	size_t used = 0;
	int rc = hparams_from_config(config, &hp);

	if (!rc && type != CLM_GGML_F32 && type != CLM_GGML_F16)
		rc = clm_error_set(CLM_EINVALID, "LoRA tensors are written as F32 or F16");
	if (!rc)
		rc = clm_gguf_add_string(w, "general.architecture", families[hp.fam].gguf);
	if (!rc)
		rc = clm_gguf_add_string(w, "general.type", "adapter");
	if (!rc)
		rc = clm_gguf_add_string(w, "adapter.type", "lora");
	if (!rc)
		rc = clm_gguf_add_f32(w, "adapter.lora.alpha", alpha);
	for (uint32_t l = 0; l < hp.n_layer && !rc; l++)
		for (size_t i = 0; i < COUNT(block_map) && !rc; i++)
			if (has_weight_suffix(block_map[i].gguf))
				rc = write_lora_pair(w, lora, &block_map[i], l, &hp, type, &used);
	if (!rc && used != lora->n)
		rc = clm_error_set(CLM_EINVALID, "%zu LoRA tensors have no GGUF weight to adapt", lora->n - used);
	return rc;
}
