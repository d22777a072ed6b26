/* git clmodel tasks: list mined tasks, or show one. */
#include "cmd/commands.h"
#include "git/repo.h"
#include "data/taskdir.h"
#include "util/error.h"
#include "util/json.h"

#include <stdio.h>
#include <string.h>

static const char *const usage[] = {
	"git clmodel tasks [list]",
	"git clmodel tasks show <task-id>",
	NULL,
};

static void print_counts(const json_t *obj)
{
	const char *k;
	json_t *v;
	int first = 1;

	json_object_foreach((json_t *)obj, k, v) {
		printf("%s%s %lld", first ? "" : ", ", k, (long long)json_integer_value(v));
		first = 0;
	}
	if (first)
		printf("-");
}

static json_int_t total(const json_t *counts)
{
	return json_integer_value(json_object_get(counts, "train")) +
	       json_integer_value(json_object_get(counts, "valid")) +
	       json_integer_value(json_object_get(counts, "test"));
}

static void list_text(const json_t *tasks)
{
	size_t i;
	json_t *t;

	if (!json_array_size(tasks)) {
		printf("no tasks mined yet; run 'git clmodel mine'\n");
		return;
	}
	json_array_foreach(tasks, i, t) {
		const json_t *c = json_object_get(t, "counts");
		printf("%-48s %.12s %5lld  ", json_string_value(json_object_get(t, "id")),
		       json_string_value(json_object_get(t, "commit")), (long long)total(c));
		print_counts(json_object_get(c, "kind"));
		printf("  [");
		print_counts(json_object_get(c, "lang"));
		printf("]\n");
	}
}

static void show_text(const json_t *t)
{
	const json_t *c = json_object_get(t, "counts"), *w = json_object_get(t, "window");
	size_t i;
	json_t *e;

	printf("task     %s\ncommit   %s\n", json_string_value(json_object_get(t, "id")),
	       json_string_value(json_object_get(t, "commit")));
	printf("window   %lld commits, last %.12s\n", (long long)json_integer_value(json_object_get(w, "commits")),
	       json_string_value(json_object_get(w, "last")));
	printf("events\n");
	json_array_foreach(json_object_get(t, "events"), i, e) {
		printf("  %-8s %s %s: %s -> %s (%s)\n", json_string_value(json_object_get(e, "kind")),
		       json_string_value(json_object_get(e, "ecosystem")), json_string_value(json_object_get(e, "package")),
		       json_string_value(json_object_get(e, "from_spec")), json_string_value(json_object_get(e, "to_spec")),
		       json_string_value(json_object_get(e, "manifest")));
	}
	printf("examples %lld (train %lld, valid %lld, test %lld)\nkinds    ", (long long)total(c),
	       (long long)json_integer_value(json_object_get(c, "train")),
	       (long long)json_integer_value(json_object_get(c, "valid")),
	       (long long)json_integer_value(json_object_get(c, "test")));
	print_counts(json_object_get(c, "kind"));
	printf("\nlanguages ");
	print_counts(json_object_get(c, "lang"));
	printf("\n");
}

static int print_json(const json_t *v)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	if (clm_json_dump_pretty(v, &sb) < 0)
		return clm_die_error();
	fputs(sb.buf, stdout);
	clm_strbuf_release(&sb);
	return CLM_EXIT_OK;
}

int cmd_tasks(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	git_repository *repo;
	json_t *tasks = NULL, *found = NULL, *t;
	int exit_code = 0, npos, show, rc;
	size_t i;

	npos = clm_parse_options(argc, argv, opts, usage, ctx, &exit_code);
	if (npos < 0)
		return exit_code;
	show = npos >= 1 && !strcmp(argv[0], "show");
	if ((npos >= 1 && !show && strcmp(argv[0], "list")) || (show && npos != 2) || (!show && npos > 1))
		return clm_usage_error(usage, opts, "expected 'list' or 'show <task-id>'");
	if (clm_repo_open(&repo) < 0)
		return clm_die_error();
	rc = clm_repo_state_path(repo, "tasks", &dir);
	clm_repo_close(repo);
	if (rc == 0)
		rc = clm_tasks_load(dir.buf, &tasks);
	clm_strbuf_release(&dir);
	if (rc < 0) {
		json_decref(tasks);
		return clm_die_error();
	}
	if (!show) {
		rc = ctx->json ? print_json(tasks) : (list_text(tasks), CLM_EXIT_OK);
		json_decref(tasks);
		return rc;
	}
	json_array_foreach(tasks, i, t)
		if (!strcmp(json_string_value(json_object_get(t, "id")) ? json_string_value(json_object_get(t, "id")) : "",
			    argv[1]))
			found = t;
	if (!found) {
		json_decref(tasks);
		clm_error_set(CLM_ENOTFOUND, "no task '%s'; see 'git clmodel tasks list'", argv[1]);
		return clm_die_error();
	}
	if (ctx->json)
		rc = print_json(found);
	else
		show_text(found), rc = CLM_EXIT_OK;
	json_decref(tasks);
	return rc;
}
