/* GGUF for llama.cpp-family runtimes: a model given as config.json and tokenizer.json text plus
 * Hugging Face GPT-2 tensors, to a GGUF gpt2 file and back (io/gguf_gpt2.h maps the tensors,
 * io/gguf.h is the container). store/export.h exports a stored version with it, store/import.h
 * records imports. */
#ifndef CLM_IO_GGUF_MODEL_H
#define CLM_IO_GGUF_MODEL_H

#include <stddef.h>
#include "io/gguf_gpt2.h"
#include "nn/tensors.h"
#include "tok/bpe.h"
#include "util/strbuf.h"

/* The GGUF vocabulary of a tokenizer: ordinary tokens in GPT-2's byte mapping, special tokens
 * as control tokens with their text, merges in rank order, <|endoftext|> as BOS and EOS. Release
 * with clm_gguf_vocab_release. */
int clm_gguf_vocab_from_tokenizer(const struct clm_tokenizer *t, struct clm_gguf_vocab *out);

/* A finished tokenizer from a GGUF vocabulary (on failure `t` is released). */
int clm_gguf_vocab_to_tokenizer(const struct clm_gguf_vocab *v, struct clm_tokenizer *t);

/* Write a model given as config.json and tokenizer.json text plus its tensors as GGUF at `path`
 * (`dtype` CLM_DTYPE_F32 or CLM_DTYPE_F16; `name` for general.name, may be NULL). */
int clm_gguf_export_model(const char *config_json, size_t config_len, const char *tokenizer_json, size_t tokenizer_len,
			  const struct clm_tensor_list *weights, enum clm_dtype dtype, const char *name, const char *path);

/* Read a GGUF gpt2 file as config.json and tokenizer.json text (appended to the buffers) and f32
 * tensors with HF names (initialised here). Feed-forward widths other than 4 x the model width
 * and untied output heads are refused: our engine has neither. */
int clm_gguf_import_model(const char *path, struct clm_strbuf *config_json, struct clm_strbuf *tokenizer_json,
			  struct clm_tensor_list *weights);

#endif
