#include "update/pretrain.h"
#include "data/corpus.h"
#include "io/hf_dir.h"
#include "io/safetensors.h"
#include "nn/batch.h"
#include "nn/config.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "nn/rng.h"
#include "nn/tensormap.h"
#include "tok/hf_json.h"
#include "tok/train.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOSS_WINDOW 10 /* at most this many steps are averaged for the first and last loss */
#define VALID_WINDOWS 16

void clm_pretrain_defaults(struct clm_pretrain_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->corpus = "HEAD";
	o->config = "tiny";
	o->steps = 200;
	o->seed = 1;
}

/* Everything one run holds; released by run_release. */
struct run {
	const struct clm_pretrain_opts *o;
	struct clm_pretrain_result *r;
	struct clm_gpt_config cfg;
	struct clm_tokenizer tok;
	int have_tok;
	struct clm_tok_ids stream; /* the tokenized corpus: training part, then validation part */
	size_t n_train;
	struct clm_gpt model;
	struct clm_adamw opt;
	int step;
	int batch, seq_len;
	char path[4096];
};

static const char *out_path(struct run *run, const char *name)
{
	snprintf(run->path, sizeof(run->path), "%s/%s", run->o->out_dir, name);
	return run->path;
}

static int load_config(const char *spec, struct clm_gpt_config *cfg)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	json_t *obj;
	int rc;

	if (clm_gpt_config_named(spec, 0, cfg) == 0)
		return 0;
	if (!clm_path_exists(spec))
		return clm_error_set(CLM_ENOTFOUND, "config '%s' is neither tiny, small nor a config.json file", spec);
	rc = clm_read_file(spec, 1 << 20, &sb);
	obj = rc == 0 ? clm_json_parse(sb.buf, sb.len, spec) : NULL;
	clm_strbuf_release(&sb);
	if (!obj)
		return rc < 0 ? rc : CLM_EINVALID;
	rc = clm_gpt_config_from_json(obj, cfg);
	json_decref(obj);
	return rc < 0 ? clm_error_wrap(rc, "%s", spec) : 0;
}

/* config.json as transformers reads it, with our tokenizer's end-of-text token as bos and eos;
 * tokenizer.json; tokenizer_config.json. Written before training, so a resumed run finds them. */
static int write_configs(struct run *run)
{
	struct clm_hf_dir d = CLM_HF_DIR_INIT;
	struct clm_strbuf side = CLM_STRBUF_INIT;
	int32_t eot = clm_tok_special_id(&run->tok, "<|endoftext|>");
	json_t *cfg = clm_gpt_config_to_json(&run->cfg);
	json_t *tok_cfg = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b}", "tokenizer_class", "GPT2TokenizerFast",
				    "bos_token", "<|endoftext|>", "eos_token", "<|endoftext|>", "unk_token",
				    "<|endoftext|>", "pad_token", "<|pad|>", "model_max_length", run->cfg.n_positions,
				    "add_prefix_space", 0);
	int rc = cfg && tok_cfg ? 0 : clm_error_oom();

	if (!rc && eot >= 0) {
		json_object_set_new(cfg, "bos_token_id", json_integer(eot));
		json_object_set_new(cfg, "eos_token_id", json_integer(eot));
	}
	if (!rc)
		rc = clm_json_dump_pretty(cfg, &d.config);
	if (!rc)
		rc = clm_tok_write_hf(&run->tok, &d.tokenizer);
	if (!rc)
		rc = clm_json_dump_pretty(tok_cfg, &side);
	if (!rc)
		rc = clm_file_list_add(&d.side, "tokenizer_config.json", side.buf, side.len);
	if (!rc)
		rc = clm_hf_dir_write(run->o->out_dir, &d, CLM_HF_CONFIG | CLM_HF_TOKENIZER | CLM_HF_SIDE, NULL);
	json_decref(cfg);
	json_decref(tok_cfg);
	clm_strbuf_release(&side);
	clm_hf_dir_release(&d);
	return rc;
}

