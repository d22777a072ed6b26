#include "io/gguf_model.h"
#include "io/gguf_llama.h"
#include "nn/config.h"
#include "tok/byte_unicode.h"
#include "tok/hf_json.h"
#include "tok/vocab_io.h"
#include "util/error.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#define EOT_TEXT "<|endoftext|>"

int clm_gguf_vocab_from_tokenizer(const struct clm_tokenizer *t, struct clm_gguf_vocab *out)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->bos_id = out->eos_id = clm_tok_special_id(t, EOT_TEXT);
	out->tokens = calloc(t->n_tokens ? t->n_tokens : 1, sizeof(char *));
	out->token_types = calloc(t->n_tokens ? t->n_tokens : 1, sizeof(int32_t));
	out->merges = calloc(t->n_merges ? t->n_merges : 1, sizeof(char *));
	if (!out->tokens || !out->token_types || !out->merges)
		rc = clm_error_oom();
	for (size_t id = 0; id < t->n_tokens && !rc; id++, out->n_tokens++) {
		size_t len;
		const char *bytes = clm_tok_bytes(t, (int32_t)id, &len);
		clm_strbuf_reset(&sb);
		/* special tokens keep their text; ordinary ones are written in GPT-2's byte mapping */
		rc = t->tokens[id].special ? clm_strbuf_add(&sb, bytes, len) : clm_bytes_to_mapped(bytes, len, &sb);
		out->token_types[id] = t->tokens[id].special ? CLM_GGUF_TOKEN_CONTROL : CLM_GGUF_TOKEN_NORMAL;
		if (!rc && !(out->tokens[id] = clm_strbuf_detach(&sb, NULL)))
			rc = clm_error_oom();
	}
	for (size_t r = 0; r < t->n_merges && !rc; r++, out->n_merges++) {
		clm_strbuf_reset(&sb);
		rc = clm_tok_merge_to_mapped(t, r, &sb);
		if (!rc && !(out->merges[r] = clm_strbuf_detach(&sb, NULL)))
			rc = clm_error_oom();
	}
	clm_strbuf_release(&sb);
	if (rc < 0)
		clm_gguf_vocab_release(out);
	return rc;
}

int clm_gguf_vocab_to_tokenizer(const struct clm_gguf_vocab *v, struct clm_tokenizer *t)
{
	struct clm_strbuf bytes = CLM_STRBUF_INIT;
	int rc = clm_tok_init(t, v->n_tokens);

	for (size_t id = 0; id < v->n_tokens && !rc; id++) {
		int special = v->token_types[id] == CLM_GGUF_TOKEN_CONTROL;
		clm_strbuf_reset(&bytes);
		rc = special ? clm_strbuf_addstr(&bytes, v->tokens[id])
			     : clm_mapped_to_bytes(v->tokens[id], strlen(v->tokens[id]), &bytes);
		if (!rc)
			rc = clm_tok_set_token(t, (int32_t)id, bytes.buf, bytes.len, special);
		if (rc < 0)
			clm_error_wrap(rc, "GGUF token %zu", id);
	}
	for (size_t r = 0; r < v->n_merges && !rc; r++) {
		const char *m = v->merges[r], *space = strchr(m, ' ');
		if (!space || strchr(space + 1, ' '))
			rc = clm_error_set(CLM_EINVALID, "GGUF merge %zu is not two tokens separated by a space", r);
		else
			rc = clm_tok_add_mapped_merge(t, m, (size_t)(space - m), space + 1, strlen(space + 1), "GGUF merges", r);
	}
	if (!rc)
		rc = clm_tok_finish(t);
	clm_strbuf_release(&bytes);
	if (rc < 0)
		clm_tok_release(t);
	return rc;
}

/* A Llama-family model: the architecture's keys and tensors (io/gguf_llama.h), then the vocabulary. */
static int export_llama(const json_t *config, const struct clm_gguf_vocab *vocab, const struct clm_tensor_list *weights,
			enum clm_dtype dtype, const char *name, const char *path)
{
	struct clm_gguf_writer w;
	enum clm_ggml_type type = dtype == CLM_DTYPE_F16 ? CLM_GGML_F16 : CLM_GGML_F32;
	int rc = clm_gguf_writer_init(&w, CLM_GGUF_DEFAULT_ALIGNMENT);

	if (!rc && dtype != CLM_DTYPE_F32 && dtype != CLM_DTYPE_F16)
		rc = clm_error_set(CLM_EINVALID, "GGUF export writes f32 or f16, not %s", clm_dtype_name(dtype));
	if (!rc && name)
		rc = clm_gguf_add_string(&w, "general.name", name);
	if (!rc)
		rc = clm_gguf_add_llama(&w, config, weights, type, type);
	if (!rc)
		rc = clm_gguf_add_vocab(&w, vocab, "gpt-2"); /* our tokenizers split text as GPT-2 does */
	if (!rc)
		rc = clm_gguf_write(&w, path);
	clm_gguf_writer_release(&w);
	return rc;
}

