/* Model configuration: the sizes of a GPT-2 family decoder, read from and written to Hugging Face
 * GPT-2 `config.json` keys, plus the named configs "tiny" and "small". */
#ifndef CLM_NN_CONFIG_H
#define CLM_NN_CONFIG_H

#include <jansson.h>

struct clm_gpt_config {
	int n_layer;              /* transformer blocks */
	int n_head;               /* attention heads; divides n_embd */
	int n_embd;               /* model width C */
	int n_positions;          /* context length (learned positions), soft prompts included */
	int vocab_size;           /* V: rows of the (tied) token embedding */
	float layer_norm_epsilon; /* 1e-5 in GPT-2 */
};

/* Fill `cfg` from a named config: "tiny" (2 layers, 128 wide, 4 heads, context 128) or "small"
 * (the reference: 4 layers, 256 wide, 4 heads, context 128, vocab 4096). A `vocab_size` > 0
 * overrides the named vocabulary (use the tokenizer's). 0 or CLM_ENOTFOUND. */
int clm_gpt_config_named(const char *name, int vocab_size, struct clm_gpt_config *cfg);

/* Read the GPT-2 keys (n_layer, n_head, n_embd, n_positions, vocab_size, layer_norm_epsilon;
 * n_ctx accepted for n_positions) from a config.json object and validate them. 0 or CLM_EINVALID. */
int clm_gpt_config_from_json(const json_t *obj, struct clm_gpt_config *cfg);

/* A new config.json object (caller owns the reference) that transformers loads as GPT-2
 * (model_type, architectures, activation_function "gelu_new", tied embeddings, no dropout). The
 * caller adds tokenizer-dependent keys (bos_token_id, eos_token_id). NULL on OOM. */
json_t *clm_gpt_config_to_json(const struct clm_gpt_config *cfg);

/* Check sizes are positive, n_head divides n_embd and nothing overflows. 0 or CLM_EINVALID. */
int clm_gpt_config_check(const struct clm_gpt_config *cfg);

/* Number of backbone parameters (embeddings, blocks, final norm; the output is tied). */
long long clm_gpt_config_param_count(const struct clm_gpt_config *cfg);

#endif
