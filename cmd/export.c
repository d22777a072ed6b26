/* git clmodel export: write a version as a Hugging Face directory, a safetensors file or GGUF, or
 * its LoRA adapter as a PEFT directory, a llama.cpp GGUF adapter or an Ollama Modelfile. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "store/store.h"
#include "store/export.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const export_usage[] = {
	"git clmodel export [--name <model>] --format hf|safetensors --out <dir> [<version>]",
	"git clmodel export [--name <model>] --format gguf [--dtype f32|f16] [--backbone-only] --out <file> [<version>]",
	"git clmodel export [--name <model>] --format peft|gguf-lora|ollama [--adapter <k>] [--dtype f32|f16] --out <path> "
	"[<version>]",
	NULL,
};

int cmd_export(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL, *format = "hf", *out = NULL, *dtype_name = "f32";
	int backbone_only = 0;
	long adapter = -1;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "format", &format, "<format>",
		  "hf (config, tokenizer, weights), safetensors, gguf, or a LoRA adapter: peft, gguf-lora, ollama" },
		{ CLM_OPT_STRING, 'o', "out", &out, "<dir>",
		  "output directory (created when missing); the file for gguf and gguf-lora" },
		{ CLM_OPT_STRING, 0, "dtype", &dtype_name, "<dtype>", "gguf weights: f32 (default) or f16" },
		{ CLM_OPT_INT, 0, "adapter", &adapter, "<k>", "peft, gguf-lora, ollama: LoRA set k (default: the last)" },
		{ CLM_OPT_FLAG, 0, "backbone-only", &backbone_only, NULL,
		  "gguf: leave out the CL strategy's soft prompts and adapters" },
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	enum clm_export_format fmt;
	enum clm_dtype dtype = CLM_DTYPE_F32;
	struct clm_store s;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	int code, rc, n = clm_parse_options(argc, argv, opts, export_usage, ctx, &code);

	if (n < 0)
		return code;
	if (n > 1 || !out)
		return clm_usage_error(export_usage, opts, n > 1 ? "at most one version" : "--out is required");
	if (clm_export_format_parse(format, &fmt) < 0)
		return clm_usage_error(export_usage, opts, "%s", clm_error());
	if (adapter < -1 || adapter > 1 << 20)
		return clm_usage_error(export_usage, opts, "--adapter is a LoRA set number");
	if (adapter != -1 && fmt != CLM_EXPORT_PEFT && fmt != CLM_EXPORT_GGUF_LORA && fmt != CLM_EXPORT_OLLAMA)
		return clm_usage_error(export_usage, opts, "--adapter goes with --format peft, gguf-lora or ollama");
	if (strcmp(dtype_name, "f32") && strcmp(dtype_name, "f16"))
		return clm_usage_error(export_usage, opts, "--dtype is f32 or f16, not '%s'", dtype_name);
	if (!strcmp(dtype_name, "f16"))
		dtype = CLM_DTYPE_F16;
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	rc = clm_store_resolve(&s, model, n ? argv[0] : NULL, &id);
	if (rc == 0 && fmt == CLM_EXPORT_GGUF)
		rc = clm_store_export_gguf(&s, &id, dtype, backbone_only, out);
	else if (rc == 0 && (fmt == CLM_EXPORT_HF || fmt == CLM_EXPORT_SAFETENSORS))
		rc = clm_store_export(&s, &id, fmt, out);
	else if (rc == 0)
		rc = clm_store_export_adapter(&s, &id, fmt, (int)adapter, dtype, out);
	clm_store_close(&s);
	if (rc < 0)
		return clm_die_error();
	git_oid_tostr(hex, sizeof(hex), &id);
	if (ctx->json)
		clm_print_json(json_pack("{ss ss ss}", "version", hex, "format", format, "out", out));
	else if (!ctx->quiet)
		printf("Exported %.12s to %s (%s)\n", hex, out, format);
	return CLM_EXIT_OK;
}
