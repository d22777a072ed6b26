/* Mapping between a model and a named tensor list, using Hugging Face `transformers` GPT-2 names
 * and layouts (so a safetensors file written from the list loads in transformers, and GPT-2 family
 * checkpoints load here), plus our own "clm.*" tensors for soft prompts and LoRA sets. */
#ifndef CLM_NN_TENSORMAP_H
#define CLM_NN_TENSORMAP_H

#include "nn/tensors.h"
#include "nn/model.h"

enum {
	CLM_EXPORT_BACKBONE = 1, /* wte, wpe, h.N.*, ln_f.* */
	CLM_EXPORT_PROMPT = 2,   /* clm.prompt.weight */
	CLM_EXPORT_LORA = 4,     /* clm.lora.<k>.h.N.<proj>.A/B and clm.lora.<k>.alpha (F32 scalar) */
	CLM_EXPORT_ALL = 7
};

/* Append copies of the selected parameters to `out` as F32 tensors, in parameter order. No
 * "lm_head.weight" is written: the output projection is tied to wte. 0 or a negative code. */
int clm_gpt_export(const struct clm_gpt *m, int what, struct clm_tensor_list *out);

/* Create a model of config `cfg` from tensors in `in`: every backbone tensor must be present with
 * the right shape (names with or without the "transformer." prefix; F32, F16 or BF16; the
 * attention-mask buffers "attn.bias"/"attn.masked_bias" and a tied "lm_head.weight" are ignored);
 * a prompt table and LoRA sets present in `in` are loaded too. All backbone parameters start
 * trainable. Release with clm_gpt_release. 0 or CLM_EINVALID with a message naming the tensor. */
int clm_gpt_from_tensors(struct clm_gpt *m, const struct clm_gpt_config *cfg, const struct clm_tensor_list *in);

/* What clm_gpt_from_tensors makes of a checkpoint tensor `name` under `cfg`, told from the name
 * alone (so an index can be checked before any weight is read): 1 for a backbone parameter, with
 * its *ndim and shape; 0 for a tensor it skips (see above); -1 for one it refuses. */
int clm_gpt_checkpoint_shape(const struct clm_gpt_config *cfg, const char *name, int *ndim, int64_t shape[2]);

/* Building a model tensor by tensor, so that weights read from mapped files are copied once
 * into the parameters and never held twice. */
struct clm_gpt_loader {
	struct clm_gpt *m;
	char *seen; /* n_backbone flags */
};

/* Allocate `m` (parameters zero) for config `cfg`. 0 or a negative code. */
int clm_gpt_loader_begin(struct clm_gpt_loader *ld, struct clm_gpt *m, const struct clm_gpt_config *cfg);

/* Copy backbone tensor `t` (F32, F16 or BF16; names as clm_gpt_from_tensors takes them, ignored
 * buffers skipped) into its parameter. 0 or CLM_EINVALID naming the tensor. */
int clm_gpt_loader_add(struct clm_gpt_loader *ld, const struct clm_named_tensor *t);

/* Keep backbone weight matrix `name` ([rows][cols] as nn.Linear stores it, or the embedding) in
 * its GGUF encoding at `data` (nbytes long; not copied: it must outlive the model) instead of f32
 * values. Such a model generates (clm_gpt_decode) but does not train. 0 or CLM_EINVALID. */
int clm_gpt_loader_add_encoded(struct clm_gpt_loader *ld, const char *name, enum clm_ggml_type type,
			       const void *data, size_t nbytes);

/* Finish: with `ok` 0 (a failure on the way) or a backbone tensor never loaded, release the
 * model and return CLM_EINVALID (naming the missing tensor); else 0. */
int clm_gpt_loader_end(struct clm_gpt_loader *ld, int ok);

/* Overwrite parameters from the same-named tensors in `in` (any subset; the prompt table and LoRA
 * sets are created or grown as needed; "clm.optim.*" tensors are skipped). 0 or CLM_EINVALID (shape
 * mismatch, or a name that is no parameter of this model; the model may then be partly updated). */
int clm_gpt_load_tensors(struct clm_gpt *m, const struct clm_tensor_list *in);

#endif