static int train_tokenizer(struct run *run, const struct clm_corpus *c)
{
	struct clm_tok_trainer tr;
	struct clm_tok_train_opts to = { (size_t)(run->o->vocab_size > 0 ? run->o->vocab_size : run->cfg.vocab_size),
					 clm_tok_default_specials, clm_tok_default_specials_count, 0 };
	struct clm_progress p;
	int rc = clm_tok_trainer_init(&tr);

	for (size_t i = 0; rc == 0 && i < c->n; i++)
		rc = clm_tok_trainer_add(&tr, c->files[i].data, c->files[i].len);
	clm_progress_begin(&p, "tokenizer", to.vocab_size > 256 ? to.vocab_size - 256 : 0, run->o->quiet);
	p.unit = "merges";
	if (rc == 0)
		rc = clm_tok_trainer_finish(&tr, &to, &run->tok, &p);
	clm_tok_trainer_release(&tr);
	if (rc < 0)
		return rc;
	run->have_tok = 1;
	clm_progress_update(&p, run->tok.n_tokens - 256, "vocabulary %zu", run->tok.n_tokens);
	clm_progress_end(&p);
	run->cfg.vocab_size = (int)run->tok.n_tokens;
	if ((rc = clm_gpt_config_check(&run->cfg)) < 0)
		return rc;
	return write_configs(run);
}

/* Tokenize every file, each followed by <|endoftext|>; the last 5% of the tokens (whole
 * windows only) are held out for the validation loss. */
static int tokenize_corpus(struct run *run, const struct clm_corpus *c)
{
	int32_t eot = clm_tok_special_id(&run->tok, "<|endoftext|>");
	size_t valid;
	int rc = 0;

	if (eot < 0)
		return clm_error_set(CLM_EINVALID, "the tokenizer has no <|endoftext|> token");
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		rc = clm_tok_encode(&run->tok, c->files[i].data, c->files[i].len, 0, &run->stream);
		if (rc == 0)
			rc = clm_tok_ids_push(&run->stream, eot);
	}
	if (rc < 0)
		return rc;
	if (run->stream.n < (size_t)run->seq_len + 1)
		return clm_error_set(CLM_EINVALID, "the corpus is too small: %zu tokens, a sequence needs %d", run->stream.n,
				     run->seq_len + 1);
	valid = run->stream.n / 20 / (size_t)run->seq_len * (size_t)run->seq_len;
	if (valid > (size_t)VALID_WINDOWS * (size_t)run->seq_len)
		valid = (size_t)VALID_WINDOWS * (size_t)run->seq_len;
	run->n_train = run->stream.n - valid;
	if (run->n_train < (size_t)run->seq_len + 1) {
		run->n_train = run->stream.n;
		valid = 0;
	}
	run->r->train_tokens = (long long)run->n_train;
	run->r->valid_tokens = (long long)valid;
	return 0;
}

static int set_meta(json_t *meta, const char *key, const char *fmt, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), fmt, v);
	return json_object_set_new(meta, key, json_string(buf));
}

/* The settings a checkpoint must share with the run resuming it. */
static json_t *run_identity(const struct run *run)
{
	json_t *meta = json_pack("{s:s, s:s}", "clm_pretrain_corpus", run->o->corpus, "clm_pretrain_config", run->o->config);

	if (meta && (set_meta(meta, "clm_pretrain_seed", "%lld", (long long)run->o->seed) < 0 ||
		     set_meta(meta, "clm_pretrain_batch", "%lld", run->batch) < 0 ||
		     set_meta(meta, "clm_pretrain_seq_len", "%lld", run->seq_len) < 0)) {
		json_decref(meta);
		meta = NULL;
	}
	return meta;
}

