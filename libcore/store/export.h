/* Writing a stored version out as files other tools load. */
#ifndef CLM_STORE_EXPORT_H
#define CLM_STORE_EXPORT_H

#include "store/store.h"

enum clm_export_format {
	CLM_EXPORT_HF,         /* config.json, tokenizer.json, model.safetensors */
	CLM_EXPORT_SAFETENSORS, /* model.safetensors only */
	CLM_EXPORT_GGUF,        /* one GGUF file for llama.cpp: clm_store_export_gguf */
	CLM_EXPORT_PEFT,        /* a LoRA set as a Hugging Face PEFT directory: clm_store_export_adapter */
	CLM_EXPORT_GGUF_LORA,   /* a LoRA set as a llama.cpp GGUF adapter file */
	CLM_EXPORT_OLLAMA       /* Modelfile, base.gguf and adapter.gguf for `ollama create` */
};

/* Parse "hf", "safetensors", "gguf", "peft", "gguf-lora" or "ollama"; CLM_EINVALID with a
 * message otherwise. */
int clm_export_format_parse(const char *name, enum clm_export_format *out);

/* Where a Hugging Face export puts the tensors of the version's CL strategy (soft prompts,
 * adapters, the strategy's state), so model.safetensors holds only what a GPT-2 loader expects. */
#define CLM_EXPORT_STRATEGY_FILE "clmodel-strategy.safetensors"

/* Write version `id` (checksums verified) into `dir`, created when missing: the backbone in
 * model.safetensors, the strategy's "clm.*" and "cl.*" tensors (if any) in
 * CLM_EXPORT_STRATEGY_FILE. The safetensors metadata names the version ("clmodel_version").
 * GGUF goes through clm_store_export_gguf. */
int clm_store_export(struct clm_store *s, const git_oid *id, enum clm_export_format format, const char *dir);

/* Export stored version `id` (checksums verified) as GGUF at `path` (`dtype` CLM_DTYPE_F32 or
 * CLM_DTYPE_F16; io/gguf_model.h writes it). A version with strategy tensors (soft prompts,
 * adapters) is refused with advice unless `backbone_only`, which leaves them out. */
int clm_store_export_gguf(struct clm_store *s, const git_oid *id, enum clm_dtype dtype, int backbone_only,
			  const char *path);

/* Export LoRA set `set` (-1: the last, the newest task's) of stored version `id` as `format`:
 * CLM_EXPORT_PEFT into directory `out`, CLM_EXPORT_GGUF_LORA as file `out` (tensors in `dtype`,
 * F32 or F16), CLM_EXPORT_OLLAMA into directory `out` (base.gguf, the backbone in `dtype`;
 * adapter.gguf; a Modelfile naming both). A version without LoRA sets is refused, naming its
 * strategy and the local engine (`git clmodel suggest`) as the way to serve it. */
int clm_store_export_adapter(struct clm_store *s, const git_oid *id, enum clm_export_format format, int set,
			     enum clm_dtype dtype, const char *out);

#endif
