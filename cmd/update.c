/* git clmodel update: learn the tasks mined since the model's last update. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "update/jobs.h"
#include "git/repo.h"
#include "update/update.h"
#include "rollout/decide.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const update_usage[] = {
	"git clmodel update [--name <model>] [--strategy <name>] [--steps <n>] [--dry-run]",
	"git clmodel update --queued",
	NULL,
};

/* Gate, strategy and staged roll-out from git config, where the command line did not say. */
static int read_config(git_repository *repo, struct clm_update_options *o, const char **strategy,
		       struct clm_strbuf *strategy_buf, struct clm_strbuf *canary_buf)
{
	static const struct {
		const char *key;
		size_t offset;
	} gates[] = {
		{ "clmodel.gate.maxForgetting", offsetof(struct clm_update_options, max_forgetting) },
		{ "clmodel.gate.minScore", offsetof(struct clm_update_options, min_score) },
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(gates) / sizeof(gates[0]); i++) {
		rc = clm_repo_config_double(repo, gates[i].key, (double *)((char *)o + gates[i].offset));
		if (rc == CLM_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0) {
		double steps;
		rc = clm_repo_config_double(repo, "clmodel.update.steps", &steps);
		if (rc == 0) {
			if (steps < 1 || steps > 1e7)
				return clm_error_set(CLM_EINVALID, "clmodel.update.steps must be a positive count");
			o->train.steps = (int)steps;
		}
		if (rc == CLM_ENOTFOUND)
			rc = 0;
	}
	if (rc == 0 && (rc = clm_rollout_auto_branches(repo, canary_buf)) > 0) {
		o->canary_branches = canary_buf->buf;
		rc = 0;
	}
	if (rc == 0 && !*strategy) {
		rc = clm_repo_config_string(repo, "clmodel.strategy", strategy_buf);
		if (rc == 0)
			*strategy = strategy_buf->buf;
		else if (rc == CLM_ENOTFOUND)
			rc = 0;
	}
	return rc;
}

static const char *outcome_text(int outcome)
{
	return outcome == 2 ? "canary" : outcome == 1 ? "promoted" : outcome == 0 ? "candidate" : outcome == -1 ? "merged" : "skipped";
}

/* A score, or "n/a" when there is none (never "nan"). */
static void print_score(double v)
{
	if (isnan(v))
		printf("n/a");
	else
		printf("%.2f", v);
}

static void print_result(const struct clm_update_result *r, int dry_run, const struct clm_update_options *o)
{
	if (r->too_long)
		printf("%zu function%s too long for the model's context of %zu tokens: skipped\n", r->too_long,
		       r->too_long == 1 ? "" : "s", r->context);
	if (r->fitted)
		printf("%ld example%s (training batches and evaluation prompts) shortened to fit the context "
		       "(%ld tokens cut)\n", r->fitted, r->fitted == 1 ? "" : "s", r->fitted_tokens);
	if (!r->n) {
		printf("Nothing to learn: no new tasks since the last update.\n");
		return;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct clm_update_step *s = &r->steps[i];
		if (dry_run) {
			printf("%-40s %5zu train %4zu eval  %s\n", s->task, s->train_examples, s->eval_examples,
			       s->outcome == 1 ? "would learn" : s->reason);
			continue;
		}
		printf("%-40s %s", s->task, outcome_text(s->outcome));
		if (s->version[0])
			printf(" %.12s", s->version);
		if (s->seconds > 0) {
			printf("  score=");
			print_score(s->score);
			printf(" avg=");
			print_score(s->average);
			printf(" forgetting=");
			print_score(s->forgetting);
			printf(" loss %.3f->%.3f %.0fs", s->first_loss, s->last_loss, s->seconds);
		}
		if (s->eval_on_train)
			printf("  [scored on training examples: none held out]");
		if (s->reason)
			printf("  (%s%s%s)", s->reason, s->candidate_ref ? "; kept as " : "",
			       s->candidate_ref ? s->candidate_ref : "");
		putchar('\n');
		if (s->outcome == 0)
			printf("hint: inspect it with 'git clmodel show %s'; 'git clmodel promote %s' makes it the head\n",
			       s->candidate_ref, s->candidate_ref);
	}
	if (dry_run)
		printf("plan: %d steps of %d examples per task\n", o->train.steps, o->train.batch_size);
}

/* Record the outcome for `git clmodel status`. */
static void save_last_result(git_repository *repo, int rc, const struct clm_update_result *r)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	json_t *o = rc < 0 ? json_pack("{s:I,s:s}", "t", (json_int_t)time(NULL), "error", clm_error())
			   : clm_update_result_json(r);

