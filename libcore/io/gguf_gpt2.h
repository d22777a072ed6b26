/* GPT-2 models as GGUF files that llama.cpp loads with its `gpt2` architecture: Hugging Face GPT-2
 * tensor names and layouts on our side (Conv1D projections stored [in, out]), llama.cpp names
 * (token_embd, position_embd, blk.N.attn_norm/attn_qkv/attn_output/ffn_norm/ffn_up/ffn_down,
 * output_norm, output) and [out, in] projections on the other, plus the byte-level BPE
 * vocabulary and merges. The output head is tied to the token embedding: it is written as
 * output.weight, a copy, which every llama.cpp release accepts. */
#ifndef CLM_IO_GGUF_GPT2_H
#define CLM_IO_GGUF_GPT2_H

#include <stddef.h>
#include <stdint.h>
#include "nn/tensors.h"

struct clm_gguf_gpt2_hparams {
	uint32_t n_vocab, n_ctx, n_embd, n_ff, n_layer, n_head;
	float layer_norm_epsilon;
};

/* GGUF token types (llama.cpp's llama_token_type). */
enum { CLM_GGUF_TOKEN_NORMAL = 1, CLM_GGUF_TOKEN_CONTROL = 3 };

struct clm_gguf_vocab {
	size_t n_tokens;
	char **tokens;        /* owned; GPT-2's printable byte mapping ("\xc4\xa0the" for " the"), as in vocab.json */
	int32_t *token_types; /* owned; n_tokens entries (CLM_GGUF_TOKEN_*) */
	size_t n_merges;
	char **merges;        /* owned; "left right" in the same mapping, rank order */
	int32_t bos_id, eos_id; /* -1 when absent */
};

/* Add a byte-level BPE vocabulary's keys to `w` (tokenizer.ggml.model "gpt2", tokenizer.ggml.pre
 * `pre` naming llama.cpp's pre-tokenizer, tokens, types, merges, BOS/EOS, no BOS added). */
struct clm_gguf_writer;
int clm_gguf_add_vocab(struct clm_gguf_writer *w, const struct clm_gguf_vocab *v, const char *pre);

/* Free a vocabulary's memory. */
void clm_gguf_vocab_release(struct clm_gguf_vocab *v);

/* Write `hf` (HF GPT-2 names, optionally prefixed "transformer.", any float dtype) as a GGUF v3
 * gpt2 file. `dtype` CLM_DTYPE_F32 or CLM_DTYPE_F16 (one-dimensional tensors stay F32, as
 * llama.cpp's converter does). Shapes are checked against `hp`; a tensor without a GGUF
 * equivalent (adapters, prompts) is refused. `name` goes to general.name. */
int clm_gguf_write_gpt2(const char *path, const struct clm_gguf_gpt2_hparams *hp, const struct clm_gguf_vocab *vocab,
			const struct clm_tensor_list *hf, enum clm_dtype dtype, const char *name);

/* Read a GGUF gpt2 file into HF GPT-2 tensors (dtype as stored; projections back in [in, out]),
 * its sizes and its vocabulary. An output.weight equal to the embedding is dropped (tied); a
 * different one becomes "lm_head.weight". Outputs are initialised here; on failure they hold
 * nothing. */
int clm_gguf_read_gpt2(const char *path, struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab,
		       struct clm_tensor_list *hf);

/* Like clm_gguf_read_gpt2, from `size` bytes in memory (they may be freed afterwards). */
int clm_gguf_parse_gpt2(const void *data, size_t size, struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab,
			struct clm_tensor_list *hf);

#endif
