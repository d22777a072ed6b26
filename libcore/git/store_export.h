/* Writing a stored version out as files other tools load. */
#ifndef CLM_GIT_STORE_EXPORT_H
#define CLM_GIT_STORE_EXPORT_H

#include "git/store.h"

enum clm_export_format {
	CLM_EXPORT_HF,         /* config.json, tokenizer.json, model.safetensors */
	CLM_EXPORT_SAFETENSORS /* model.safetensors only */
};

/* Parse "hf" or "safetensors"; CLM_EINVALID with a message otherwise. */
int clm_export_format_parse(const char *name, enum clm_export_format *out);

/* Write version `id` (checksums verified) into `dir`, created when missing. The safetensors
 * metadata names the version ("clmodel_version"). */
int clm_store_export(struct clm_store *s, const git_oid *id, enum clm_export_format format, const char *dir);

#endif
