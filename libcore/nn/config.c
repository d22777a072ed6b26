#include "nn/config.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

static const char what[] = "config.json";

const char *clm_arch_name(enum clm_arch arch)
{
	static const char *const names[] = { "GPT2LMHeadModel", "LlamaForCausalLM", "Qwen2ForCausalLM",
					     "Starcoder2ForCausalLM" };
	return names[arch];
}

int clm_gpt_config_named(const char *name, int vocab_size, struct clm_gpt_config *cfg)
{
	struct clm_gpt_config c = { 0 };

	if (!strcmp(name, "tiny"))
		c = (struct clm_gpt_config){ .n_layer = 2, .n_head = 4, .n_embd = 128, .n_positions = 128,
					     .vocab_size = 2048, .layer_norm_epsilon = 1e-5f };
	else if (!strcmp(name, "small"))
		c = (struct clm_gpt_config){ .n_layer = 4, .n_head = 4, .n_embd = 256, .n_positions = 128,
					     .vocab_size = 4096, .layer_norm_epsilon = 1e-5f };
	else
		return clm_error_set(CLM_ENOTFOUND, "unknown model config '%s' (known: tiny, small)", name);
	if (vocab_size > 0)
		c.vocab_size = vocab_size;
	*cfg = c;
	return 0;
}

int clm_gpt_config_check(const struct clm_gpt_config *c)
{
	int max_pos = c->arch == CLM_ARCH_GPT2 ? 65536 : 1 << 20;

	if (c->n_layer < 1 || c->n_layer > 256 || c->n_head < 1 || c->n_head > 4096 || c->n_embd < 1 ||
	    c->n_embd > 65536 || c->n_positions < 1 || c->n_positions > max_pos || c->vocab_size < 1 ||
	    c->vocab_size > 4000000 || c->n_kv_head < 0 || c->head_dim < 0 || c->head_dim > 4096 ||
	    c->n_inner < 0 || c->n_inner > 1 << 20)
		return clm_error_set(CLM_EINVALID, "model config: size out of range (n_layer %d, n_head %d, "
				     "n_embd %d, n_positions %d, vocab_size %d)", c->n_layer, c->n_head, c->n_embd,
				     c->n_positions, c->vocab_size);
	if (c->arch == CLM_ARCH_GPT2 && c->n_embd % c->n_head)
		return clm_error_set(CLM_EINVALID, "model config: n_head %d does not divide n_embd %d", c->n_head,
				     c->n_embd);
	if (clm_cfg_head_dim(c) < 1 || c->n_head % clm_cfg_kv_heads(c))
		return clm_error_set(CLM_EINVALID, "model config: %d key/value heads do not divide %d heads (head "
				     "width %d)", clm_cfg_kv_heads(c), c->n_head, clm_cfg_head_dim(c));
	if (clm_cfg_rope(c) && clm_cfg_head_dim(c) % 2)
		return clm_error_set(CLM_EINVALID, "model config: rotary embeddings need an even head_dim, not %d",
				     clm_cfg_head_dim(c));
	if (!(c->layer_norm_epsilon > 0 && c->layer_norm_epsilon < 1))
		return clm_error_set(CLM_EINVALID, "model config: layer_norm_epsilon must be in (0, 1)");
	if (clm_cfg_rope(c) && !(c->rope_theta > 1))
		return clm_error_set(CLM_EINVALID, "model config: rope_theta must be > 1");
	if (c->rope_type != CLM_ROPE_DEFAULT && !(c->rope_factor >= 1))
		return clm_error_set(CLM_EINVALID, "model config: rope_scaling factor must be >= 1");
	if (c->rope_type == CLM_ROPE_LLAMA3 &&
	    (!(c->rope_high_freq_factor > c->rope_low_freq_factor) || !(c->rope_low_freq_factor > 0) ||
	     c->rope_original_max_positions < 1))
		return clm_error_set(CLM_EINVALID, "model config: llama3 rope_scaling needs high_freq_factor > "
				     "low_freq_factor > 0 and original_max_position_embeddings");
	return 0;
}