int clm_gguf_export_model(const char *config_json, size_t config_len, const char *tokenizer_json, size_t tokenizer_len,
			  const struct clm_tensor_list *weights, enum clm_dtype dtype, const char *name, const char *path)
{
	struct clm_gpt_config cfg = { 0 };
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab vocab = { 0 };
	struct clm_tokenizer tok;
	json_t *config = clm_json_parse(config_json, config_len, "config.json");
	int rc = config ? clm_gpt_config_from_json(config, &cfg) : CLM_EINVALID;

	if (rc < 0) {
		json_decref(config);
		return rc;
	}
	rc = clm_tok_parse_hf(&tok, tokenizer_json, tokenizer_len);
	if (rc < 0) {
		json_decref(config);
		return clm_error_wrap(rc, "tokenizer.json");
	}
	rc = clm_gguf_vocab_from_tokenizer(&tok, &vocab);
	clm_tok_release(&tok);
	if (!rc && cfg.arch != CLM_ARCH_GPT2 && vocab.n_tokens != (size_t)cfg.vocab_size)
		rc = clm_error_set(CLM_EINVALID, "the vocabulary has %zu tokens but the model %d rows", vocab.n_tokens,
				   cfg.vocab_size);
	if (!rc && cfg.arch != CLM_ARCH_GPT2)
		rc = export_llama(config, &vocab, weights, dtype, name, path);
	json_decref(config);
	if (rc < 0 || cfg.arch != CLM_ARCH_GPT2) {
		clm_gguf_vocab_release(&vocab);
		return rc;
	}
	hp.n_vocab = (uint32_t)cfg.vocab_size;
	hp.n_ctx = (uint32_t)cfg.n_positions;
	hp.n_embd = (uint32_t)cfg.n_embd;
	hp.n_ff = 4 * (uint32_t)cfg.n_embd;
	hp.n_layer = (uint32_t)cfg.n_layer;
	hp.n_head = (uint32_t)cfg.n_head;
	hp.layer_norm_epsilon = cfg.layer_norm_epsilon;
	rc = clm_gguf_write_gpt2(path, &hp, &vocab, weights, dtype, name);
	clm_gguf_vocab_release(&vocab);
	return rc;
}

/* Replace every tensor by its f32 values (GGUF files may hold f16; the engine computes in f32). */
static int to_f32(const struct clm_tensor_list *in, struct clm_tensor_list *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < in->n && !rc; i++) {
		const struct clm_named_tensor *t = &in->items[i];
		float *f;
		if ((rc = clm_tensor_to_f32(t, &f)) < 0)
			break;
		rc = clm_tensor_list_add(out, t->name, CLM_DTYPE_F32, t->ndim, t->shape, f,
					 (size_t)clm_shape_numel(t->ndim, t->shape) * sizeof(float));
		free(f);
	}
	if (rc < 0)
		clm_tensor_list_release(out);
	return rc;
}

int clm_gguf_import_model(const char *path, struct clm_strbuf *config_json, struct clm_strbuf *tokenizer_json,
			  struct clm_tensor_list *weights)
{
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab vocab;
	struct clm_tensor_list raw;
	struct clm_tokenizer tok;
	struct clm_gpt_config cfg = { 0 };
	json_t *config = NULL;
	int rc = clm_gguf_read_gpt2(path, &hp, &vocab, &raw);

	memset(weights, 0, sizeof(*weights));
	if (rc < 0)
		return rc;
	if (hp.n_ff != 4 * hp.n_embd)
		rc = clm_error_set(CLM_EINVALID, "%s: feed-forward width %u is not 4 x %u, which this engine needs", path,
				   hp.n_ff, hp.n_embd);
	else if (clm_tensor_list_find(&raw, "lm_head.weight"))
		rc = clm_error_set(CLM_EINVALID, "%s: the output head is not tied to the token embedding, which this "
				   "engine needs", path);
	if (!rc) {
		cfg.n_layer = (int)hp.n_layer;
		cfg.n_head = (int)hp.n_head;
		cfg.n_embd = (int)hp.n_embd;
		cfg.n_positions = (int)hp.n_ctx;
		cfg.vocab_size = (int)hp.n_vocab;
		cfg.layer_norm_epsilon = hp.layer_norm_epsilon;
		rc = clm_gpt_config_check(&cfg);
	}
	if (!rc && !(config = clm_gpt_config_to_json(&cfg)))
		rc = clm_error_oom();
	if (!rc)
		rc = clm_json_dump_pretty(config, config_json);
	if (!rc && (rc = clm_gguf_vocab_to_tokenizer(&vocab, &tok)) == 0) {
		rc = clm_tok_write_hf(&tok, tokenizer_json);
		clm_tok_release(&tok);
	}
	if (!rc)
		rc = to_f32(&raw, weights);
	json_decref(config);
	clm_gguf_vocab_release(&vocab);
	clm_tensor_list_release(&raw);
	return rc < 0 ? clm_error_wrap(rc, "import") : 0;
}
