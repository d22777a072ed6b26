/* git clmodel bench codetask: the continual-learning benchmark (see libcore/cl/bench.h). */
#include "cmd/commands.h"
#include "cl/bench.h"
#include "cl/base_model.h"
#include "cl/byte_codec.h"
#include "data/codetask.h"
#include "nn/config.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage[] = {
	"git clmodel bench codetask [--quick] (--base <model dir> | --random-base <config>) --data <dir> [<options>]",
	NULL,
};

static const char *const all_strategies[] = { "seqft", "mtl", "replay", "ewc", "ewc+replay", "lora", "spt",
					      "tspt", "pp", "pp+replay", "pp-tf", "pp-tf+replay" };

/* Split a comma-separated list in place into at most `max` names; returns the count. */
static size_t split_list(char *list, const char **out, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ","))
		out[n++] = tok;
	return n;
}

static int write_outputs(const char *dir, const json_t *j, const char *md)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	int rc = clm_mkdir_p(dir, 0777);

	if (!rc)
		rc = clm_json_dump_pretty(j, &text);
	if (!rc)
		rc = clm_strbuf_addf(&path, "%s/cl-bench.json", dir);
	if (!rc)
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
	clm_strbuf_reset(&path);
	if (!rc)
		rc = clm_strbuf_addf(&path, "%s/cl-bench.md", dir);
	if (!rc)
		rc = clm_write_file_atomic(path.buf, md, strlen(md));
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
	return rc;
}

/* What the command line asked for; negative numbers mean "the mode's default". */
struct bench_args {
	const char *base_dir, *random_base, *data, *python, *out_dir, *strategies;
	long steps, batch, train_limit, eval_limit, max_new, prompt_len, top_k, replay_size, seed;
	double lr, frozen_lr;
	int quick, individual;
};

/* Fill the quick or full defaults for what was not given. */
static void apply_mode_defaults(struct bench_args *a)
{
	if (a->steps < 0)
		a->steps = a->quick ? 20 : 1000;
	if (a->train_limit < 0)
		a->train_limit = a->quick ? 400 : 0;
	if (a->eval_limit < 0)
		a->eval_limit = a->quick ? 16 : 200;
}

/* The training and strategy settings, with every strategy name checked before anything loads.
 * `list` receives the copy the names point into (caller frees). */
static int configure(const struct bench_args *a, struct clm_bench_config *cfg, const char **names, size_t max,
		     char **list)
{
	memset(cfg, 0, sizeof(*cfg));
	clm_cl_train_defaults(&cfg->train);
	cfg->train.steps = (int)a->steps;
	cfg->train.batch_size = (int)a->batch;
	cfg->train.adamw.lr = (float)a->lr;
	cfg->train.frozen_lr = (float)a->frozen_lr;
	clm_cl_params_defaults(&cfg->params);
	cfg->params.replay_size = (size_t)a->replay_size;
	cfg->params.seed = (uint64_t)a->seed;
	cfg->params.planned_tasks = CLM_CODETASK_NTASKS;
	cfg->individual = a->individual;
	if (a->strategies) {
		if (!(*list = strdup(a->strategies)))
			return clm_error_oom();
		cfg->n_strategies = split_list(*list, names, max);
		cfg->strategies = names;
	} else {
		cfg->strategies = all_strategies;
		cfg->n_strategies = sizeof(all_strategies) / sizeof(all_strategies[0]);
	}
	for (size_t k = 0; k < cfg->n_strategies; k++) {
		struct clm_strategy probe;
		int rc = clm_strategy_create(&probe, cfg->strategies[k], &cfg->params);
		if (rc < 0)
			return rc;
		clm_strategy_release(&probe);
	}
	return 0;
}

/* The base: a pretrained directory with its tokenizer, or a random model over byte tokens. */
static int load_base(const struct bench_args *a, struct clm_base_model *base, struct clm_text_codec *codec)
{
	struct clm_gpt_config gcfg;
	int rc;

	memset(base, 0, sizeof(*base));
	if (a->base_dir) {
		rc = clm_base_model_load(a->base_dir, base);
		return rc < 0 ? rc : clm_tok_codec(codec, &base->tok);
	}
	clm_byte_codec(codec);
	rc = clm_gpt_config_named(a->random_base, CLM_BYTE_CODEC_VOCAB, &gcfg);
	return rc < 0 ? rc : clm_gpt_init(&base->model, &gcfg, (uint64_t)a->seed);
}