static int gpt2_from_json(const json_t *obj, struct clm_gpt_config *cfg)
{
	struct clm_gpt_config c = { 0 };
	int64_t v;
	double eps = 1e-5;
	const char *pos_key = json_object_get(obj, "n_positions") ? "n_positions" : "n_ctx";

	if (clm_json_get_int(obj, "n_layer", 1, 256, &v, what))
		return CLM_EINVALID;
	c.n_layer = (int)v;
	if (clm_json_get_int(obj, "n_head", 1, 4096, &v, what))
		return CLM_EINVALID;
	c.n_head = (int)v;
	if (clm_json_get_int(obj, "n_embd", 1, 65536, &v, what))
		return CLM_EINVALID;
	c.n_embd = (int)v;
	if (clm_json_get_int(obj, pos_key, 1, 65536, &v, what))
		return CLM_EINVALID;
	c.n_positions = (int)v;
	if (clm_json_get_int(obj, "vocab_size", 1, 4000000, &v, what))
		return CLM_EINVALID;
	c.vocab_size = (int)v;
	if (json_object_get(obj, "layer_norm_epsilon") && clm_json_get_number(obj, "layer_norm_epsilon", &eps, what))
		return CLM_EINVALID;
	c.layer_norm_epsilon = (float)eps;
	if (clm_gpt_config_check(&c))
		return CLM_EINVALID;
	*cfg = c;
	return 0;
}

/* An optional boolean key; `def` when absent or null. */
static int get_bool(const json_t *obj, const char *key, int def, int *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v))
		return clm_error_set(CLM_EINVALID, "%s: \"%s\" is not a boolean", what, key);
	*out = json_is_true(v);
	return 0;
}

/* An optional integer / number key; the current value stays when absent or null. */
static int get_int(const json_t *obj, const char *key, int64_t min, int64_t max, int *out)
{
	int64_t v;
	const json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j))
		return 0;
	if (clm_json_get_int(obj, key, min, max, &v, what))
		return CLM_EINVALID;
	*out = (int)v;
	return 0;
}

static int get_float(const json_t *obj, const char *key, float *out)
{
	double v;
	const json_t *j = json_object_get(obj, key);
	if (!j || json_is_null(j))
		return 0;
	if (clm_json_get_number(obj, key, &v, what))
		return CLM_EINVALID;
	*out = (float)v;
	return 0;
}

static int rope_scaling_from_json(const json_t *rs, struct clm_gpt_config *c)
{
	const json_t *t;
	const char *type;

	if (!rs || json_is_null(rs))
		return 0;
	if (!json_is_object(rs))
		return clm_error_set(CLM_EINVALID, "%s: rope_scaling is not an object", what);
	t = json_object_get(rs, "rope_type");
	if (!t)
		t = json_object_get(rs, "type");
	type = json_string_value(t);
	if (!type)
		return clm_error_set(CLM_EINVALID, "%s: rope_scaling has no type", what);
	if (!strcmp(type, "default"))
		return 0;
	if (!strcmp(type, "linear"))
		c->rope_type = CLM_ROPE_LINEAR;
	else if (!strcmp(type, "llama3"))
		c->rope_type = CLM_ROPE_LLAMA3;
	else
		return clm_error_set(CLM_EINVALID, "%s: rope_scaling type \"%s\" is not supported by this engine "
				     "(supported: linear, llama3)", what, type);
	if (clm_json_get_number(rs, "factor", &(double){ 0 }, what) || get_float(rs, "factor", &c->rope_factor))
		return CLM_EINVALID;
	if (c->rope_type == CLM_ROPE_LLAMA3 &&
	    (get_float(rs, "low_freq_factor", &c->rope_low_freq_factor) ||
	     get_float(rs, "high_freq_factor", &c->rope_high_freq_factor) ||
	     clm_json_get_int(rs, "original_max_position_embeddings", 1, 1 << 24, &(int64_t){ 0 }, what) ||
	     get_int(rs, "original_max_position_embeddings", 1, 1 << 24, &c->rope_original_max_positions)))
		return CLM_EINVALID;
	return 0;
}

