/* git clmodel init: create the model from a base model directory and set up the repository. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "git/store.h"
#include "git/store_admin.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const init_usage[] = {
	"git clmodel init [--base <model dir>] [--name <model>] [--share <remote>]",
	NULL,
};

/* Read `dir`/`name` into `out`. */
static int read_in(const char *dir, const char *name, size_t cap, struct clm_strbuf *out)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return clm_read_file(path, cap, out);
}

static int record_base(struct clm_store *s, const char *dir, const char *model, git_oid *out, size_t *ntensors,
		       size_t *nbytes)
{
	struct clm_strbuf config = CLM_STRBUF_INIT, tok = CLM_STRBUF_INIT, summary = CLM_STRBUF_INIT;
	struct clm_tensor_list w = { 0 };
	struct clm_file_list extra = { 0 };
	struct clm_version_spec spec = { 0 };
	char path[4096];
	const char *base = strrchr(dir, '/') && strrchr(dir, '/')[1] ? strrchr(dir, '/') + 1 : dir;
	int rc;

	snprintf(path, sizeof(path), "%s/model.safetensors", dir);
	if ((rc = read_in(dir, "config.json", 1 << 20, &config)) < 0 ||
	    (rc = read_in(dir, "tokenizer.json", 256u << 20, &tok)) < 0 ||
	    (rc = clm_safetensors_read(path, CLM_SAFETENSORS_TO_F32, &w, NULL)) < 0)
		goto done;
	clm_strbuf_addf(&summary, "Base model from %s", base);
	for (int i = 0; rc == 0 && clm_store_hf_side_files[i]; i++) {
		struct clm_strbuf side = CLM_STRBUF_INIT;
		rc = read_in(dir, clm_store_hf_side_files[i], 1 << 20, &side);
		if (rc == 0)
			rc = clm_file_list_add(&extra, clm_store_hf_side_files[i], side.buf, side.len);
		else if (rc == CLM_ENOTFOUND)
			rc = 0;
		clm_strbuf_release(&side);
	}
	if (rc < 0)
		goto done;
	clm_error_clear();
	spec.files = &extra;
	spec.model = model;
	spec.config_json = config.buf;
	spec.config_len = config.len;
	spec.tokenizer_json = tok.buf;
	spec.tokenizer_len = tok.len;
	spec.weights = &w;
	spec.summary = summary.buf;
	spec.strategy = "base";
	spec.expect_head = "";
	rc = clm_store_write_version(s, &spec, out);
	if (rc == CLM_ECONFLICT)
		rc = clm_error_set(CLM_ECONFLICT, "model '%s' already exists; choose another --name, or record new "
				   "versions with 'git clmodel update'", model ? model : CLM_STORE_DEFAULT_MODEL);
	*ntensors = w.n;
	*nbytes = 0;
	for (size_t i = 0; i < w.n; i++)
		*nbytes += w.items[i].nbytes;
done:
	clm_file_list_release(&extra);
	clm_tensor_list_release(&w);
	clm_strbuf_release(&config);
	clm_strbuf_release(&tok);
	clm_strbuf_release(&summary);
	return rc;
}

int cmd_init(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *base = NULL, *model = NULL, *share = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "base", &base, "<dir>", "base model: config.json, model.safetensors, tokenizer.json" },
		{ CLM_OPT_STRING, 0, "name", &model, "<model>", "model name (default: default)" },
		{ CLM_OPT_STRING, 0, "share", &share, "<remote>", "add fetch/push refspecs for models and notes" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_store s;
	git_oid id, head;
	char hex[GIT_OID_HEXSZ + 1];
	size_t ntensors = 0, nbytes = 0;
	int code, added_head = 0, rc, n = clm_parse_options(argc, argv, opts, init_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(init_usage, opts, "unexpected argument '%s'", argv[0]);
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	if (!base && clm_store_head(&s, model, &head) < 0) {
		clm_store_close(&s);
		clm_error_set(CLM_ENOTFOUND, "no base model given. Make a tiny one from this repository's code with "
			      "'git clmodel pretrain --out <dir>', or download a GPT-2-family model directory "
			      "(config.json, model.safetensors, tokenizer.json); then run 'git clmodel init --base <dir>'");
		return clm_die_error();
	}
	rc = base ? record_base(&s, base, model, &id, &ntensors, &nbytes) : 0;
	if (rc == 0)
		rc = clm_store_configure(&s, share, &added_head);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(hex, sizeof(hex), base ? &id : &head);
	if (ctx->json) {
		json_t *j = json_pack("{ss sb sI sI}", "model", model ? model : CLM_STORE_DEFAULT_MODEL, "created", base != NULL,
				      "tensors", (json_int_t)ntensors, "bytes", (json_int_t)nbytes);
		if (base)
			json_object_set_new(j, "version", json_string(hex));
		if (share)
			json_object_set_new(j, "share", json_string(share));
		clm_print_json(j);
		return CLM_EXIT_OK;
	}
	if (base)
		printf("Created model '%s' at version %.12s: %zu tensors, %.1f MB\n", model ? model : CLM_STORE_DEFAULT_MODEL,
		       hex, ntensors, (double)nbytes / 1e6);
	else
		printf("Model '%s' exists at %.12s; repository settings updated\n", model ? model : CLM_STORE_DEFAULT_MODEL,
		       hex);
	printf("Notes under %s now follow rebase and amend (notes.rewriteRef)\n", CLM_STORE_NOTES_REF);
	if (share)
		printf("'git fetch/push %s' now also move refs/clmodel/* and %s (never forced)\n", share,
		       CLM_STORE_NOTES_REF);
	if (added_head)
		printf("note: added push refspec HEAD so a plain 'git push %s' still pushes the current branch\n", share);
	return CLM_EXIT_OK;
}
