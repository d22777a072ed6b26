#include "io/hf_dir.h"
#include "io/safetensors.h"
#include "nn/tensormap.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

const char *const clm_hf_side_files[] = {
	"tokenizer_config.json", "special_tokens_map.json", "generation_config.json", NULL,
};

static int read_in(const char *dir, const char *name, size_t cap, struct clm_strbuf *out)
{
	char *path = clm_strfmt("%s/%s", dir, name);
	int rc = path ? clm_read_file(path, cap, out) : CLM_ENOMEM;

	free(path);
	return rc;
}

static int write_in(const char *dir, const char *name, const void *data, size_t len)
{
	char *path = clm_strfmt("%s/%s", dir, name);
	int rc = path ? clm_write_file_atomic(path, data, len) : CLM_ENOMEM;

	free(path);
	return rc;
}

/* The side files present in `dir`; an absent one is no error. */
static int read_side(const char *dir, struct clm_file_list *side)
{
	int rc = 0;

	for (int i = 0; rc == 0 && clm_hf_side_files[i]; i++) {
		struct clm_strbuf bytes = CLM_STRBUF_INIT;
		rc = read_in(dir, clm_hf_side_files[i], CLM_HF_CONFIG_MAX, &bytes);
		if (rc == 0)
			rc = clm_file_list_add(side, clm_hf_side_files[i], bytes.buf, bytes.len);
		else if (rc == CLM_ENOTFOUND)
			rc = 0;
		clm_strbuf_release(&bytes);
	}
	if (rc == 0)
		clm_error_clear();
	return rc;
}

/* The weight files of `dir`: model.safetensors, or else the shards model.safetensors.index.json
 * maps tensors to (each once, in order of first mention; plain file names only). */
static int weight_files(const char *dir, struct clm_file_list *files)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, idx = CLM_STRBUF_INIT;
	json_t *j = NULL, *file;
	const char *name;
	int rc = clm_strbuf_addf(&path, "%s/model.safetensors", dir);

	if (!rc && clm_path_exists(path.buf)) {
		rc = clm_file_list_add(files, path.buf, "", 0);
		goto done;
	}
	if (!rc && (rc = read_in(dir, "model.safetensors.index.json", CLM_HF_TOKENIZER_MAX, &idx)) == CLM_ENOTFOUND)
		rc = clm_error_set(CLM_ENOTFOUND, "%s: no model.safetensors and no model.safetensors.index.json", dir);
	if (!rc && !(j = clm_json_parse(idx.buf, idx.len, "model.safetensors.index.json")))
		rc = CLM_EINVALID;
	if (!rc && !json_is_object(json_object_get(j, "weight_map")))
		rc = clm_error_set(CLM_EINVALID, "%s/model.safetensors.index.json: no weight_map object", dir);
	if (!rc)
		json_object_foreach(json_object_get(j, "weight_map"), name, file) {
			const char *f = json_string_value(file);
			if (!f || !*f || strchr(f, '/') || !strcmp(f, "..") || !strcmp(f, ".")) {
				rc = clm_error_set(CLM_EINVALID, "%s/model.safetensors.index.json: tensor %s: the file "
						   "must be a plain file name in the directory", dir, name);
				break;
			}
			clm_strbuf_reset(&path);
			if ((rc = clm_strbuf_addf(&path, "%s/%s", dir, f)) < 0)
				break;
			if (!clm_file_list_find(files, path.buf) && (rc = clm_file_list_add(files, path.buf, "", 0)) < 0)
				break;
		}
	if (!rc && !files->n)
		rc = clm_error_set(CLM_EINVALID, "%s/model.safetensors.index.json: the weight_map is empty", dir);
done:
	json_decref(j);
	clm_strbuf_release(&idx);
	clm_strbuf_release(&path);
	return rc;
}

int clm_hf_dir_load_model(const char *dir, const struct clm_gpt_config *cfg, struct clm_gpt *m)
{
	struct clm_file_list files = { 0 };
	struct clm_gpt_loader ld;
	int rc = weight_files(dir, &files);

	if (rc)
		return rc;
	if ((rc = clm_gpt_loader_begin(&ld, m, cfg))) {
		clm_file_list_release(&files);
		return rc;
	}
	for (size_t f = 0; !rc && f < files.n; f++) {
		struct clm_safetensors_map map;
		if ((rc = clm_safetensors_map(files.items[f].path, &map)))
			break;
		for (size_t i = 0; !rc && i < map.n; i++) {
			rc = clm_tensor_check_finite(&map.tensors[i]);
			if (!rc)
				rc = clm_gpt_loader_add(&ld, &map.tensors[i]);
			if (rc)
				clm_error_wrap(rc, "%s", files.items[f].path);
			clm_safetensors_map_drop(&map, i);
		}
		clm_safetensors_unmap(&map);
	}
	rc = clm_gpt_loader_end(&ld, rc == 0);
	if (rc)
		clm_error_wrap(rc, "%s", dir);
	clm_file_list_release(&files);
	return rc;
}

int clm_hf_dir_read(const char *dir, unsigned parts, struct clm_hf_dir *out)
{
	struct clm_file_list files = { 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	clm_strbuf_init(&out->config);
	clm_strbuf_init(&out->tokenizer);
	if (parts & CLM_HF_CONFIG)
		rc = read_in(dir, "config.json", CLM_HF_CONFIG_MAX, &out->config);
	if (!rc && (parts & CLM_HF_TOKENIZER))
		rc = read_in(dir, "tokenizer.json", CLM_HF_TOKENIZER_MAX, &out->tokenizer);
	if (!rc && (parts & CLM_HF_WEIGHTS))
		rc = weight_files(dir, &files);
	for (size_t f = 0; !rc && f < files.n; f++)
		rc = clm_safetensors_read(files.items[f].path, parts & CLM_HF_KEEP_DTYPE ? 0 : CLM_SAFETENSORS_TO_F32,
					  &out->weights, NULL);
	if (!rc && (parts & CLM_HF_SIDE))
		rc = read_side(dir, &out->side);
	clm_file_list_release(&files);
	return rc;
}

int clm_hf_dir_write(const char *dir, const struct clm_hf_dir *d, unsigned parts, const json_t *metadata)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_mkdir_p(dir, 0755);

	if (!rc && (parts & CLM_HF_CONFIG))
		rc = write_in(dir, "config.json", d->config.buf, d->config.len);
	if (!rc && (parts & CLM_HF_TOKENIZER))
		rc = write_in(dir, "tokenizer.json", d->tokenizer.buf, d->tokenizer.len);
	for (size_t i = 0; !rc && (parts & CLM_HF_SIDE) && i < d->side.n; i++)
		rc = write_in(dir, d->side.items[i].path, d->side.items[i].data, d->side.items[i].len);
	if (!rc && (parts & CLM_HF_WEIGHTS) && !(rc = clm_strbuf_addf(&path, "%s/model.safetensors", dir)))
		rc = clm_safetensors_write(path.buf, &d->weights, metadata);
	clm_strbuf_release(&path);
	return rc;
}

void clm_hf_dir_release(struct clm_hf_dir *d)
{
	clm_strbuf_release(&d->config);
	clm_strbuf_release(&d->tokenizer);
	clm_tensor_list_release(&d->weights);
	clm_file_list_release(&d->side);
}
