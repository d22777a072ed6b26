#include "store/export.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

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

static int write_in(const char *dir, const char *name, const void *data, size_t len)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_strbuf_addf(&path, "%s/%s", dir, name);

	if (rc == 0)
		rc = clm_write_file_atomic(path.buf, data, len);
	clm_strbuf_release(&path);
	return rc;
}

int clm_store_export(struct clm_store *s, const git_oid *id, enum clm_export_format format, const char *dir)
{
	struct clm_version v;
	struct clm_strbuf path = CLM_STRBUF_INIT;
	json_t *meta = NULL;
	int rc;

	if (format == CLM_EXPORT_GGUF)
		return clm_error_set(CLM_EINVALID, "GGUF export needs a file name and dtype: clm_store_export_gguf");
	rc = clm_store_read_version(s, id, CLM_READ_WEIGHTS | CLM_READ_FILES, &v);
	if (rc < 0)
		return rc;
	meta = json_pack("{ss}", "clmodel_version", v.oid);
	if ((rc = clm_mkdir_p(dir, 0755)) < 0)
		goto done;
	if (format == CLM_EXPORT_HF && ((rc = write_in(dir, "config.json", v.config_json, v.config_len)) < 0 ||
					(rc = write_in(dir, "tokenizer.json", v.tokenizer_json, v.tokenizer_len)) < 0))
		goto done;
	for (size_t i = 0; format == CLM_EXPORT_HF && i < v.files.n && rc == 0; i++)
		if (!strchr(v.files.items[i].path, '/'))
			rc = write_in(dir, v.files.items[i].path, v.files.items[i].data, v.files.items[i].len);
	if (rc < 0)
		goto done;
	if ((rc = clm_strbuf_addf(&path, "%s/model.safetensors", dir)) == 0)
		rc = clm_safetensors_write(path.buf, &v.weights, meta);
done:
	json_decref(meta);
	clm_strbuf_release(&path);
	clm_version_release(&v);
	return rc;
}
