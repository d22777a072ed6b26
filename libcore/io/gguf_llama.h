/* Llama-family models as GGUF files, as llama.cpp's converter writes them: architectures `llama`,
 * `qwen2` and `starcoder2`, hyperparameters under the architecture's keys, llama.cpp's tensor
 * names (token_embd, blk.N.attn_q, ..., output_norm, output) on one side and Hugging Face's
 * (model.embed_tokens, model.layers.N.self_attn.q_proj, ..., model.norm, lm_head) on the other.
 * The `llama` converter reorders the rows of q and k per head so that llama.cpp's rotation of
 * adjacent pairs equals Hugging Face's rotation of halves; qwen2 and starcoder2 rotate halves
 * (NEOX) and keep the rows. Tensors keep their GGUF encoding (F32, F16, BF16 or quantized
 * blocks): a reader that wants f32 decodes them with quant/blocks.h. */
#ifndef CLM_IO_GGUF_LLAMA_H
#define CLM_IO_GGUF_LLAMA_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "io/gguf.h"
#include "nn/model.h"
#include "nn/tensors.h"

/* One tensor under its Hugging Face name and shape ([out, in] for projections, [vocab, width]
 * for the embedding, [width] for norms and biases), in its GGUF encoding. */
struct clm_gguf_hf_tensor {
	char *name;              /* owned */
	enum clm_ggml_type type;
	int ndim;
	int64_t shape[2];
	const void *data;        /* inside the file, or `owned` (rows reordered) */
	size_t nbytes;
	void *owned;
};

struct clm_gguf_hf_tensors {
	struct clm_gguf_hf_tensor *items; /* owned */
	size_t n;
};

/* 1 when `f` is a llama, qwen2 or starcoder2 file. */
int clm_gguf_is_llama_family(const struct clm_gguf_file *f);

/* The Hugging Face config.json of a llama/qwen2/starcoder2 file (`architectures`, sizes, norm
 * epsilon, rope_theta, linear rope scaling, biases, tie_word_embeddings from the absence of
 * output.weight, bos/eos ids) and its tensors under Hugging Face names with q/k rows back in
 * Hugging Face order. Refuses, by name, what these architectures do not have here: partial
 * rotary dimensions, yarn or other rope scaling, llama3 frequency factors, a missing or misshapen
 * tensor, tensors nobody asked for. `f` must outlive `out`. On failure both outputs hold nothing. */
int clm_gguf_read_llama(const struct clm_gguf_file *f, json_t **config, struct clm_gguf_hf_tensors *out);

/* The same tensors as f32 (F16/BF16 kept as stored) in a tensor list (initialised here). */
int clm_gguf_hf_tensors_to_list(const struct clm_gguf_hf_tensors *t, struct clm_tensor_list *out);

/* Free the table and the reordered copies. */
void clm_gguf_hf_tensors_release(struct clm_gguf_hf_tensors *t);

/* A llama/qwen2/starcoder2 GGUF file opened for generation: the engine model's weight matrices
 * stay in the file's encoding and point into the mapped file (or the reordered q/k copies), so
 * a Q4_K file takes about its own size in memory; norms and biases are decoded to f32. */
struct clm_gguf_model {
	struct clm_gguf_file file;
	struct clm_gguf_hf_tensors tensors;
	json_t *config;          /* Hugging Face config.json of the file */
	struct clm_gpt model;    /* generates (nn/generate.h), does not train */
};

/* Open `path` as above. On failure `out` holds nothing. */
int clm_gguf_open_model(const char *path, struct clm_gguf_model *out);

/* Release the model, the tables and the mapping. */
void clm_gguf_model_release(struct clm_gguf_model *m);

/* Add the hyperparameters and tensors of a Llama, Qwen2 or StarCoder2 model (Hugging Face
 * config.json object and tensors, any float dtype) to `w`: `general.architecture` and the
 * architecture's keys, tensors renamed, q/k rows reordered for `llama`. Matrices are encoded as
 * `type` (F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K); one whose rows are not whole
 * blocks of it falls back as llama.cpp's quantizer does (Q4_K -> Q5_0, Q5_K and Q6_K -> Q8_0,
 * others -> F16... see the code) and `embd_type` encodes token_embd and output; norms and
 * biases stay F32. Vocabulary keys are the caller's. */
int clm_gguf_add_llama(struct clm_gguf_writer *w, const json_t *config, const struct clm_tensor_list *hf,
		       enum clm_ggml_type type, enum clm_ggml_type embd_type);

/* Add a llama.cpp LoRA adapter for the Llama, Qwen2 or StarCoder2 model of `config` to `w`:
 * `general.architecture`, `general.type` "adapter", `adapter.type` "lora", `adapter.lora.alpha`,
 * and for each pair "<HF module>.lora_A" [r, in] and ".lora_B" [out, r] (F32) of `lora` the
 * tensors "<GGUF weight>.lora_a" (ggml ne [in, r]) and ".lora_b" (ne [r, out]) encoded as `type`
 * (F32 or F16), the rows of q's and k's lora_b reordered for `llama` as the weights are. A
 * module with no GGUF weight is refused by name. */
int clm_gguf_add_llama_lora(struct clm_gguf_writer *w, const json_t *config, const struct clm_tensor_list *lora,
			    float alpha, enum clm_ggml_type type);

#endif
