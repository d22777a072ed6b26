#include "store/export.h"
#include "io/gguf_model.h"
#include "io/hf_dir.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

int clm_export_format_parse(const char *name, enum clm_export_format *out)
{
	if (!strcmp(name, "hf"))
		*out = CLM_EXPORT_HF;
	else if (!strcmp(name, "safetensors"))
		*out = CLM_EXPORT_SAFETENSORS;
	else if (!strcmp(name, "gguf"))
		*out = CLM_EXPORT_GGUF;
	else
		return clm_error_set(CLM_EINVALID, "unknown export format '%s' (hf, safetensors or gguf)", name);
	return 0;
}

/* The version as a model directory: config and tokenizer copied, the tensors moved out of `v`,
 * the side files (the files at the top of its tree) copied. */
static int version_to_hf_dir(struct clm_version *v, struct clm_hf_dir *d)
{
	int rc = clm_strbuf_add(&d->config, v->config_json, v->config_len);

	if (!rc)
		rc = clm_strbuf_add(&d->tokenizer, v->tokenizer_json, v->tokenizer_len);
	d->weights = v->weights;
	memset(&v->weights, 0, sizeof(v->weights));
	for (size_t i = 0; !rc && i < v->files.n; i++)
		if (!strchr(v->files.items[i].path, '/'))
			rc = clm_file_list_add(&d->side, v->files.items[i].path, v->files.items[i].data,
					       v->files.items[i].len);
	return rc;
}

int clm_store_export(struct clm_store *s, const git_oid *id, enum clm_export_format format, const char *dir)
{
	struct clm_hf_dir d = CLM_HF_DIR_INIT;
	struct clm_version v;
	json_t *meta = NULL;
	int rc;

	if (format == CLM_EXPORT_GGUF)
		return clm_error_set(CLM_EINVALID, "GGUF export needs a file name and dtype: clm_store_export_gguf");
	rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS | CLM_READ_FILES, &v);
	if (rc < 0)
		return rc;
	meta = json_pack("{ss}", "clmodel_version", v.oid);
	rc = version_to_hf_dir(&v, &d);
	if (!rc)
		rc = clm_hf_dir_write(dir, &d, format == CLM_EXPORT_HF ? CLM_HF_ALL : CLM_HF_WEIGHTS, meta);
	json_decref(meta);
	clm_hf_dir_release(&d);
	clm_version_release(&v);
	return rc;
}

int clm_store_export_gguf(struct clm_store *s, const git_oid *id, enum clm_dtype dtype, const char *path)
{
	struct clm_version v;
	char name[64];
	int rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS, &v);

	if (rc < 0)
		return rc;
	snprintf(name, sizeof(name), "clmodel %.12s", v.oid);
	rc = clm_gguf_export_model(v.config_json, v.config_len, v.tokenizer_json, v.tokenizer_len, &v.weights, dtype,
				   name, path);
	clm_version_release(&v);
	return rc;
}
