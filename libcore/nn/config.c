#include "nn/config.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

int clm_gpt_config_named(const char *name, int vocab_size, struct clm_gpt_config *cfg)
{
	struct clm_gpt_config c = { 0 };

	if (!strcmp(name, "tiny"))
		c = (struct clm_gpt_config){ 2, 4, 128, 128, 2048, 1e-5f };
	else if (!strcmp(name, "small"))
		c = (struct clm_gpt_config){ 4, 4, 256, 128, 4096, 1e-5f };
	else
		return clm_error_set(CLM_ENOTFOUND, "unknown model config '%s' (known: tiny, small)", name);
	if (vocab_size > 0)
		c.vocab_size = vocab_size;
	*cfg = c;
	return 0;
}

int clm_gpt_config_check(const struct clm_gpt_config *c)
{
	if (c->n_layer < 1 || c->n_layer > 256 || c->n_head < 1 || c->n_embd < 1 || c->n_embd > 65536 ||
	    c->n_positions < 1 || c->n_positions > 65536 || c->vocab_size < 1 || c->vocab_size > 4000000)
		return clm_error_set(CLM_EINVALID, "model config: size out of range (n_layer %d, n_head %d, "
				     "n_embd %d, n_positions %d, vocab_size %d)", c->n_layer, c->n_head, c->n_embd,
				     c->n_positions, c->vocab_size);
	if (c->n_embd % c->n_head)
		return clm_error_set(CLM_EINVALID, "model config: n_head %d does not divide n_embd %d", c->n_head,
				     c->n_embd);
	if (!(c->layer_norm_epsilon > 0 && c->layer_norm_epsilon < 1))
		return clm_error_set(CLM_EINVALID, "model config: layer_norm_epsilon must be in (0, 1)");
	return 0;
}

int clm_gpt_config_from_json(const json_t *obj, struct clm_gpt_config *cfg)
{
	static const char what[] = "config.json";
	struct clm_gpt_config c = { 0 };
	int64_t v;
	double eps = 1e-5;
	const char *pos_key = json_object_get(obj, "n_positions") ? "n_positions" : "n_ctx";

	if (!json_is_object(obj))
		return clm_error_set(CLM_EINVALID, "%s: not a JSON object", what);
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

json_t *clm_gpt_config_to_json(const struct clm_gpt_config *c)
{
	return json_pack("{s:[s], s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:n, s:b, "
			 "s:b}",
			 "architectures", "GPT2LMHeadModel", "model_type", "gpt2", "activation_function", "gelu_new",
			 "n_layer", c->n_layer, "n_head", c->n_head, "n_embd", c->n_embd, "n_positions",
			 c->n_positions, "n_ctx", c->n_positions, "vocab_size", c->vocab_size, "layer_norm_epsilon",
			 (double)c->layer_norm_epsilon, "initializer_range", 0.02, "attn_pdrop", 0.0, "embd_pdrop",
			 0.0, "resid_pdrop", 0.0, "n_inner", "tie_word_embeddings", 1, "scale_attn_weights", 1);
}

long long clm_gpt_config_param_count(const struct clm_gpt_config *c)
{
	long long C = c->n_embd;
	long long per_layer = 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * 4 * C + 4 * C) + (4 * C * C + C);
	return (long long)c->vocab_size * C + (long long)c->n_positions * C + c->n_layer * per_layer + 2 * C;
}
