/* Model configuration: the sizes and the architecture of a decoder, read from and written to
 * Hugging Face `config.json` keys (GPT-2, Llama, Qwen2, StarCoder2), plus the named configs "tiny"
 * and "small" (GPT-2). Fields after `layer_norm_epsilon` are zero for GPT-2. */
#ifndef CLM_NN_CONFIG_H
#define CLM_NN_CONFIG_H

#include <jansson.h>

enum clm_arch {
	CLM_ARCH_GPT2 = 0,   /* GPT2LMHeadModel: LayerNorm, learned positions, gelu_new, fused Conv1D qkv */
	CLM_ARCH_LLAMA,      /* LlamaForCausalLM (and Mistral without sliding window): RMSNorm, RoPE, SwiGLU, GQA */
	CLM_ARCH_QWEN2,      /* Qwen2ForCausalLM: Llama with q/k/v biases */
	CLM_ARCH_STARCODER2  /* Starcoder2ForCausalLM: LayerNorm with bias, RoPE, GQA, gelu (tanh) MLP, biases */
};

enum clm_rope_scaling { CLM_ROPE_DEFAULT = 0, CLM_ROPE_LINEAR, CLM_ROPE_LLAMA3 };

struct clm_gpt_config {
	int n_layer;              /* transformer blocks */
	int n_head;               /* attention (query) heads */
	int n_embd;               /* model width C */
	int n_positions;          /* context length, soft prompts included */
	int vocab_size;           /* V: rows of the token embedding (may exceed the tokenizer's) */
	float layer_norm_epsilon; /* LayerNorm / RMSNorm epsilon (1e-5 in GPT-2) */
	enum clm_arch arch;
	int n_kv_head;            /* key/value heads, dividing n_head (0: n_head) */
	int head_dim;             /* per-head width (0: n_embd / n_head) */
	int n_inner;              /* MLP width (0: 4 n_embd) */
	int untied;               /* 1: a separate output matrix lm_head.weight */
	int qkv_bias, o_bias, mlp_bias; /* projections with biases (Llama family) */
	float rope_theta;         /* RoPE base */
	enum clm_rope_scaling rope_type;
	float rope_factor, rope_low_freq_factor, rope_high_freq_factor; /* linear and llama3 scaling */
	int rope_original_max_positions; /* llama3 scaling */
};

/* Key/value heads, head width, MLP width and the query / key-value projection widths. */
static inline int clm_cfg_kv_heads(const struct clm_gpt_config *c)
{
	return c->n_kv_head > 0 ? c->n_kv_head : c->n_head;
}

static inline int clm_cfg_head_dim(const struct clm_gpt_config *c)
{
	return c->head_dim > 0 ? c->head_dim : c->n_embd / c->n_head;
}

static inline int clm_cfg_ffn(const struct clm_gpt_config *c)
{
	return c->n_inner > 0 ? c->n_inner : 4 * c->n_embd;
}

static inline int clm_cfg_q_width(const struct clm_gpt_config *c)
{
	return c->n_head * clm_cfg_head_dim(c);
}

static inline int clm_cfg_kv_width(const struct clm_gpt_config *c)
{
	return clm_cfg_kv_heads(c) * clm_cfg_head_dim(c);
}

/* 1 for the rotary (Llama-family) architectures, 0 for GPT-2. */
static inline int clm_cfg_rope(const struct clm_gpt_config *c)
{
	return c->arch != CLM_ARCH_GPT2;
}

/* Fill `cfg` from a named config: "tiny" (2 layers, 128 wide, 4 heads, context 128) or "small"
 * (the reference: 4 layers, 256 wide, 4 heads, context 128, vocab 4096). A `vocab_size` > 0
 * overrides the named vocabulary (use the tokenizer's). 0 or CLM_ENOTFOUND. */
int clm_gpt_config_named(const char *name, int vocab_size, struct clm_gpt_config *cfg);

/* Read a config.json object: GPT-2 keys (n_layer, n_head, n_embd, n_positions or n_ctx,
 * vocab_size, layer_norm_epsilon), or, chosen by `architectures` / `model_type`, a Llama, Qwen2 or
 * StarCoder2 config (hidden_size, num_hidden_layers, num_attention_heads, num_key_value_heads,
 * head_dim, intermediate_size, max_position_embeddings, rms_norm_eps / norm_epsilon, rope_theta,
 * rope_scaling, tie_word_embeddings, attention_bias, mlp_bias, use_bias). A config this engine
 * cannot run (another architecture, yarn or dynamic rope scaling, sliding-window attention,
 * experts) is refused naming what is missing. 0 or CLM_EINVALID. */
int clm_gpt_config_from_json(const json_t *obj, struct clm_gpt_config *cfg);

/* A new config.json object (caller owns the reference) that transformers loads as the config's
 * architecture (GPT-2: gelu_new, tied embeddings, no dropout). The caller adds tokenizer-dependent
 * keys (bos_token_id, eos_token_id). NULL on OOM. */
json_t *clm_gpt_config_to_json(const struct clm_gpt_config *cfg);

/* Check sizes are positive, heads divide widths and nothing overflows. 0 or CLM_EINVALID. */
int clm_gpt_config_check(const struct clm_gpt_config *cfg);

/* Number of backbone parameters (embeddings, blocks, final norm, untied output). */
long long clm_gpt_config_param_count(const struct clm_gpt_config *cfg);

/* The architecture's Hugging Face class name ("LlamaForCausalLM", ...). */
const char *clm_arch_name(enum clm_arch arch);

#endif