/* Settings that follow the base's context: generation length, prompt sizes, source cut. */
static void fit_to_context(struct bench_args *a, int ctx_len, struct clm_bench_config *cfg,
			   struct clm_text_codec *codec)
{
	if (a->max_new < 0)
		a->max_new = a->quick ? 32 : ctx_len / 4 < 128 ? ctx_len / 4 : 128;
	cfg->train.max_new_tokens = (int)a->max_new;
	/* The study's 100 prompt tokens (20 keys x 5) need a context well above 128 positions. */
	clm_cl_params_fit_context(&cfg->params, ctx_len);
	if (a->prompt_len > 0)
		cfg->params.prompt_len = (int)a->prompt_len;
	if (a->top_k > 0)
		cfg->params.top_k = (int)a->top_k;
	codec->max_source = ctx_len / 2;
	codec->max_target = (int)a->max_new;
}

/* The result with the run's configuration, as JSON and Markdown: to --out, and to stdout. */
static int report(const struct bench_args *a, const struct clm_bench_config *cfg, const struct clm_bench_result *res,
		  int as_json)
{
	json_t *j = clm_bench_result_json(res);
	char *md = clm_bench_result_markdown(res);
	int rc = (!j || !md) ? clm_error_oom() : 0;

	if (!rc)
		json_object_set_new(j, "config", json_pack("{s:s, s:i, s:i, s:f, s:f, s:I, s:I, s:i, s:i, s:i}", "base",
							   a->base_dir ? a->base_dir : a->random_base, "steps", (int)a->steps,
							   "batch_size", (int)a->batch, "lr", a->lr, "frozen_lr", a->frozen_lr,
							   "train_limit", (json_int_t)a->train_limit,
							   "eval_limit", (json_int_t)a->eval_limit, "prompt_len",
							   cfg->params.prompt_len, "top_k", cfg->params.top_k,
							   "max_new_tokens", (int)a->max_new));
	if (!rc && a->out_dir)
		rc = write_outputs(a->out_dir, j, md);
	if (!rc && as_json) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		clm_json_dump_pretty(j, &sb);
		fputs(sb.buf, stdout);
		clm_strbuf_release(&sb);
	} else if (!rc) {
		fputs(md, stdout);
	}
	json_decref(j);
	free(md);
	return rc;
}

