#include "store/import.h"
#include "io/gguf_model.h"
#include "io/hf_dir.h"
#include "util/error.h"

#include <string.h>
#include <sys/stat.h>

int clm_store_import(struct clm_store *s, const char *path, struct clm_import_options *o, git_oid *out)
{
	struct clm_hf_dir d = CLM_HF_DIR_INIT;
	struct clm_strbuf summary = CLM_STRBUF_INIT;
	struct clm_version_spec spec = { 0 };
	const char *base = strrchr(path, '/') && strrchr(path, '/')[1] ? strrchr(path, '/') + 1 : path;
	char head_hex[GIT_OID_HEXSZ + 1] = "";
	struct stat st;
	git_oid head;
	int rc;

	/* A missing base directory is reported by the first file it lacks (".../config.json"); a file
	 * (a .gguf, or an Ollama blob named by its digest) is read as GGUF. */
	if (stat(path, &st) < 0) {
		if (!o->as_base)
			return clm_error_set(CLM_ENOTFOUND, "%s: no such file or directory", path);
		st.st_mode = S_IFDIR;
	}
	/* tensors keep their dtype: a BF16 base is stored once in BF16, and frozen-backbone versions
	 * reuse those blobs */
	rc = S_ISDIR(st.st_mode) ? clm_hf_dir_read(path, CLM_HF_ALL | CLM_HF_KEEP_DTYPE, &d)
				 : clm_gguf_import_model(path, &d.config, &d.tokenizer, &d.weights);
	if (rc < 0)
		goto cleanup;
	rc = o->as_base ? CLM_ENOTFOUND : clm_store_head(s, o->model, &head);
	if (rc == 0)
		git_oid_tostr(head_hex, sizeof(head_hex), &head);
	else if (rc != CLM_ENOTFOUND)
		goto cleanup;
	clm_error_clear();
	clm_strbuf_addf(&summary, "%s %s", o->as_base ? "Base model from" : "Imported from", base);
	spec.model = o->model;
	spec.config_json = d.config.buf;
	spec.config_len = d.config.len;
	spec.tokenizer_json = d.tokenizer.buf;
	spec.tokenizer_len = d.tokenizer.len;
	spec.weights = &d.weights;
	spec.files = &d.side;
	spec.summary = summary.buf;
	spec.strategy = o->as_base ? "base" : "import";
	spec.expect_head = head_hex; /* "" when the model is new: it must still not exist */
	rc = clm_store_write_version(s, &spec, out);
	if (rc == CLM_ECONFLICT && o->as_base)
		rc = clm_error_set(CLM_ECONFLICT, "model '%s' already exists; choose another --name, or record new "
				   "versions with 'git clmodel update'", o->model ? o->model : CLM_STORE_DEFAULT_MODEL);
	o->tensors = d.weights.n;
	o->bytes = 0;
	for (size_t i = 0; i < d.weights.n; i++)
		o->bytes += d.weights.items[i].nbytes;
cleanup:
	clm_hf_dir_release(&d);
	clm_strbuf_release(&summary);
	return rc;
}
