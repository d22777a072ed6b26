#include "store/export.h"
#include "io/gguf_model.h"
#include "io/hf_dir.h"
#include "io/lora.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"

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
	else if (!strcmp(name, "peft"))
		*out = CLM_EXPORT_PEFT;
	else if (!strcmp(name, "gguf-lora"))
		*out = CLM_EXPORT_GGUF_LORA;
	else if (!strcmp(name, "ollama"))
		*out = CLM_EXPORT_OLLAMA;
	else
		return clm_error_set(CLM_EINVALID, "unknown export format '%s' (hf, safetensors, gguf, peft, gguf-lora or "
				     "ollama)", name);
	return 0;
}

/* Soft prompts and adapters ("clm.*") and the strategy's own state ("cl.*"): tensors of the
 * version's CL strategy, which no GPT-2 loader knows. */
static int is_strategy_tensor(const char *name)
{
	return !strncmp(name, "clm.", 4) || !strncmp(name, "cl.", 3);
}

/* Move the strategy's tensors out of `w` into `out` (both keep their order). */
static int split_strategy(struct clm_tensor_list *w, struct clm_tensor_list *out)
{
	size_t kept = 0;

	for (size_t i = 0; i < w->n; i++) {
		struct clm_named_tensor t = w->items[i];
		if (!is_strategy_tensor(t.name)) {
			w->items[kept++] = t;
			continue;
		}
		if (clm_tensor_list_add(out, t.name, t.dtype, t.ndim, t.shape, t.data, t.nbytes) < 0) {
			/* keep what is left in `w`, so nothing leaks */
			memmove(w->items + kept, w->items + i, (w->n - i) * sizeof(t));
			w->n = kept + (w->n - i);
			return CLM_ENOMEM;
		}
		free(t.name);
		free(t.data);
	}
	w->n = kept;
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
	struct clm_tensor_list strategy = { 0 };
	struct clm_strbuf path = CLM_STRBUF_INIT;
	struct clm_version v;
	json_t *meta = NULL;
	int rc;

	if (format != CLM_EXPORT_HF && format != CLM_EXPORT_SAFETENSORS)
		return clm_error_set(CLM_EINVALID, "clm_store_export writes hf or safetensors");
	rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS | CLM_READ_FILES, &v);
	if (rc < 0)
		return rc;
	meta = json_pack("{ss}", "clmodel_version", v.oid);
	rc = version_to_hf_dir(&v, &d);
	/* model.safetensors holds the backbone only; the strategy's tensors go beside it. */
	if (!rc)
		rc = split_strategy(&d.weights, &strategy);
	if (!rc)
		rc = clm_hf_dir_write(dir, &d, format == CLM_EXPORT_HF ? CLM_HF_ALL : CLM_HF_WEIGHTS, meta);
	if (!rc && strategy.n && !(rc = clm_strbuf_addf(&path, "%s/%s", dir, CLM_EXPORT_STRATEGY_FILE)))
		rc = clm_safetensors_write(path.buf, &strategy, meta);
	json_decref(meta);
	clm_tensor_list_release(&strategy);
	clm_strbuf_release(&path);
	clm_hf_dir_release(&d);
	clm_version_release(&v);
	return rc;
}

int clm_store_export_gguf(struct clm_store *s, const git_oid *id, enum clm_dtype dtype, int backbone_only,
			  const char *path)
{
	struct clm_tensor_list strategy = { 0 };
	struct clm_version v;
	char name[64];
	int rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS, &v);

	if (rc < 0)
		return rc;
	rc = split_strategy(&v.weights, &strategy);
	if (!rc && strategy.n && !backbone_only)
		rc = clm_error_set(CLM_EINVALID, "version %.12s has %zu tensors of its CL strategy (%s%s) that GGUF cannot "
				   "hold; 'git clmodel export --format gguf --backbone-only' exports the backbone "
				   "without them (its answers then differ from 'git clmodel suggest')", v.oid, strategy.n,
				   strategy.items[0].name, strategy.n > 1 ? ", ..." : "");
	clm_tensor_list_release(&strategy);
	if (rc < 0) {
		clm_version_release(&v);
		return rc;
	}
	snprintf(name, sizeof(name), "clmodel %.12s", v.oid);
	rc = clm_gguf_export_model(v.config_json, v.config_len, v.tokenizer_json, v.tokenizer_len, &v.weights, dtype,
				   name, path);
	clm_version_release(&v);
	return rc;
}

/* An Ollama directory: the backbone as base.gguf, the adapter as adapter.gguf, a Modelfile. */
static int export_ollama(struct clm_version *v, const struct clm_lora_adapter *a, enum clm_dtype dtype, const char *dir)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	char name[64];
	int rc = clm_mkdir_p(dir, 0777) < 0 ? clm_error_set(CLM_EIO, "cannot create '%s'", dir) : 0;

	snprintf(name, sizeof(name), "clmodel %.12s", v->oid);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/base.gguf", dir)) == 0)
		rc = clm_gguf_export_model(v->config_json, v->config_len, v->tokenizer_json, v->tokenizer_len, &v->weights,
					   dtype, name, path.buf);
	clm_strbuf_reset(&path);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/adapter.gguf", dir)) == 0)
		rc = clm_lora_write_gguf(a, v->config_json, v->config_len, dtype, path.buf);
	clm_strbuf_reset(&path);
	if (rc == 0)
		rc = clm_strbuf_addf(&text, "# git clmodel export --format ollama: version %s, LoRA set %d\n"
				     "# ollama create <name> -f %s/Modelfile\nFROM ./base.gguf\nADAPTER ./adapter.gguf\n",
				     v->oid, a->set, dir);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/Modelfile", dir)) == 0)
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
	return rc;
}

int clm_store_export_adapter(struct clm_store *s, const git_oid *id, enum clm_export_format format, int set,
			     enum clm_dtype dtype, const char *out)
{
	struct clm_tensor_list strategy = { 0 };
	struct clm_lora_adapter a;
	struct clm_version v;
	int rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS, &v);

	if (rc < 0)
		return rc;
	rc = split_strategy(&v.weights, &strategy);
	if (rc == 0 && (rc = clm_lora_collect(&strategy, set, &a)) == CLM_ENOTFOUND && set < 0)
		rc = clm_error_set(CLM_EINVALID, "version %.12s (strategy %s) has no LoRA adapter: %s; 'git clmodel "
				   "suggest' serves it with the local engine", v.oid, v.strategy ? v.strategy : "none",
				   strategy.n ? "its soft prompts or prompt pools have no PEFT, llama.cpp or Ollama form"
					      : "it is the backbone alone, which --format gguf or hf exports");
	if (rc < 0)
		goto cleanup;
	if (format == CLM_EXPORT_PEFT)
		rc = clm_lora_write_peft(&a, v.config_json, v.config_len, out);
	else if (format == CLM_EXPORT_GGUF_LORA)
		rc = clm_lora_write_gguf(&a, v.config_json, v.config_len, dtype, out);
	else if (format == CLM_EXPORT_OLLAMA)
		rc = export_ollama(&v, &a, dtype, out);
	else
		rc = clm_error_set(CLM_EINVALID, "clm_store_export_adapter writes peft, gguf-lora or ollama");
	clm_lora_adapter_release(&a);
cleanup:
	clm_tensor_list_release(&strategy);
	clm_version_release(&v);
	return rc;
}
