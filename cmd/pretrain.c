/* git clmodel pretrain: train a base model (tokenizer, then transformer) from source code. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "update/pretrain.h"
#include "util/error.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static const char *const pretrain_usage[] = {
	"git clmodel pretrain --out <dir> [--corpus <dir|rev>] [--config <tiny|small|file>] [--steps <n>]",
	NULL,
};

/* Set by the SIGINT handler; the training loop checkpoints and stops when it sees it. A signal
 * handler can only reach process-wide state, so this one flag is global. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void print_result(const struct clm_pretrain_opts *o, const struct clm_pretrain_result *r, struct clm_cmd_ctx *ctx)
{
	if (ctx->json) {
		json_t *j = json_pack("{ss ss ss sI sI sI sI sI si sI si si sf sf sf sf}", "out", o->out_dir, "corpus",
				      o->corpus, "config", o->config, "files", (json_int_t)r->files, "corpus_bytes",
				      (json_int_t)r->corpus_bytes, "train_tokens", (json_int_t)r->train_tokens,
				      "valid_tokens", (json_int_t)r->valid_tokens, "params", (json_int_t)r->params,
				      "vocab_size", r->vocab_size, "steps", (json_int_t)r->steps_done, "resumed_from",
				      r->resumed_from, "interrupted", r->interrupted, "first_loss", (double)r->first_loss,
				      "last_loss", (double)r->last_loss, "tokens_per_second", r->tokens_per_s, "seconds",
				      r->seconds);
		if (j)
			json_object_set_new(j, "valid_loss", r->valid_loss >= 0 ? json_real(r->valid_loss) : json_null());
		clm_print_json(j);
		return;
	}
	if (ctx->quiet)
		return;
	printf("Pretrained '%s' (%lld parameters, vocabulary %d) on %zu files of %s (%.1f MB, %lld tokens)\n", o->config,
	       r->params, r->vocab_size, r->files, o->corpus, (double)r->corpus_bytes / 1e6, r->train_tokens + r->valid_tokens);
	if (r->steps_done > r->resumed_from)
		printf("Steps %d..%d: loss %.3f -> %.3f, %.0f tokens/s, %.1f s\n", r->resumed_from + 1, r->steps_done,
		       (double)r->first_loss, (double)r->last_loss, r->tokens_per_s, r->seconds);
	else
		printf("Already trained for %d steps; raise --steps to continue\n", r->steps_done);
	if (r->valid_loss >= 0)
		printf("Validation loss on %lld held-out tokens: %.3f\n", r->valid_tokens, (double)r->valid_loss);
	printf("Wrote %s/config.json, model.safetensors, tokenizer.json\n", o->out_dir);
	printf("Next: git clmodel init --base %s\n", o->out_dir);
}

int clm_cmd_pretrain(struct clm_pretrain_opts *o, struct clm_pretrain_result *r)
{
	struct sigaction sa, old;
	int rc;

	interrupted = 0;
	o->stop = &interrupted;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESETHAND; /* a second Ctrl-C ends the process at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	rc = clm_pretrain(o, r);
	sigaction(SIGINT, &old, NULL);
	if (rc == CLM_EINTERRUPT)
		fprintf(stderr, "git-clmodel: %s\n", clm_error());
	return rc;
}

int cmd_pretrain(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	struct clm_pretrain_opts o;
	struct clm_pretrain_result r;
	long steps, batch = 0, seq_len = 0, vocab = 0, every = 0, seed, max_mb = 0;
	double lr = 0;
	int fresh = 0;
	const struct clm_option opts[] = {
		{ CLM_OPT_STRING, 'o', "out", &o.out_dir, "<dir>", "output model directory (created when missing)" },
		{ CLM_OPT_STRING, 0, "corpus", &o.corpus, "<dir|rev>", "source folder or revision (default: HEAD)" },
		{ CLM_OPT_STRING, 0, "config", &o.config, "<name|file>", "tiny, small or a config.json (default: tiny)" },
		{ CLM_OPT_INT, 0, "steps", &steps, "<n>", "total optimizer steps (default: 200)" },
		{ CLM_OPT_INT, 0, "batch", &batch, "<n>", "sequences per step (default: 8)" },
		{ CLM_OPT_INT, 0, "seq-len", &seq_len, "<n>", "tokens per sequence (default: the context length)" },
		{ CLM_OPT_INT, 0, "vocab", &vocab, "<n>", "tokenizer vocabulary size (default: the config's)" },
		{ CLM_OPT_DOUBLE, 0, "lr", &lr, "<rate>", "peak learning rate (default: 0.002)" },
		{ CLM_OPT_INT, 0, "checkpoint-every", &every, "<n>", "steps between checkpoints (default: 50)" },
		{ CLM_OPT_INT, 0, "seed", &seed, "<n>", "random seed (default: 1)" },
		{ CLM_OPT_INT, 0, "max-corpus-mb", &max_mb, "<n>", "read at most this much source (default: 64)" },
		{ CLM_OPT_FLAG, 0, "fresh", &fresh, NULL, "start over instead of resuming a checkpoint" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	int code, rc, n;

	clm_pretrain_defaults(&o);
	steps = o.steps;
	seed = (long)o.seed;
	n = clm_parse_options(argc, argv, opts, pretrain_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(pretrain_usage, opts, "unexpected argument '%s'", argv[0]);
	if (!o.out_dir)
		return clm_usage_error(pretrain_usage, opts, "--out is required");
	if (steps < 1 || steps > 100000000 || batch < 0 || batch > 4096 || seq_len < 0 || seq_len > 65536 || vocab < 0 ||
	    vocab > 4000000 || every < 0 || seed < 0 || max_mb < 0 || max_mb > 1 << 20 || lr < 0)
		return clm_usage_error(pretrain_usage, opts, "a numeric option is out of range");
	o.steps = (int)steps;
	o.batch_size = (int)batch;
	o.seq_len = (int)seq_len;
	o.vocab_size = (int)vocab;
	o.lr = (float)lr;
	o.checkpoint_every = (int)every;
	o.seed = (uint64_t)seed;
	o.max_corpus_bytes = (size_t)max_mb << 20;
	o.fresh = fresh;
	o.quiet = ctx->quiet || ctx->json;
	rc = clm_cmd_pretrain(&o, &r);
	if (rc == CLM_EINTERRUPT)
		return CLM_EXIT_INTERRUPTED;
	if (rc < 0)
		return clm_die_error();
	print_result(&o, &r, ctx);
	return CLM_EXIT_OK;
}