/* Refuse what the engine does not implement, by name. */
static int refuse_unsupported(const json_t *obj, enum clm_arch arch)
{
	static const char *const expert_keys[] = { "num_local_experts", "num_experts", "n_routed_experts",
						   "moe_intermediate_size" };
	const json_t *sw = json_object_get(obj, "sliding_window"), *v;
	const char *act = json_string_value(json_object_get(obj, "hidden_act"));
	const char *want_act = arch == CLM_ARCH_STARCODER2 ? "gelu_pytorch_tanh" : "silu";
	double partial = 1.0;
	int use_sw = 0;

	for (size_t i = 0; i < sizeof(expert_keys) / sizeof(expert_keys[0]); i++)
		if ((v = json_object_get(obj, expert_keys[i])) && !json_is_null(v) &&
		    !(json_is_integer(v) && json_integer_value(v) == 0))
			return clm_error_set(CLM_EINVALID, "%s: mixture-of-experts models (%s) are not supported by "
					     "this engine", what, expert_keys[i]);
	if (get_bool(obj, "use_sliding_window", arch != CLM_ARCH_QWEN2 && sw && !json_is_null(sw), &use_sw))
		return CLM_EINVALID;
	if (use_sw && arch != CLM_ARCH_STARCODER2)
		return clm_error_set(CLM_EINVALID, "%s: sliding-window attention (sliding_window %lld) is not "
				     "supported by this engine", what, (long long)json_integer_value(sw));
	if (act && strcmp(act, want_act) && !(arch == CLM_ARCH_STARCODER2 && !strcmp(act, "gelu_new")))
		return clm_error_set(CLM_EINVALID, "%s: hidden_act \"%s\" is not supported for %s (needs %s)", what,
				     act, clm_arch_name(arch), want_act);
	if (json_object_get(obj, "partial_rotary_factor") &&
	    (clm_json_get_number(obj, "partial_rotary_factor", &partial, what) || partial != 1.0))
		return clm_error_set(CLM_EINVALID, "%s: partial rotary embeddings (partial_rotary_factor) are not "
				     "supported by this engine", what);
	return 0;
}

/* The architecture named by `architectures` (first entry) or `model_type`; GPT-2 when the file
 * has GPT-2 keys and neither. */
