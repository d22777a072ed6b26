/* git clmodel status: the version serving HEAD, queued or running updates, the last result. */
#include "cmd/commands.h"
#include "cmd/json_out.h"
#include "update/jobs.h"
#include "git/lock.h"
#include "git/repo.h"
#include "store/which.h"
#include "rollout/run.h"
#include "store/stage.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const status_usage[] = {
	"git clmodel status [--name <model>]",
	NULL,
};

/* PID of a live process holding the store lock, or 0. */
static long lock_holder(git_repository *repo)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	long pid = clm_repo_state_path(repo, "lock", &path) == 0 ? clm_lock_holder(path.buf) : 0;

	clm_strbuf_release(&path);
	return pid;
}

static json_t *last_result(git_repository *repo)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	json_t *o = NULL;

	if (clm_repo_state_path(repo, "last-update.json", &path) == 0 && clm_read_file(path.buf, 1 << 20, &text) == 0)
		o = clm_json_parse(text.buf, text.len, "last-update.json");
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
	return o;
}

static void print_last(const json_t *last)
{
	const json_t *steps = json_object_get(last, "steps"), *step;
	size_t i;

	if (!last) {
		printf("Last update: none yet\n");
		return;
	}
	if (json_object_get(last, "error")) {
		printf("Last update failed: %s\n", json_string_value(json_object_get(last, "error")));
		return;
	}
	printf("Last update: %zu task%s\n", json_array_size(steps), json_array_size(steps) == 1 ? "" : "s");
	json_array_foreach(steps, i, step) {
		const char *reason = json_string_value(json_object_get(step, "reason"));
		printf("  %-40s %s%s%s\n", json_string_value(json_object_get(step, "task")),
		       json_string_value(json_object_get(step, "outcome")), reason ? ": " : "", reason ? reason : "");
	}
}

/* A running writer, and where its output goes when a hook started it in the background. */
static void print_running(git_repository *repo, long pid)
{
	struct clm_strbuf log = CLM_STRBUF_INIT;

	if (clm_repo_state_path(repo, "log", &log) == 0 && clm_path_exists(log.buf))
		printf("Running: a model update or write (pid %ld); background updates write to %s\n", pid, log.buf);
	else
		printf("Running: a model update or write (pid %ld)\n", pid);
	clm_strbuf_release(&log);
}

/* The canary stage and what monitor would do about it now (nothing is written). */
static json_t *canary_status(struct clm_store *s, const char *model)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct clm_monitor_result r = { 0 };
	struct clm_rollout_decision d;
	struct clm_stage st;
	json_t *o = NULL;

	if (clm_stage_get(s, model, &st) < 0 || clm_rollout_run(s, model, 1, &r, &d) < 0) {
		clm_error_clear();
		clm_monitor_result_release(&r);
		return NULL;
	}
	o = json_pack("{s:s,s:s,s:I,s:s,s:s}", "version", git_oid_tostr(hex, sizeof(hex), &st.version), "branches",
		      st.branches, "since", (json_int_t)st.since, "next", clm_rollout_action_name(d.action), "reason", d.reason);
	clm_monitor_result_release(&r);
	return o;
}

int cmd_status(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	char hex[GIT_OID_HEXSZ + 1]; /* not git_oid_tostr_s: its buffer outlives libgit2's shutdown */
	const char *model = NULL;
	const struct clm_option opts[] = {
		CLM_OPT_MODEL_NAME(model),
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};
	struct clm_which which;
	struct clm_store s;
	json_t *last, *canary;
	size_t queued = 0;
	long running;
	int code = CLM_EXIT_OK, n, serving;

	n = clm_parse_options(argc, argv, opts, status_usage, ctx, &code);
	if (n < 0)
		return code;
	if (n > 0)
		return clm_usage_error(status_usage, opts, "unexpected argument '%s'", argv[0]);
	if (clm_store_open(&s, NULL) < 0)
		return clm_die_error();
	serving = clm_store_which(&s, model, NULL, NULL, &which) == 0;
	if (clm_jobs_count(s.repo, &queued) < 0) {
		clm_store_close(&s);
		return clm_die_error();
	}
	running = lock_holder(s.repo);
	last = last_result(s.repo);
	canary = canary_status(&s, model);
	if (ctx->json) {
		clm_print_json(json_pack("{s:s?,s:s?,s:s?,s:I,s:o?,s:O?,s:O?}", "version",
					 serving ? git_oid_tostr(hex, sizeof(hex), &which.version) : NULL, "reason",
					 serving ? clm_which_reason_name(which.reason) : NULL, "why",
					 serving ? which.detail : NULL, "queued", (json_int_t)queued, "running_pid",
					 running ? json_integer(running) : NULL, "last_update", last, "canary", canary));
	} else {
		if (serving)
			printf("Serving HEAD: %.12s (%s)\n", git_oid_tostr(hex, sizeof(hex), &which.version), which.detail);
		else
			printf("Serving HEAD: no model yet (%s)\n", clm_error());
		if (canary)
			printf("Canary stage: %.12s serves %s; next: %s (%s)\n",
			       json_string_value(json_object_get(canary, "version")),
			       json_string_value(json_object_get(canary, "branches")),
			       json_string_value(json_object_get(canary, "next")),
			       json_string_value(json_object_get(canary, "reason")));
		printf("Queued updates: %zu\n", queued);
		if (running)
			print_running(s.repo, running);
		print_last(last);
	}
	json_decref(last);
	json_decref(canary);
	clm_store_close(&s);
	return CLM_EXIT_OK;
}
