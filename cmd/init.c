/* git clmodel init: create the model from a base model directory and set up the repository. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/admin.h"
#include "store/import.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const init_usage[] = {
	"git clmodel init [--base <model dir | file.gguf>] [--name <model>] [--share <remote>]",
	NULL,
};

int cmd_init(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *base = NULL, *model = NULL, *share = NULL;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "base", &base, "<dir|file>", "base model: a directory (config.json, model.safetensors, tokenizer.json) or a GGUF file" },
		{ CLM_OPT_STRING, 0, "name", &model, "<model>", "model name (default: default)" },
		{ CLM_OPT_STRING, 0, "share", &share, "<remote>", "add fetch/push refspecs for models and notes" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_import_options imp = { .as_base = 1 };
	struct clm_store s;
	git_oid id, head;
	char hex[GIT_OID_HEXSZ + 1];
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
	imp.model = model;
	rc = base ? clm_store_import(&s, base, &imp, &id) : 0;
	if (rc == 0)
		rc = clm_store_configure(&s, share, &added_head);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(hex, sizeof(hex), base ? &id : &head);
	if (ctx->json) {
		json_t *j = json_pack("{ss sb sI sI}", "model", model ? model : CLM_STORE_DEFAULT_MODEL, "created", base != NULL,
				      "tensors", (json_int_t)imp.tensors, "bytes", (json_int_t)imp.bytes);
		if (base)
			json_object_set_new(j, "version", json_string(hex));
		if (share)
			json_object_set_new(j, "share", json_string(share));
		clm_print_json(j);
		return CLM_EXIT_OK;
	}
	if (base)
		printf("Created model '%s' at version %.12s: %zu tensors, %.1f MB\n", model ? model : CLM_STORE_DEFAULT_MODEL,
		       hex, imp.tensors, (double)imp.bytes / 1e6);
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