static int detect_arch(const json_t *obj, enum clm_arch *arch)
{
	static const struct {
		const char *cls, *type;
		enum clm_arch arch;
	} known[] = {
		{ "GPT2LMHeadModel", "gpt2", CLM_ARCH_GPT2 },
		{ "LlamaForCausalLM", "llama", CLM_ARCH_LLAMA },
		{ "MistralForCausalLM", "mistral", CLM_ARCH_LLAMA },
		{ "Qwen2ForCausalLM", "qwen2", CLM_ARCH_QWEN2 },
		{ "Starcoder2ForCausalLM", "starcoder2", CLM_ARCH_STARCODER2 },
	};
	const char *cls = json_string_value(json_array_get(json_object_get(obj, "architectures"), 0));
	const char *type = json_string_value(json_object_get(obj, "model_type"));

	if (!cls && !type) {
		*arch = CLM_ARCH_GPT2;
		return 0;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if ((cls && !strcmp(cls, known[i].cls)) || (!cls && !strcmp(type, known[i].type))) {
			*arch = known[i].arch;
			return 0;
		}
	return clm_error_set(CLM_EINVALID, "%s: architecture %s is not supported by this engine (supported: "
			     "GPT2LMHeadModel, LlamaForCausalLM, MistralForCausalLM without sliding window, "
			     "Qwen2ForCausalLM, Starcoder2ForCausalLM)", what, cls ? cls : type);
}

static int llama_from_json(const json_t *obj, enum clm_arch arch, struct clm_gpt_config *cfg)
{
	struct clm_gpt_config c = { 0 };
	int64_t v;
	int sc2 = arch == CLM_ARCH_STARCODER2, bias = 0, sw = 0;

	c.arch = arch;
	c.rope_theta = 10000.0f;
	c.layer_norm_epsilon = 1e-6f;
	if (refuse_unsupported(obj, arch) || rope_scaling_from_json(json_object_get(obj, "rope_scaling"), &c))
		return CLM_EINVALID;
	if (clm_json_get_int(obj, "num_hidden_layers", 1, 256, &v, what))
		return CLM_EINVALID;
	c.n_layer = (int)v;
	if (clm_json_get_int(obj, "num_attention_heads", 1, 4096, &v, what))
		return CLM_EINVALID;
	c.n_head = (int)v;
	if (clm_json_get_int(obj, "hidden_size", 1, 65536, &v, what))
		return CLM_EINVALID;
	c.n_embd = (int)v;
	if (clm_json_get_int(obj, "intermediate_size", 1, 1 << 20, &v, what))
		return CLM_EINVALID;
	c.n_inner = (int)v;
	if (clm_json_get_int(obj, "vocab_size", 1, 4000000, &v, what))
		return CLM_EINVALID;
	c.vocab_size = (int)v;
	if (clm_json_get_int(obj, "max_position_embeddings", 1, 1 << 24, &v, what))
		return CLM_EINVALID;
	c.n_positions = v > 1 << 20 ? 1 << 20 : (int)v;
	if (get_int(obj, "num_key_value_heads", 1, 4096, &c.n_kv_head) || get_int(obj, "head_dim", 1, 4096, &c.head_dim) ||
	    get_float(obj, sc2 ? "norm_epsilon" : "rms_norm_eps", &c.layer_norm_epsilon) ||
	    get_float(obj, "rope_theta", &c.rope_theta) || get_bool(obj, "tie_word_embeddings", sc2, &c.untied))
		return CLM_EINVALID;
	c.untied = !c.untied;
	if (c.head_dim == 0 && c.n_embd % c.n_head)
		return clm_error_set(CLM_EINVALID, "%s: num_attention_heads %d does not divide hidden_size %d and "
				     "there is no head_dim", what, c.n_head, c.n_embd);
	c.head_dim = clm_cfg_head_dim(&c);
	c.n_kv_head = clm_cfg_kv_heads(&c);
	if (arch == CLM_ARCH_QWEN2) {
		c.qkv_bias = 1;
	} else if (sc2) {
		if (get_bool(obj, "use_bias", 1, &bias))
			return CLM_EINVALID;
		c.qkv_bias = c.o_bias = c.mlp_bias = bias;
		/* within the window, sliding-window attention is full attention: cap the context there */
		if (get_int(obj, "sliding_window", 1, 1 << 24, &sw))
			return CLM_EINVALID;
		if (sw > 0 && sw < c.n_positions)
			c.n_positions = sw;
	} else {
		if (get_bool(obj, "attention_bias", 0, &bias) || get_bool(obj, "mlp_bias", 0, &c.mlp_bias))
			return CLM_EINVALID;
		c.qkv_bias = c.o_bias = bias;
	}
	if (clm_gpt_config_check(&c))
		return CLM_EINVALID;
	*cfg = c;
	return 0;
}

int clm_gpt_config_from_json(const json_t *obj, struct clm_gpt_config *cfg)
{
	enum clm_arch arch = CLM_ARCH_GPT2;

	if (!json_is_object(obj))
		return clm_error_set(CLM_EINVALID, "%s: not a JSON object", what);
	if (detect_arch(obj, &arch))
		return CLM_EINVALID;
	return arch == CLM_ARCH_GPT2 ? gpt2_from_json(obj, cfg) : llama_from_json(obj, arch, cfg);
}

static json_t *gpt2_to_json(const struct clm_gpt_config *c)
{
	return json_pack("{s:[s], s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:n, s:b, "
			 "s:b}",
			 "architectures", "GPT2LMHeadModel", "model_type", "gpt2", "activation_function", "gelu_new",
			 "n_layer", c->n_layer, "n_head", c->n_head, "n_embd", c->n_embd, "n_positions",
			 c->n_positions, "n_ctx", c->n_positions, "vocab_size", c->vocab_size, "layer_norm_epsilon",
			 (double)c->layer_norm_epsilon, "initializer_range", 0.02, "attn_pdrop", 0.0, "embd_pdrop",
			 0.0, "resid_pdrop", 0.0, "n_inner", "tie_word_embeddings", 1, "scale_attn_weights", 1);
}

json_t *clm_gpt_config_to_json(const struct clm_gpt_config *c)
{
	static const char *const types[] = { "gpt2", "llama", "qwen2", "starcoder2" };
	int sc2 = c->arch == CLM_ARCH_STARCODER2;
	json_t *o, *rs = NULL;

	if (c->arch == CLM_ARCH_GPT2)
		return gpt2_to_json(c);
	o = json_pack("{s:[s], s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:b, s:s, s:f}", "architectures",
		      clm_arch_name(c->arch), "model_type", types[c->arch], "num_hidden_layers", c->n_layer,
		      "num_attention_heads", c->n_head, "num_key_value_heads", clm_cfg_kv_heads(c), "head_dim",
		      clm_cfg_head_dim(c), "hidden_size", c->n_embd, "intermediate_size", clm_cfg_ffn(c),
		      "max_position_embeddings", c->n_positions, "vocab_size", c->vocab_size,
		      sc2 ? "norm_epsilon" : "rms_norm_eps", (double)c->layer_norm_epsilon, "rope_theta",
		      (double)c->rope_theta, "tie_word_embeddings", !c->untied, "hidden_act",
		      sc2 ? "gelu_pytorch_tanh" : "silu", "initializer_range", 0.02);
	if (!o)
		return NULL;
	if (c->arch == CLM_ARCH_LLAMA &&
	    (json_object_set_new(o, "attention_bias", json_boolean(c->qkv_bias)) ||
	     json_object_set_new(o, "mlp_bias", json_boolean(c->mlp_bias))))
		goto fail;
	if (sc2 && json_object_set_new(o, "use_bias", json_boolean(c->qkv_bias)))
		goto fail;
	if (c->rope_type == CLM_ROPE_LINEAR)
		rs = json_pack("{s:s, s:f}", "rope_type", "linear", "factor", (double)c->rope_factor);
	else if (c->rope_type == CLM_ROPE_LLAMA3)
		rs = json_pack("{s:s, s:f, s:f, s:f, s:i}", "rope_type", "llama3", "factor", (double)c->rope_factor,
			       "low_freq_factor", (double)c->rope_low_freq_factor, "high_freq_factor",
			       (double)c->rope_high_freq_factor, "original_max_position_embeddings",
			       c->rope_original_max_positions);
	if (c->rope_type != CLM_ROPE_DEFAULT && (!rs || json_object_set_new(o, "rope_scaling", rs)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

long long clm_gpt_config_param_count(const struct clm_gpt_config *c)
{
	long long C = c->n_embd, F = clm_cfg_ffn(c), Q = clm_cfg_q_width(c), K = clm_cfg_kv_width(c);
	long long V = c->vocab_size, per_layer, norms;

	if (c->arch == CLM_ARCH_GPT2) {
		per_layer = 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * 4 * C + 4 * C) + (4 * C * C + C);
		return V * C + (long long)c->n_positions * C + c->n_layer * per_layer + 2 * C;
	}
	norms = c->arch == CLM_ARCH_STARCODER2 ? 2 * C : C;
	per_layer = 2 * norms + C * (Q + 2 * K) + (c->qkv_bias ? Q + 2 * K : 0) + Q * C + (c->o_bias ? C : 0) +
		    (c->arch == CLM_ARCH_STARCODER2 ? 2 : 3) * C * F + (c->mlp_bias ? (c->arch == CLM_ARCH_STARCODER2 ? F : 2 * F) + C : 0);
	return V * C * (c->untied ? 2 : 1) + c->n_layer * per_layer + norms;
}
