/* git clmodel init: create the model from a base model directory (given, configured, or pretrained
 * on the repository's own code) and set up the repository. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/admin.h"
#include "store/import.h"
#include "git/repo.h"
#include "update/pretrain.h"
#include "util/error.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *const init_usage[] = {
	"git clmodel init [--base <model dir | file.gguf>] [--steps <n>] [--name <model>] [--share <remote>]",
	NULL,
};

/* No --base and no model yet: the directory named by git config clmodel.base, else the tiny
 * default pretrained for `steps` steps on the code at HEAD into <git-common-dir>/clmodel/base
 * (an interrupted run resumes there). `pretrained` says which; 0, negative, or
 * CLM_EINTERRUPT. */
static int default_base(struct clm_store *s, long steps, struct clm_cmd_ctx *ctx, struct clm_strbuf *dir,
			int *pretrained)
{
	struct clm_pretrain_opts o;
	struct clm_pretrain_result r;
	int rc = clm_repo_config_string(s->repo, "clmodel.base", dir);

	*pretrained = 0;
	if (rc != CLM_ENOTFOUND)
		return rc;
	if ((rc = clm_repo_state_path(s->repo, "base", dir)) < 0)
		return rc;
	clm_pretrain_defaults(&o);
	o.out_dir = dir->buf;
	o.steps = (int)steps;
	o.quiet = ctx->quiet || ctx->json;
	if (!o.quiet)
		fprintf(stderr, "No base model given (--base, or git config clmodel.base): pretraining the tiny default "
			"on this repository's code at HEAD, %d steps (about a minute; Ctrl-C stops, running init "
			"again resumes) into %s\n", o.steps, o.out_dir);
	*pretrained = 1;
	return clm_cmd_pretrain(&o, &r);
}

/* What init did: the model created from `base` (NULL: it existed, only settings were applied). */
static void print_result(struct clm_cmd_ctx *ctx, const char *model, const char *base, int pretrained, const char *hex,
			 const struct clm_import_options *imp, const char *share, int added_head)
{
	if (ctx->json) {
		json_t *j = json_pack("{ss sb sI sI sb}", "model", model, "created", base != NULL, "tensors",
				      (json_int_t)imp->tensors, "bytes", (json_int_t)imp->bytes, "pretrained", pretrained);
		if (base) {
			json_object_set_new(j, "version", json_string(hex));
			json_object_set_new(j, "base", json_string(base));
		}
		if (share)
			json_object_set_new(j, "share", json_string(share));
		clm_print_json(j);
		return;
	}
	if (base)
		printf("Created model '%s' at version %.12s from %s%s: %zu tensors, %.1f MB\n", model, hex, base,
		       pretrained ? " (pretrained on HEAD)" : "", imp->tensors, (double)imp->bytes / 1e6);
	else
		printf("Model '%s' exists at %.12s; repository settings updated\n", model, hex);
	printf("Notes under %s now follow rebase and amend (notes.rewriteRef)\n", CLM_STORE_NOTES_REF);
	if (share)
		printf("'git fetch/push %s' now also move refs/clmodel/* and %s (never forced)\n", share,
		       CLM_STORE_NOTES_REF);
	if (added_head)
		printf("note: added push refspec HEAD so a plain 'git push %s' still pushes the current branch\n", share);
}

int cmd_init(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *base = NULL, *model = NULL, *share = NULL;
	long steps;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "base", &base, "<dir|file>", "base model: a directory (config.json, model.safetensors, tokenizer.json) or a GGUF file" },
		{ CLM_OPT_INT, 0, "steps", &steps, "<n>", "without a base: pretraining steps of the tiny default (default: 200)" },
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_STRING, 0, "share", &share, "<remote>", "add fetch/push refspecs for models and notes" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_import_options imp = { .as_base = 1 };
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	struct clm_pretrain_opts defaults;
	struct clm_store s;
	git_oid id, head;
	char hex[GIT_OID_HEXSZ + 1];
	int code, added_head = 0, pretrained = 0, rc, n;

	clm_pretrain_defaults(&defaults);
	steps = defaults.steps;
	n = clm_parse_options(argc, argv, opts, init_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(init_usage, opts, "unexpected argument '%s'", argv[0]);
	if (steps < 1 || steps > 100000000)
		return clm_usage_error(init_usage, opts, "--steps must be positive");
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = 0;
	if (!base && clm_store_head(&s, model, &head) < 0 && (rc = default_base(&s, steps, ctx, &dir, &pretrained)) == 0)
		base = dir.buf;
	imp.model = model;
	if (rc == 0 && base)
		rc = clm_store_import(&s, base, &imp, &id);
	if (rc == 0)
		rc = clm_store_configure(&s, share, &added_head);
	clm_store_close(&s);
	if (rc < 0) {
		clm_strbuf_release(&dir);
		return rc == CLM_EINTERRUPT ? CLM_EXIT_INTERRUPTED : clm_die_error();
	}
	git_oid_tostr(hex, sizeof(hex), base ? &id : &head);
	print_result(ctx, model ? model : CLM_STORE_DEFAULT_MODEL, base, pretrained, hex, &imp, share, added_head);
	clm_strbuf_release(&dir);
	return CLM_EXIT_OK;
}
