/* git clmodel mine: find dependency events in history and build task datasets. */
#include "cmd/commands.h"
#include "mine/mine.h"
#include "git/repo.h"
#include "update/update.h"
#include "util/error.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = {
	"git clmodel mine [--window <n>] [--all-parents] [--rescan] [--stdout] [--threads <n>] [<rev-range>]",
	NULL,
};

struct report {
	int json; /* JSON lines: one per event (with its task id), one per task, then the summary */
};

/* Print `o` as one compact JSON line and release it. */
static int print_line(json_t *o)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = o ? clm_json_dump(o, &sb) : clm_error_oom();

	if (rc == 0)
		printf("%s\n", sb.buf);
	clm_strbuf_release(&sb);
	json_decref(o);
	return rc;
}

static int print_kinds(const json_t *kinds)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach((json_t *)kinds, k, v) {
		printf("%s%s %lld", first ? "" : ", ", k, (long long)json_integer_value(v));
		first = 0;
	}
	return 0;
}

static int on_task(void *ctx, const json_t *task)
{
	struct report *r = ctx;
	const json_t *counts = json_object_get(task, "counts");
	const char *id = json_string_value(json_object_get(task, "id"));
	size_t i;
	json_t *ev;

	if (!r->json) {
		json_int_t n = json_integer_value(json_object_get(counts, "train")) +
			       json_integer_value(json_object_get(counts, "valid")) +
			       json_integer_value(json_object_get(counts, "test"));
		printf("%-48s %.12s %4lld examples", id, json_string_value(json_object_get(task, "commit")),
		       (long long)n);
		if (n) {
			printf(" (");
			print_kinds(json_object_get(counts, "kind"));
			printf(")");
		}
		printf("\n");
		return 0;
	}
	json_array_foreach(json_object_get(task, "events"), i, ev) {
		json_t *copy = json_copy(ev);
		int rc;
		if (copy && json_object_set_new(copy, "task", json_string(id)) < 0) {
			json_decref(copy);
			copy = NULL;
		}
		if ((rc = print_line(copy)) < 0)
			return rc;
	}
	return print_line(json_pack("{s:s,s:O}", "id", id, "counts", counts));
}

int cmd_mine(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	struct clm_mine_options o;
	struct clm_mine_stats st;
	struct report r = { 0 };
	long window = CLM_MINE_DEFAULT_WINDOW, max_tokens = -1, threads = -1;
	int all_parents = 0, rescan = 0, to_stdout = 0, exit_code = 0, rc, npos;
	git_repository *repo;
	const struct clm_option opts[] = {
		{ CLM_OPT_INT, 0, "window", &window, "<n>", "commits after a bump that belong to its task (20)" },
		{ CLM_OPT_FLAG, 0, "all-parents", &all_parents, NULL, "walk every parent, not only first parents" },
		{ CLM_OPT_INT, 0, "max-tokens", &max_tokens, "<n>", "skip functions longer than this (default: the model's context, 1024 without a model)" },
		{ CLM_OPT_FLAG, 0, "rescan", &rescan, NULL, "mine again from the start, ignoring earlier runs" },
		{ CLM_OPT_FLAG, 0, "stdout", &to_stdout, NULL, "print examples as JSON lines, write no tasks" },
		{ CLM_OPT_INT, 0, "threads", &threads, "<n>", "threads that extract examples (one per processor, at most 4)" },
		{ CLM_OPT_END, 0, NULL, NULL, NULL, NULL },
	};

	npos = clm_parse_options(argc, argv, opts, usage, ctx, &exit_code);
	if (npos < 0)
		return exit_code;
	if (npos > 1)
		return clm_usage_error(usage, opts, "at most one revision range");
	if (window < 0 || window > 1000000 || (max_tokens < 1 && max_tokens != -1))
		return clm_usage_error(usage, opts, "--window must be 0 or more, --max-tokens 1 or more");
	if (threads != -1 && (threads < 1 || threads > CLM_MINE_MAX_THREADS))
		return clm_usage_error(usage, opts, "--threads must be between 1 and 8");
	r.json = ctx->json;
	clm_mine_options_init(&o);
	o.range = npos ? argv[0] : NULL;
	o.all_parents = all_parents;
	o.window = (unsigned)window;
	o.max_tokens = max_tokens > 0 ? (size_t)max_tokens : CLM_MINE_DEFAULT_MAX_TOKENS;
	if (max_tokens == -1) {
		/* the model's context: longer functions could not be learned */
		struct clm_store s;
		size_t context = 0;
		if (clm_store_open(&s, NULL) < 0)
			return clm_die_error();
		rc = clm_update_mine_cap(&s, NULL, &context);
		clm_store_close(&s);
		if (rc < 0)
			return clm_die_error();
		if (context)
			o.max_tokens = context;
	}
	o.rescan = rescan;
	o.stream = to_stdout ? stdout : NULL;
	o.quiet = ctx->quiet;
	o.threads = threads == -1 ? 0 : (unsigned)threads; /* 0: one per processor */
	o.on_task = to_stdout ? NULL : on_task;
	o.ctx = &r;
	if (clm_repo_open(&repo) < 0)
		return clm_die_error();
	rc = clm_mine(repo, &o, &st);
	clm_repo_close(repo);
	if (rc < 0)
		return clm_die_error();
	if (to_stdout) {
		if (!ctx->quiet)
			fprintf(stderr, "mined %zu commits: %zu events, %zu tasks, %zu examples\n", st.commits, st.events,
				st.tasks, st.examples);
	} else if (r.json) {
		if (print_line(json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "commits", (json_int_t)st.commits,
					 "events", (json_int_t)st.events, "tasks", (json_int_t)st.tasks, "examples",
					 (json_int_t)st.examples, "skipped_files", (json_int_t)st.skipped_files,
					 "skipped_functions", (json_int_t)st.skipped_functions, "max_tokens",
					 (json_int_t)o.max_tokens, "missing_objects", (json_int_t)st.missing_objects,
					 "shallow", st.shallow)) < 0)
			return clm_die_error();
	} else {
		printf("mined %zu commits: %zu events, %zu tasks, %zu examples", st.commits, st.events, st.tasks,
		       st.examples);
		if (st.skipped_files || st.missing_objects)
			printf(" (%zu files skipped, %zu missing objects)", st.skipped_files, st.missing_objects);
		if (st.skipped_functions)
			printf("; %zu functions over %zu tokens skipped", st.skipped_functions, o.max_tokens);
		printf("\n");
	}
	return CLM_EXIT_OK;
}