int cmd_bench(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	struct bench_args a = { .python = "/usr/lib/python3.11", .steps = -1, .batch = 8, .train_limit = -1,
				.eval_limit = -1, .max_new = -1, .prompt_len = -1, .top_k = -1, .replay_size = 200,
				.seed = 1, .lr = 1e-3, .frozen_lr = 1e-2, .individual = 1 };
	const struct clm_option opts[] = {
		{ CLM_OPT_FLAG, 0, "quick", &a.quick, NULL, "small budget (finishes in minutes)" },
		{ CLM_OPT_STRING, 0, "base", &a.base_dir, "<dir>", "base model directory (git clmodel pretrain --out)" },
		{ CLM_OPT_STRING, 0, "random-base", &a.random_base, "<config>", "start from a random model (tiny|small), byte tokens" },
		{ CLM_OPT_STRING, 0, "data", &a.data, "<dir>", "CodeTask data folder (concode, codetrans, bugs2fix)" },
		{ CLM_OPT_STRING, 0, "python", &a.python, "<dir>", "Python sources for summarization (/usr/lib/python3.11)" },
		{ CLM_OPT_STRING, 0, "strategies", &a.strategies, "<list>", "comma-separated strategies (default: all)" },
		{ CLM_OPT_INT, 0, "steps", &a.steps, "<n>", "optimizer steps per task (quick 20, full 1000)" },
		{ CLM_OPT_INT, 0, "batch-size", &a.batch, "<n>", "examples per step (8)" },
		{ CLM_OPT_DOUBLE, 0, "lr", &a.lr, "<x>", "learning rate (1e-3)" },
		{ CLM_OPT_DOUBLE, 0, "frozen-lr", &a.frozen_lr, "<x>", "learning rate of prompts and adapters (1e-2)" },
		{ CLM_OPT_INT, 0, "train-limit", &a.train_limit, "<n>", "training examples per task (quick 400, full all)" },
		{ CLM_OPT_INT, 0, "eval-limit", &a.eval_limit, "<n>", "evaluation examples per task (quick 16, full 200)" },
		{ CLM_OPT_INT, 0, "max-new-tokens", &a.max_new, "<n>", "generation length cap (quick 32, full 128 or context/4)" },
		{ CLM_OPT_INT, 0, "prompt-len", &a.prompt_len, "<n>", "spt/tspt prompt length (100; 20 below a 512 context)" },
		{ CLM_OPT_INT, 0, "top-k", &a.top_k, "<n>", "pp keys selected per example (20; 4 below a 512 context)" },
		{ CLM_OPT_INT, 0, "replay-size", &a.replay_size, "<n>", "replay buffer size M (200)" },
		{ CLM_OPT_INT, 0, "seed", &a.seed, "<n>", "seed of every random choice (1)" },
		{ CLM_OPT_FLAG, 0, "individual", &a.individual, NULL, "also fine-tune one base copy per task (default on)" },
		{ CLM_OPT_STRING, 'o', "out", &a.out_dir, "<dir>", "write cl-bench.json and cl-bench.md there" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	const char *names[32];
	char *list = NULL;
	struct clm_codetask_stream stream = { 0 };
	struct clm_bench_task tasks[CLM_CODETASK_NTASKS];
	struct clm_bench_config cfg;
	struct clm_bench_result res = { 0 };
	struct clm_text_codec codec;
	struct clm_progress progress;
	struct clm_base_model base = { 0 };
	int code, rc, n = clm_parse_options(argc, argv, opts, usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1 || strcmp(argv[0], "codetask"))
		return clm_usage_error(usage, opts, "the only benchmark is 'codetask'");
	if (!a.data)
		return clm_usage_error(usage, opts, "--data is required");
	if (!a.random_base == !a.base_dir)
		return clm_usage_error(usage, opts, "give exactly one of --base and --random-base");
	if (a.batch < 1 || a.max_new == 0 || a.replay_size < 0)
		return clm_usage_error(usage, opts, "--batch-size and --max-new-tokens must be positive");
	apply_mode_defaults(&a);
	if (configure(&a, &cfg, names, sizeof(names) / sizeof(names[0]), &list) < 0) {
		free(list);
		return clm_usage_error(usage, opts, "%s", clm_error());
	}

	clm_progress_begin(&progress, "bench", 0, ctx->quiet);
	progress.unit = "steps";
	rc = load_base(&a, &base, &codec);
	if (rc < 0)
		goto cleanup;
	fit_to_context(&a, base.model.cfg.n_positions, &cfg, &codec);
	rc = clm_codetask_stream_load(a.data, a.python, (size_t)a.train_limit, (size_t)a.eval_limit, 2000, &stream);
	if (rc < 0)
		goto cleanup;
	for (size_t t = 0; t < CLM_CODETASK_NTASKS; t++) {
		tasks[t] = (struct clm_bench_task){ stream.names[t], stream.kinds[t], stream.langs[t], &stream.train[t],
						    &stream.eval[t] };
		clm_progress_note(&progress, "task %s: %zu training, %zu evaluation examples", stream.names[t],
				  stream.train[t].n, stream.eval[t].n);
	}
	rc = clm_bench_run(&base.model, &codec, tasks, CLM_CODETASK_NTASKS, &cfg, &progress, &res);
	clm_progress_end(&progress);
	if (rc == 0)
		rc = report(&a, &cfg, &res, ctx->json);
cleanup:
	clm_bench_result_release(&res);
	clm_codetask_stream_release(&stream);
	clm_base_model_release(&base);
	free(list);
	return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
}
