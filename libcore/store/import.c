#include "store/import.h"
#include "store/gguf.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"

#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX (1u << 20)
#define TOKENIZER_MAX (256u << 20)

static int read_in(const char *dir, const char *name, size_t cap, struct clm_strbuf *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_strbuf_addf(&path, "%s/%s", dir, name);

	if (!rc)
		rc = clm_read_file(path.buf, cap, out);
	clm_strbuf_release(&path);
	return rc;
}

/* A Hugging Face directory as config.json and tokenizer.json text, f32 tensors, and the side
 * files (tokenizer_config.json, ...) that are kept at the top of the version's tree. */
static int read_hf_dir(const char *dir, struct clm_strbuf *config, struct clm_strbuf *tok, struct clm_tensor_list *w,
		       struct clm_file_list *side)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = read_in(dir, "config.json", CONFIG_MAX, config);

	memset(w, 0, sizeof(*w));
	if (!rc)
		rc = read_in(dir, "tokenizer.json", TOKENIZER_MAX, tok);
	if (!rc)
		rc = clm_strbuf_addf(&path, "%s/model.safetensors", dir);
	if (!rc)
		rc = clm_safetensors_read(path.buf, CLM_SAFETENSORS_TO_F32, w, NULL);
	for (int i = 0; rc == 0 && clm_store_hf_side_files[i]; i++) {
		struct clm_strbuf bytes = CLM_STRBUF_INIT;
		rc = read_in(dir, clm_store_hf_side_files[i], CONFIG_MAX, &bytes);
		if (rc == 0)
			rc = clm_file_list_add(side, clm_store_hf_side_files[i], bytes.buf, bytes.len);
		else if (rc == CLM_ENOTFOUND)
			rc = 0;
		clm_strbuf_release(&bytes);
	}
	if (rc == 0)
		clm_error_clear(); /* a side file that is absent is no error */
	clm_strbuf_release(&path);
	return rc;
}

int clm_store_import(struct clm_store *s, const char *path, struct clm_import_options *o, git_oid *out)
{
	struct clm_strbuf config = CLM_STRBUF_INIT, tok = CLM_STRBUF_INIT, summary = CLM_STRBUF_INIT;
	struct clm_tensor_list w = { 0 };
	struct clm_file_list side = { 0 };
	struct clm_version_spec spec = { 0 };
	const char *base = strrchr(path, '/') && strrchr(path, '/')[1] ? strrchr(path, '/') + 1 : path;
	char head_hex[GIT_OID_HEXSZ + 1] = "";
	struct stat st;
	git_oid head;
	int rc;

	/* A missing directory is reported by the first file it lacks (".../config.json"). */
	if (stat(path, &st) < 0 && !o->as_base)
		return clm_error_set(CLM_ENOTFOUND, "%s: no such file or directory", path);
	rc = o->as_base || S_ISDIR(st.st_mode) ? read_hf_dir(path, &config, &tok, &w, &side)
					       : clm_gguf_import_model(path, &config, &tok, &w);
	if (rc < 0)
		goto done;
	rc = o->as_base ? CLM_ENOTFOUND : clm_store_head(s, o->model, &head);
	if (rc == 0)
		git_oid_tostr(head_hex, sizeof(head_hex), &head);
	else if (rc != CLM_ENOTFOUND)
		goto done;
	clm_error_clear();
	clm_strbuf_addf(&summary, "%s %s", o->as_base ? "Base model from" : "Imported from", base);
	spec.model = o->model;
	spec.config_json = config.buf;
	spec.config_len = config.len;
	spec.tokenizer_json = tok.buf;
	spec.tokenizer_len = tok.len;
	spec.weights = &w;
	spec.files = &side;
	spec.summary = summary.buf;
	spec.strategy = o->as_base ? "base" : "import";
	spec.expect_head = head_hex; /* "" when the model is new: it must still not exist */
	rc = clm_store_write_version(s, &spec, out);
	if (rc == CLM_ECONFLICT && o->as_base)
		rc = clm_error_set(CLM_ECONFLICT, "model '%s' already exists; choose another --name, or record new "
				   "versions with 'git clmodel update'", o->model ? o->model : CLM_STORE_DEFAULT_MODEL);
	o->tensors = w.n;
	o->bytes = 0;
	for (size_t i = 0; i < w.n; i++)
		o->bytes += w.items[i].nbytes;
done:
	clm_tensor_list_release(&w);
	clm_file_list_release(&side);
	clm_strbuf_release(&config);
	clm_strbuf_release(&tok);
	clm_strbuf_release(&summary);
	return rc;
}