static int save_checkpoint(struct run *run)
{
	struct clm_tensor_list list = { 0 };
	json_t *meta = run_identity(run);
	int rc = meta ? 0 : clm_error_oom();

	if (rc == 0)
		rc = set_meta(meta, "clm_pretrain_step", "%lld", run->step) < 0 ? clm_error_oom() : 0;
	if (rc == 0)
		rc = clm_gpt_export(&run->model, CLM_EXPORT_ALL, &list);
	if (rc == 0)
		rc = clm_adamw_save(&run->opt, &list);
	if (rc == 0)
		rc = clm_mkdir_p(out_path(run, "checkpoint"), 0755);
	if (rc == 0)
		rc = clm_safetensors_write(out_path(run, "checkpoint/state.safetensors"), &list, meta);
	clm_tensor_list_release(&list);
	json_decref(meta);
	return rc;
}

/* Move the optimizer's tensors of `all` into `optim`, leaving the model's. */
static int split_optimizer_state(struct clm_tensor_list *all, struct clm_tensor_list *optim)
{
	size_t keep = 0;

	for (size_t i = 0; i < all->n; i++) {
		struct clm_named_tensor *t = &all->items[i];
		if (strncmp(t->name, "clm.optim.", 10)) {
			all->items[keep++] = *t;
			continue;
		}
		if (clm_tensor_list_add(optim, t->name, t->dtype, t->ndim, t->shape, t->data, t->nbytes) < 0)
			return CLM_ENOMEM;
		free(t->name);
		free(t->data);
	}
	all->n = keep;
	return 0;
}

/* Load checkpoint/state.safetensors when the run matches it; *found says whether one was used. */
static int load_checkpoint(struct run *run, int *found)
{
	struct clm_tensor_list all = { 0 }, optim = { 0 };
	json_t *meta = NULL, *want = NULL;
	const char *key;
	json_t *v;
	int64_t step;
	int rc;

	*found = 0;
	if (!clm_path_exists(out_path(run, "checkpoint/state.safetensors")))
		return 0;
	rc = clm_safetensors_read(run->path, 0, &all, &meta);
	if (rc == 0 && !(want = run_identity(run)))
		rc = clm_error_oom();
	json_object_foreach(want, key, v) {
		const json_t *have = json_object_get(meta, key);
		if (rc == 0 && (!json_is_string(have) || strcmp(json_string_value(have), json_string_value(v))))
			rc = clm_error_set(CLM_EINVALID, "%s holds a run with %s=%s, not %s; use --fresh to start over",
					   out_path(run, "checkpoint"), key + 13,
					   json_is_string(have) ? json_string_value(have) : "?", json_string_value(v));
	}
	if (rc == 0) { /* metadata values are strings */
		const char *s = json_string_value(json_object_get(meta, "clm_pretrain_step"));
		char *end;
		step = s ? strtoll(s, &end, 10) : -1;
		if (!s || *end || step < 0 || step > INT32_MAX)
			rc = clm_error_set(CLM_EINVALID, "checkpoint: bad clm_pretrain_step");
	}
	if (rc == 0)
		rc = split_optimizer_state(&all, &optim);
	if (rc == 0)
		rc = clm_gpt_load_tensors(&run->model, &all);
	if (rc == 0)
		rc = clm_adamw_load(&run->opt, &optim);
	if (rc == 0) {
		run->step = (int)step;
		*found = 1;
	}
	clm_tensor_list_release(&all);
	clm_tensor_list_release(&optim);
	json_decref(meta);
	json_decref(want);
	return rc < 0 ? clm_error_wrap(rc, "resuming from %s", out_path(run, "checkpoint")) : 0;
}

static int load_saved_tokenizer(struct run *run)
{
	struct clm_hf_dir d;
	int rc = clm_hf_dir_read(run->o->out_dir, CLM_HF_TOKENIZER, &d);

	if (!rc)
		rc = clm_tok_parse_hf(&run->tok, d.tokenizer.buf, d.tokenizer.len);
	clm_hf_dir_release(&d);
	if (rc < 0)
		return rc;
	run->have_tok = 1;
	run->cfg.vocab_size = (int)run->tok.n_tokens;
	return clm_gpt_config_check(&run->cfg);
}

