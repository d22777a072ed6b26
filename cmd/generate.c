/* git clmodel generate: try a model (Hugging Face directory, GGUF file or stored version) on a
 * prompt, like llama-cli: stream the text, or print ids, text and top log-probabilities as JSON. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "suggest/textgen.h"
#include "util/error.h"
#include "util/fileio.h"

#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

static const char *const generate_usage[] = {
	"git clmodel generate --model <hf-dir | file.gguf | version> [--prompt <text>] -n <count>",
	"                     [--temperature <t>] [--top-k <k>] [--top-p <p>] [--seed <s>] [--top <m>] [--adapter <k>] [-v]",
	NULL,
};

static void stream_text(void *arg, const char *text, size_t len)
{
	(void)arg;
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

static json_t *id_array(const int32_t *ids, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

/* tokens, text (invalid UTF-8 replaced: a generation may stop inside a character), prompt_tokens,
 * and with --top the top log-probabilities; NULL on OOM. */
static json_t *result_json(const struct clm_textgen_result *r)
{
	struct clm_strbuf text = CLM_STRBUF_INIT;
	json_t *o = json_object(), *top = r->top_m ? json_array() : NULL;
	int rc = !o || (r->top_m && !top) || clm_strbuf_add_utf8_lossy(&text, r->text.buf ? r->text.buf : "", r->text.len);

	rc = rc || json_object_set_new(o, "tokens", id_array(r->tokens, r->n_tokens)) ||
	     json_object_set_new(o, "prompt_tokens", id_array(r->prompt_ids, r->n_prompt)) ||
	     json_object_set_new(o, "text", json_stringn(text.buf ? text.buf : "", text.len));
	for (int i = 0; !rc && top && i < r->n_tokens; i++) {
		json_t *step = json_array();
		for (int k = 0; step && k < r->top_m; k++)
			json_array_append_new(step, json_pack("[i, f]", r->top_ids[(size_t)i * r->top_m + k],
							      (double)r->top_logprobs[(size_t)i * r->top_m + k]));
		rc = json_array_append_new(top, step);
	}
	if (!rc && top)
		rc = json_object_set_new(o, "top", top);
	else
		json_decref(top);
	clm_strbuf_release(&text);
	if (rc) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int cmd_generate(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL, *prompt = NULL;
	long n = 0, top_k = 0, seed = 0, top_m = 0, adapter = -1;
	double temperature = 0, top_p = 1;
	int verbose = 0;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 0, "model", &model, "<hf-dir|file.gguf|version>", "the model to run" },
		{ CLM_OPT_STRING, 0, "prompt", &prompt, "<text>", "prompt text (default: standard input)" },
		{ CLM_OPT_INT, 'n', NULL, &n, "<count>", "new tokens to generate" },
		{ CLM_OPT_DOUBLE, 0, "temperature", &temperature, "<t>", "sampling temperature (default 0: greedy)" },
		{ CLM_OPT_INT, 0, "top-k", &top_k, "<k>", "sample among the k most likely tokens" },
		{ CLM_OPT_DOUBLE, 0, "top-p", &top_p, "<p>", "nucleus sampling threshold (default 1: off)" },
		{ CLM_OPT_INT, 0, "seed", &seed, "<s>", "sampling seed (default 0)" },
		{ CLM_OPT_INT, 0, "top", &top_m, "<m>", "with --json: the m most likely tokens before each choice" },
		{ CLM_OPT_INT, 0, "adapter", &adapter, "<k>",
		  "apply LoRA set k of a version (the set export --format peft|gguf-lora writes)" },
		{ CLM_OPT_FLAG, 'v', "verbose", &verbose, NULL, "print load time and tokens/s to stderr" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_textgen_model m;
	struct clm_textgen_result r;
	struct clm_strbuf text = CLM_STRBUF_INIT;
	int code, rc, stream, k = clm_parse_options(argc, argv, opts, generate_usage, ctx, &code);

	if (k < 0)
		return code;
	if (k > 0)
		return clm_usage_error(generate_usage, opts, "unexpected argument '%s'", argv[0]);
	if (!model)
		return clm_usage_error(generate_usage, opts, "--model is required");
	if (n < 1 || n > 1 << 20)
		return clm_usage_error(generate_usage, opts, "-n <count> must be between 1 and 1048576");
	if (top_k < 0 || top_m < 0 || top_m > 1000 || !(top_p > 0 && top_p <= 1) || temperature < 0 || seed < 0)
		return clm_usage_error(generate_usage, opts, "--top-k, --top (<= 1000), --temperature and --seed must "
				       "not be negative, --top-p must be in (0, 1]");
	if (adapter < -1 || adapter > 1 << 20)
		return clm_usage_error(generate_usage, opts, "--adapter is a LoRA set number");
	if (top_m && !ctx->json)
		return clm_usage_error(generate_usage, opts, "--top needs --json");
	rc = prompt ? clm_strbuf_addstr(&text, prompt) : clm_read_stdin(&text);
	if (rc == 0)
		rc = clm_textgen_model_open(model, NULL, &m);
	else
		m = (struct clm_textgen_model){ 0 };
	if (rc == 0 && verbose)
		fprintf(stderr, "loaded %s in %.2f s\n", m.source.buf, m.load_seconds);
	stream = !ctx->json && isatty(STDOUT_FILENO);
	struct clm_textgen_options o = { (int)n, (float)temperature, (int)top_k, (float)top_p, (uint64_t)seed,
					 (int)top_m, (int)adapter, stream ? stream_text : NULL, NULL };
	if (rc == 0)
		rc = clm_textgen_run(&m, text.buf ? text.buf : "", text.len, &o, &r);
	else
		r = (struct clm_textgen_result){ 0 };
	json_t *j = rc == 0 && ctx->json ? result_json(&r) : NULL;
	if (rc == 0 && ctx->json && !j)
		rc = clm_error_oom();
	if (j)
		clm_print_json(j);
	else if (rc == 0 && !stream)
		fwrite(r.text.buf, 1, r.text.len, stdout);
	if (rc == 0 && !ctx->json)
		fputc('\n', stdout);
	if (rc == 0 && verbose)
		fprintf(stderr, "prompt: %d tokens in %.3f s (%.1f tokens/s); generation: %d tokens in %.3f s "
			"(%.1f tokens/s)\n", r.n_prompt, r.prompt_seconds,
			r.prompt_seconds > 0 ? r.n_prompt / r.prompt_seconds : 0.0, r.n_tokens, r.gen_seconds,
			r.gen_seconds > 0 && r.n_tokens > 1 ? (r.n_tokens - 1) / r.gen_seconds : 0.0);
	clm_textgen_result_release(&r);
	clm_textgen_model_release(&m);
	clm_strbuf_release(&text);
	return rc ? clm_die_error() : CLM_EXIT_OK;
}
