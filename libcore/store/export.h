/* Writing a stored version out as files other tools load. */
#ifndef CLM_STORE_EXPORT_H
#define CLM_STORE_EXPORT_H

#include "store/store.h"

enum clm_export_format {
	CLM_EXPORT_HF,         /* config.json, tokenizer.json, model.safetensors */
	CLM_EXPORT_SAFETENSORS, /* model.safetensors only */
	CLM_EXPORT_GGUF         /* one GGUF file for llama.cpp: clm_store_export_gguf */
};

/* Parse "hf", "safetensors" or "gguf"; CLM_EINVALID with a message otherwise. */
int clm_export_format_parse(const char *name, enum clm_export_format *out);

/* Write version `id` (checksums verified) into `dir`, created when missing. The safetensors
 * metadata names the version ("clmodel_version"). GGUF goes through clm_store_export_gguf. */
int clm_store_export(struct clm_store *s, const git_oid *id, enum clm_export_format format, const char *dir);

/* Export stored version `id` (checksums verified) as GGUF at `path` (`dtype` CLM_DTYPE_F32 or
 * CLM_DTYPE_F16; io/gguf_model.h writes it). */
int clm_store_export_gguf(struct clm_store *s, const git_oid *id, enum clm_dtype dtype, const char *path);

#endif
