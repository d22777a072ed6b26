/* A base model directory as `git clmodel pretrain` writes it (Hugging Face layout): config.json
 * (GPT-2 keys), model.safetensors and tokenizer.json; and the text codec over its tokenizer. */
#ifndef CLM_CL_BASE_MODEL_H
#define CLM_CL_BASE_MODEL_H

#include "cl/trainer.h"
#include "nn/model.h"
#include "tok/bpe.h"

struct clm_base_model {
	struct clm_gpt model;
	struct clm_tokenizer tok;
};

/* Load `dir` into `out` (release with clm_base_model_release, also after a failure): config.json
 * (any architecture of nn/config.h), tokenizer.json, and the weights mapped from model.safetensors
 * or its shards (io/hf_dir.h: held once, in f32). The
 * tokenizer must know the "<|sep|>" and "<|endoftext|>" special tokens and have the model's
 * vocabulary size or less. 0 or negative with a message naming the file. */
int clm_base_model_load(const char *dir, struct clm_base_model *out);

/* Build from config.json and tokenizer.json bytes and the model's tensors (names as
 * clm_gpt_from_tensors takes them); messages name the files as "<where>/config.json". Release
 * with clm_base_model_release, also after a failure. */
int clm_base_model_from_parts(const char *where, const char *config_json, size_t config_len,
			      const char *tokenizer_json, size_t tokenizer_len, const struct clm_tensor_list *weights,
			      struct clm_base_model *out);

/* Free the model and tokenizer. */
void clm_base_model_release(struct clm_base_model *b);

/* A codec over `tok` (borrowed, must outlive the codec): separator "<|sep|>", end "<|endoftext|>";
 * special tokens' text inside examples is encoded as plain text. 0 or CLM_EINVALID. */
int clm_tok_codec(struct clm_text_codec *c, struct clm_tokenizer *tok);

#endif