static int fill_batch(struct run *run, struct clm_batch *b, int step)
{
	struct clm_rng rng;

	/* Seeded by step, so a resumed run sees the batches an unbroken one would. */
	clm_rng_seed(&rng, run->o->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)step);
	clm_batch_clear(b);
	for (int i = 0; i < run->batch; i++) {
		size_t start = (size_t)clm_rng_below(&rng, run->n_train - (size_t)run->seq_len + 1);
		int rc = clm_batch_add(b, run->stream.v + start, run->seq_len, NULL, NULL, 0, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static float valid_loss(struct run *run)
{
	struct clm_batch b = CLM_BATCH_INIT;
	size_t n_valid = run->stream.n - run->n_train;
	float loss = -1;

	for (size_t off = run->n_train; off + (size_t)run->seq_len <= run->stream.n; off += (size_t)run->seq_len)
		if (clm_batch_add(&b, run->stream.v + off, run->seq_len, NULL, NULL, 0, -1) < 0)
			break;
	if (n_valid && b.n && clm_gpt_loss(&run->model, &b, &loss, NULL, NULL) < 0)
		loss = -1;
	clm_batch_release(&b);
	return loss;
}

static int train(struct run *run)
{
	struct clm_batch b = CLM_BATCH_INIT;
	struct clm_progress p;
	float first[LOSS_WINDOW], last[LOSS_WINDOW], ema = 0;
	int n_first = 0, n_last = 0, every = run->o->checkpoint_every > 0 ? run->o->checkpoint_every : 50, rc = 0;
	int window = (run->o->steps - run->step) / 4; /* short runs compare their first and last quarters */
	double t0 = clm_now();
	long long tokens = 0;

	window = window < 1 ? 1 : window > LOSS_WINDOW ? LOSS_WINDOW : window;
	clm_progress_begin(&p, "pretrain", (uint64_t)run->o->steps, run->o->quiet);
	p.unit = "steps";
	p.done = (uint64_t)run->step;
	if (run->step)
		clm_progress_note(&p, "resuming at step %d of %d", run->step, run->o->steps);
	while (run->step < run->o->steps) {
		float loss;
		double dt;
		if ((rc = fill_batch(run, &b, run->step)) < 0 || (rc = clm_gpt_forward_backward(&run->model, &b, &loss)) < 0 ||
		    (rc = clm_adamw_step(&run->opt, &run->model, 1)) < 0)
			break;
		run->step++;
		tokens += (long long)run->batch * run->seq_len;
		if (n_first < window)
			first[n_first++] = loss;
		last[n_last++ % window] = loss;
		ema = n_first == 1 ? loss : 0.9f * ema + 0.1f * loss;
		dt = clm_now() - t0;
		clm_progress_update(&p, (uint64_t)run->step, "loss %.3f  %.0f tok/s", (double)ema, (double)tokens / dt);
		if (run->step % every == 0 || run->step == run->o->steps || (run->o->stop && *run->o->stop)) {
			if ((rc = save_checkpoint(run)) < 0)
				break;
			clm_progress_note(&p, "step %d/%d: loss %.3f, checkpoint saved", run->step, run->o->steps, (double)ema);
		}
		if (run->o->stop && *run->o->stop && run->step < run->o->steps) {
			run->r->interrupted = 1;
			break;
		}
	}
	clm_progress_end(&p);
	clm_batch_release(&b);
	run->r->seconds = clm_now() - t0;
	run->r->tokens_per_s = run->r->seconds > 0 ? (double)tokens / run->r->seconds : 0;
	run->r->steps_done = run->step;
	for (int i = 0; i < n_first; i++)
		run->r->first_loss += first[i] / (float)n_first;
	n_last = n_last < window ? n_last : window;
	for (int i = 0; i < n_last; i++)
		run->r->last_loss += last[i] / (float)n_last;
	return rc;
}

static int write_model(struct run *run)
{
	struct clm_hf_dir d = CLM_HF_DIR_INIT;
	int rc = clm_gpt_export(&run->model, CLM_EXPORT_BACKBONE, &d.weights);

	if (rc == 0)
		rc = clm_hf_dir_write(run->o->out_dir, &d, CLM_HF_WEIGHTS, NULL);
	clm_hf_dir_release(&d);
	return rc;
}

static int run_all(struct run *run)
{
	const struct clm_pretrain_opts *o = run->o;
	struct clm_corpus_opts co = { 0, o->max_corpus_bytes ? o->max_corpus_bytes : (size_t)64 << 20 };
	struct clm_corpus corpus;
	struct clm_adamw_config ac;
	int rc, found = 0;

	if ((rc = load_config(o->config, &run->cfg)) < 0)
		return rc;
	run->batch = o->batch_size > 0 ? o->batch_size : 8;
	run->seq_len = o->seq_len > 0 ? o->seq_len : run->cfg.n_positions;
	if (run->seq_len > run->cfg.n_positions || o->steps < 1)
		return clm_error_set(CLM_EINVALID, "need 1 <= steps and sequence length <= %d", run->cfg.n_positions);
	if ((rc = clm_mkdir_p(o->out_dir, 0755)) < 0)
		return rc;
	if ((rc = clm_corpus_load(&corpus, o->corpus, &co)) < 0)
		return rc;
	run->r->files = corpus.n;
	run->r->corpus_bytes = corpus.bytes;
	if (corpus.n == 0)
		rc = clm_error_set(CLM_EINVALID, "no source files of a supported language in '%s'", o->corpus);
	/* Resume only with the tokenizer the checkpoint was trained with; a fresh start removes the
	 * old checkpoint first, so it can never meet a new tokenizer. */
	if (rc == 0 && !o->fresh && clm_path_exists(out_path(run, "checkpoint/state.safetensors")))
		rc = load_saved_tokenizer(run);
	else if (rc == 0 && clm_path_exists(out_path(run, "checkpoint/state.safetensors")) && remove(run->path) < 0)
		rc = clm_error_set(CLM_EIO, "cannot remove the old checkpoint %s", run->path);
	else if (rc == 0)
		rc = train_tokenizer(run, &corpus);
	if (rc == 0)
		rc = tokenize_corpus(run, &corpus);
	clm_corpus_release(&corpus);
	if (rc < 0)
		return rc;
	run->r->vocab_size = run->cfg.vocab_size;
	run->r->params = clm_gpt_config_param_count(&run->cfg);
	clm_adamw_defaults(&ac);
	ac.lr = o->lr > 0 ? o->lr : 2e-3f;
	ac.warmup_steps = o->steps / 10 < 100 ? o->steps / 10 : 100;
	ac.total_steps = o->steps;
	ac.schedule = CLM_LR_COSINE;
	ac.min_lr_ratio = 0.1f;
	clm_adamw_init(&run->opt, &ac);
	if ((rc = clm_gpt_init(&run->model, &run->cfg, o->seed)) < 0)
		return rc;
	if (!o->fresh && (rc = load_checkpoint(run, &found)) < 0)
		return rc;
	run->r->resumed_from = run->step;
	if ((rc = train(run)) < 0)
		return rc;
	if (run->r->interrupted)
		return clm_error_set(CLM_EINTERRUPT, "interrupted at step %d of %d; checkpoint saved in %s/checkpoint; run the same "
				     "command again to resume", run->step, o->steps, o->out_dir);
	run->r->valid_loss = valid_loss(run);
	return write_model(run);
}

int clm_pretrain(const struct clm_pretrain_opts *o, struct clm_pretrain_result *r)
{
	struct run run;
	int rc;

	memset(&run, 0, sizeof(run));
	memset(r, 0, sizeof(*r));
	r->valid_loss = -1;
	run.o = o;
	run.r = r;
	rc = run_all(&run);
	if (run.have_tok)
		clm_tok_release(&run.tok);
	clm_tok_ids_release(&run.stream);
	clm_gpt_release(&run.model);
	clm_adamw_release(&run.opt);
	return rc;
}
