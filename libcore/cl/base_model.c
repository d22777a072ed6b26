#include "cl/base_model.h"
#include "io/hf_dir.h"
#include "nn/config.h"
#include "nn/tensormap.h"
#include "tok/hf_json.h"
#include "util/error.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

/* The engine config of config.json text. */
static int parse_config(const char *where, const char *config_json, size_t config_len, struct clm_gpt_config *cfg)
{
	char name[4096];
	json_t *config;
	int rc;

	snprintf(name, sizeof(name), "%s/config.json", where);
	config = clm_json_parse(config_json, config_len, name);
	rc = config ? 0 : CLM_EINVALID;
	if (!rc && (rc = clm_gpt_config_from_json(config, cfg)) < 0)
		clm_error_wrap(rc, "%s", name);
	json_decref(config);
	return rc;
}

/* The tokenizer of tokenizer.json text, which must fit the model's vocabulary. */
static int parse_tokenizer(const char *where, const char *tokenizer_json, size_t tokenizer_len,
			   struct clm_base_model *out)
{
	char name[4096];
	int rc;

	snprintf(name, sizeof(name), "%s/tokenizer.json", where);
	if ((rc = clm_tok_parse_hf(&out->tok, tokenizer_json, tokenizer_len)) < 0)
		return clm_error_wrap(rc, "%s", name);
	if (out->tok.n_tokens > (size_t)out->model.cfg.vocab_size)
		return clm_error_set(CLM_EINVALID, "%s has %zu tokens, the model only %d", name, out->tok.n_tokens,
				     out->model.cfg.vocab_size);
	return 0;
}

int clm_base_model_from_parts(const char *where, const char *config_json, size_t config_len,
			      const char *tokenizer_json, size_t tokenizer_len, const struct clm_tensor_list *weights,
			      struct clm_base_model *out)
{
	struct clm_gpt_config cfg;
	int rc = parse_config(where, config_json, config_len, &cfg);

	memset(out, 0, sizeof(*out));
	if (!rc && (rc = clm_gpt_from_tensors(&out->model, &cfg, weights)) < 0)
		clm_error_wrap(rc, "%s/weights", where);
	if (!rc)
		rc = parse_tokenizer(where, tokenizer_json, tokenizer_len, out);
	return rc;
}

int clm_base_model_load(const char *dir, struct clm_base_model *out)
{
	struct clm_hf_dir d;
	struct clm_gpt_config cfg;
	int rc = clm_hf_dir_read(dir, CLM_HF_CONFIG | CLM_HF_TOKENIZER, &d);

	memset(out, 0, sizeof(*out));
	if (!rc)
		rc = parse_config(dir, d.config.buf, d.config.len, &cfg);
	if (!rc)
		rc = clm_hf_dir_load_model(dir, &cfg, &out->model);
	if (!rc)
		rc = parse_tokenizer(dir, d.tokenizer.buf, d.tokenizer.len, out);
	clm_hf_dir_release(&d);
	return rc;
}

void clm_base_model_release(struct clm_base_model *b)
{
	clm_gpt_release(&b->model);
	clm_tok_release(&b->tok);
	memset(b, 0, sizeof(*b));
}

static int tok_encode(void *ctx, const char *text, size_t len, int32_t **ids, size_t *n)
{
	struct clm_tok_ids out = { *ids, *n, *n };
	int rc = clm_tok_encode(ctx, text, len, 0, &out);

	*ids = out.v;
	*n = out.n;
	return rc;
}

static int tok_decode(void *ctx, const int32_t *ids, size_t n, struct clm_strbuf *out)
{
	return clm_tok_decode(ctx, ids, n, out);
}

int clm_tok_codec(struct clm_text_codec *c, struct clm_tokenizer *tok)
{
	memset(c, 0, sizeof(*c));
	c->encode = tok_encode;
	c->decode = tok_decode;
	c->ctx = tok;
	c->sep = clm_tok_special_id(tok, "<|sep|>");
	c->eos = clm_tok_special_id(tok, "<|endoftext|>");
	if (c->sep < 0 || c->eos < 0)
		return clm_error_set(CLM_EINVALID, "the tokenizer has no <|sep|> or <|endoftext|> token");
	return 0;
}