	if (o && rc >= 0)
		json_object_set_new(o, "t", json_integer((json_int_t)time(NULL)));
	if (o && clm_repo_state_path(repo, "last-update.json", &path) == 0 && clm_json_dump_pretty(o, &text) == 0)
		clm_write_file_atomic(path.buf, text.buf, text.len);
	json_decref(o);
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
}

int cmd_update(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const char *model = NULL, *strategy = NULL;
	long steps = -1, batch = -1;
	int dry_run = 0, queued = 0, locked, code = CLM_EXIT_OK, n, rc;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_STRING, 0, "strategy", &strategy, "<name>",
		  "CL strategy for a model that has none yet (default: clmodel.strategy, else pp-tf+replay)" },
		{ CLM_OPT_INT, 0, "steps", &steps, "<n>", "optimizer steps per task (default 60)" },
		{ CLM_OPT_INT, 0, "batch-size", &batch, "<n>", "examples per step (default 8)" },
		{ CLM_OPT_FLAG, 'n', "dry-run", &dry_run, NULL, "print the plan; train nothing" },
		{ CLM_OPT_FLAG, 0, "queued", &queued, NULL, "run the jobs queued by the hooks (background use)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_update_options o;
	struct clm_update_result r = { 0 };
	struct clm_strbuf strategy_buf = CLM_STRBUF_INIT, canary_buf = CLM_STRBUF_INIT, jobs = CLM_STRBUF_INIT;
	struct clm_progress progress;
	struct clm_store s;

	n = clm_parse_options(argc, argv, opts, update_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(update_usage, opts, "unexpected argument '%s'", argv[0]);
	if (steps == 0 || steps < -1 || batch == 0 || batch < -1)
		return clm_usage_error(update_usage, opts, "--steps and --batch-size must be positive");
	clm_update_options_init(&o);
	o.model = model;
	o.dry_run = dry_run;
	if ((rc = clm_store_open(&s, NULL)) < 0)
		return clm_die_error();
	/* The whole update holds the writers' lock, so a hook's background update and one started by
	 * hand run one after the other; the background one is patient. */
	if (queued)
		s.lock_wait_ms = 3600 * 1000;
	/* Configuration first, so that the command line wins. */
	rc = read_config(s.repo, &o, &strategy, &strategy_buf, &canary_buf);
	o.strategy = strategy;
	if (steps > 0)
		o.train.steps = (int)steps;
	if (batch > 0)
		o.train.batch_size = (int)batch;
	if (rc == 0 && !dry_run)
		rc = clm_store_lock(&s);
	/* Only a run that held the lock has an outcome of its own: one refused because another
	 * process holds it must not overwrite that process's result. */
	locked = rc == 0 && !dry_run;
	if (rc == 0 && queued)
		rc = clm_jobs_take(s.repo, &jobs);
	clm_progress_begin(&progress, "update", 0, ctx->quiet);
	progress.unit = "steps";
	if (rc == 0)
		rc = clm_update_run(&s, &o, &progress, &r);
	if (locked)
		save_last_result(s.repo, rc, &r);
	if (rc == 0 && ctx->json)
		clm_print_json(clm_update_result_json(&r));
	else if (rc == 0)
		print_result(&r, dry_run, &o);
	clm_update_result_release(&r);
	clm_strbuf_release(&strategy_buf);
	clm_strbuf_release(&canary_buf);
	clm_strbuf_release(&jobs);
	clm_store_close(&s);
	return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
}
