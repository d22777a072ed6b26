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

int cmd_bench(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *base_dir = NULL, *random_base = NULL, *data = NULL, *python = "/usr/lib/python3.11", *out_dir = NULL;
	const char *strategies = NULL;
	long steps = -1, batch = 8, train_limit = -1, eval_limit = -1, max_new = -1, prompt_len = -1, top_k = -1;
	long replay_size = 200, seed = 1;
	double lr = 1e-3, frozen_lr = 1e-2;
	int quick = 0, individual = 1, rc, code, ctx_len;
	const struct clm_option opts[] = {
		{ CLM_OPT_FLAG, 0, "quick", &quick, NULL, "small budget (finishes in minutes)" },
		{ CLM_OPT_STRING, 0, "base", &base_dir, "<dir>", "base model directory (git clmodel pretrain --out)" },
		{ CLM_OPT_STRING, 0, "random-base", &random_base, "<config>", "start from a random model (tiny|small), byte tokens" },
		{ CLM_OPT_STRING, 0, "data", &data, "<dir>", "CodeTask data folder (concode, codetrans, bugs2fix)" },
		{ CLM_OPT_STRING, 0, "python", &python, "<dir>", "Python sources for summarization (/usr/lib/python3.11)" },
		{ CLM_OPT_STRING, 0, "strategies", &strategies, "<list>", "comma-separated strategies (default: all)" },
		{ CLM_OPT_INT, 0, "steps", &steps, "<n>", "optimizer steps per task (quick 20, full 1000)" },
		{ CLM_OPT_INT, 0, "batch-size", &batch, "<n>", "examples per step (8)" },
		{ CLM_OPT_DOUBLE, 0, "lr", &lr, "<x>", "learning rate (1e-3)" },
		{ CLM_OPT_DOUBLE, 0, "frozen-lr", &frozen_lr, "<x>", "learning rate of prompts and adapters (1e-2)" },
		{ CLM_OPT_INT, 0, "train-limit", &train_limit, "<n>", "training examples per task (quick 400, full all)" },
		{ CLM_OPT_INT, 0, "eval-limit", &eval_limit, "<n>", "evaluation examples per task (quick 16, full 200)" },
		{ CLM_OPT_INT, 0, "max-new-tokens", &max_new, "<n>", "generation length cap (quick 32, full 128 or context/4)" },
		{ CLM_OPT_INT, 0, "prompt-len", &prompt_len, "<n>", "spt/tspt prompt length (100; 20 below a 512 context)" },
		{ CLM_OPT_INT, 0, "top-k", &top_k, "<n>", "pp keys selected per example (20; 4 below a 512 context)" },
		{ CLM_OPT_INT, 0, "replay-size", &replay_size, "<n>", "replay buffer size M (200)" },
		{ CLM_OPT_INT, 0, "seed", &seed, "<n>", "seed of every random choice (1)" },
		{ CLM_OPT_FLAG, 0, "individual", &individual, NULL, "also fine-tune one base copy per task (default on)" },
		{ CLM_OPT_STRING, 'o', "out", &out_dir, "<dir>", "write cl-bench.json and cl-bench.md there" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	const char *names[32];
	char *list = NULL;
	struct clm_codetask_stream stream;
	struct clm_bench_task tasks[CLM_CODETASK_NTASKS];
	struct clm_bench_config cfg;
	struct clm_bench_result res;
	struct clm_gpt_config gcfg;
	struct clm_text_codec codec;
	struct clm_progress progress;
	struct clm_base_model base;
	json_t *j;
	char *md;
	int n = clm_parse_options(argc, argv, opts, usage, ctx, &code);

	if (n < 0)
		return code;
	if (n != 1 || strcmp(argv[0], "codetask"))
		return clm_usage_error(usage, opts, "the only benchmark is 'codetask'");
	if (!data)
		return clm_usage_error(usage, opts, "--data is required");
	if (!random_base == !base_dir)
		return clm_usage_error(usage, opts, "give exactly one of --base and --random-base");
	if (steps < 0)
		steps = quick ? 20 : 1000;
	if (train_limit < 0)
		train_limit = quick ? 400 : 0;
	if (eval_limit < 0)
		eval_limit = quick ? 16 : 200;
	if (batch < 1 || max_new == 0 || replay_size < 0)
		return clm_usage_error(usage, opts, "--batch-size and --max-new-tokens must be positive");

	memset(&cfg, 0, sizeof(cfg));
	clm_cl_train_defaults(&cfg.train);
	cfg.train.steps = (int)steps;
	cfg.train.batch_size = (int)batch;
	cfg.train.adamw.lr = (float)lr;
	cfg.train.frozen_lr = (float)frozen_lr;
	clm_cl_params_defaults(&cfg.params);
	cfg.params.replay_size = (size_t)replay_size;
	cfg.params.seed = (uint64_t)seed;
	cfg.params.planned_tasks = CLM_CODETASK_NTASKS;
	cfg.individual = individual;
	if (strategies) {
		if (!(list = strdup(strategies)))
			return clm_die_error();
		cfg.n_strategies = split_list(list, names, 32);
		cfg.strategies = names;
	} else {
		cfg.strategies = all_strategies;
		cfg.n_strategies = sizeof(all_strategies) / sizeof(all_strategies[0]);
	}
	for (size_t k = 0; k < cfg.n_strategies; k++) {
		struct clm_strategy probe;
		if (clm_strategy_create(&probe, cfg.strategies[k], &cfg.params) < 0) {
			free(list);
			return clm_usage_error(usage, opts, "%s", clm_error());
		}
		clm_strategy_release(&probe);
	}

	clm_progress_begin(&progress, "bench", 0, ctx->quiet);
	progress.unit = "steps";
	memset(&base, 0, sizeof(base));
	if (base_dir) {
		rc = clm_base_model_load(base_dir, &base);
		if (!rc)
			rc = clm_tok_codec(&codec, &base.tok);
	} else {
		clm_byte_codec(&codec);
		rc = clm_gpt_config_named(random_base, CLM_BYTE_CODEC_VOCAB, &gcfg);
		if (!rc)
			rc = clm_gpt_init(&base.model, &gcfg, (uint64_t)seed);
	}
	if (rc < 0) {
		clm_base_model_release(&base);
		free(list);
		return clm_die_error();
	}
	/* The study's 100 prompt tokens (20 keys x 5) need a context well above 128 positions. */
	ctx_len = base.model.cfg.n_positions;
	if (max_new < 0)
		max_new = quick ? 32 : ctx_len / 4 < 128 ? ctx_len / 4 : 128;
	cfg.train.max_new_tokens = (int)max_new;
	clm_cl_params_fit_context(&cfg.params, ctx_len);
	if (prompt_len > 0)
		cfg.params.prompt_len = (int)prompt_len;
	if (top_k > 0)
		cfg.params.top_k = (int)top_k;
	codec.max_source = ctx_len / 2;
	codec.max_target = (int)max_new;
	if ((rc = clm_codetask_stream_load(data, python, (size_t)train_limit, (size_t)eval_limit, 2000, &stream)) < 0) {
		clm_base_model_release(&base);
		free(list);
		return clm_die_error();
	}
	for (size_t t = 0; t < CLM_CODETASK_NTASKS; t++) {
		tasks[t] = (struct clm_bench_task){ stream.names[t], stream.kinds[t], stream.langs[t], &stream.train[t],
						    &stream.eval[t] };
		clm_progress_note(&progress, "task %s: %zu training, %zu evaluation examples", stream.names[t],
				  stream.train[t].n, stream.eval[t].n);
	}
	rc = clm_bench_run(&base.model, &codec, tasks, CLM_CODETASK_NTASKS, &cfg, &progress, &res);
	clm_progress_end(&progress);
	if (rc < 0) {
		clm_bench_result_release(&res);
		clm_codetask_stream_release(&stream);
		clm_base_model_release(&base);
		free(list);
		return clm_die_error();
	}
	j = clm_bench_result_json(&res);
	md = clm_bench_result_markdown(&res);
	if (j)
		json_object_set_new(j, "config", json_pack("{s:s, s:i, s:i, s:f, s:f, s:I, s:I, s:i, s:i, s:i}", "base",
							   base_dir ? base_dir : random_base, "steps", (int)steps, "batch_size", (int)batch,
							   "lr", lr, "frozen_lr", frozen_lr, "train_limit", (json_int_t)train_limit,
							   "eval_limit", (json_int_t)eval_limit, "prompt_len",
							   cfg.params.prompt_len, "top_k", cfg.params.top_k,
							   "max_new_tokens", (int)max_new));
	rc = (!j || !md) ? clm_error_oom() : 0;
	if (!rc && out_dir)
		rc = write_outputs(out_dir, j, md);
	if (!rc && ctx->json) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		clm_json_dump_pretty(j, &sb);
		fputs(sb.buf, stdout);
		clm_strbuf_release(&sb);
	} else if (!rc) {
		fputs(md, stdout);
	}
	json_decref(j);
	free(md);
	clm_bench_result_release(&res);
	clm_codetask_stream_release(&stream);
	clm_base_model_release(&base);
	free(list);
	return rc ? clm_die_error() : CLM_EXIT_OK;
}
