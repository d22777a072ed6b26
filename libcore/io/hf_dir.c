#include "io/hf_dir.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"

#include <string.h>

const char *const clm_hf_side_files[] = {
	"tokenizer_config.json", "special_tokens_map.json", "generation_config.json", NULL,
};

static int read_in(const char *dir, const char *name, size_t cap, struct clm_strbuf *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_strbuf_addf(&path, "%s/%s", dir, name);

	if (!rc)
		rc = clm_read_file(path.buf, cap, out);
	clm_strbuf_release(&path);
	return rc;
}

static int write_in(const char *dir, const char *name, const void *data, size_t len)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = clm_strbuf_addf(&path, "%s/%s", dir, name);

	if (!rc)
		rc = clm_write_file_atomic(path.buf, data, len);
	clm_strbuf_release(&path);
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

int clm_hf_dir_read(const char *dir, unsigned parts, struct clm_hf_dir *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	clm_strbuf_init(&out->config);
	clm_strbuf_init(&out->tokenizer);
	if (parts & CLM_HF_CONFIG)
		rc = read_in(dir, "config.json", CLM_HF_CONFIG_MAX, &out->config);
	if (!rc && (parts & CLM_HF_TOKENIZER))
		rc = read_in(dir, "tokenizer.json", CLM_HF_TOKENIZER_MAX, &out->tokenizer);
	if (!rc && (parts & CLM_HF_WEIGHTS) && !(rc = clm_strbuf_addf(&path, "%s/model.safetensors", dir)))
		rc = clm_safetensors_read(path.buf, CLM_SAFETENSORS_TO_F32, &out->weights, NULL);
	if (!rc && (parts & CLM_HF_SIDE))
		rc = read_side(dir, &out->side);
	clm_strbuf_release(&path);
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
