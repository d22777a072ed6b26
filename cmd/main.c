/* git-clmodel: dispatch `git clmodel <command>` to cmd/<command>.c. */
#include "cmd/commands.h"
#include "cmd/term_out.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CLM_VERSION
#define CLM_VERSION "0.1.0"
#endif

const struct clm_command clm_commands[] = {
	{ "init", cmd_init, "create the model for this repository from a base model" },
	{ "mine", cmd_mine, "find dependency changes and build task datasets from history" },
	{ "tasks", cmd_tasks, "list mined tasks with counts per kind and language" },
	{ "pretrain", cmd_pretrain, "train a base model (tokenizer and transformer) from source code" },
	{ "update", cmd_update, "train new model versions on the tasks mined since the last update" },
	{ "eval", cmd_eval, "score a model version on every task it knows" },
	{ "suggest", cmd_suggest, "rewrite or complete code with the model that serves HEAD" },
	{ "generate", cmd_generate, "try a model (Hugging Face directory, GGUF file or version) on a prompt" },
	{ "score", cmd_score, "score predictions against references (BLEU, EM, CodeBLEU)" },
	{ "bench", cmd_bench, "run the CodeTask continual-learning benchmark" },
	{ "log", cmd_log, "list the versions of a model" },
	{ "show", cmd_show, "show a model version: config, tasks, accuracy matrix, sizes" },
	{ "which", cmd_which, "say which model version serves a commit, and why" },
	{ "pin", cmd_pin, "pin a model version to a release tag" },
	{ "pins", cmd_pins, "list pinned versions" },
	{ "unpin", cmd_unpin, "remove a pin" },
	{ "rollback", cmd_rollback, "move the model head back to an earlier version" },
	{ "promote", cmd_promote, "make a candidate version that failed the gate the model head" },
	{ "push", cmd_push, "push model versions and notes to a remote" },
	{ "fetch", cmd_fetch, "fetch model versions and notes from a remote, merging notes" },
	{ "export", cmd_export, "write a version as a Hugging Face directory, safetensors or GGUF" },
	{ "import", cmd_import, "import a GGUF or Hugging Face GPT-2 model as a new version" },
	{ "gc", cmd_gc, "list or prune model versions that nothing needs" },
	{ "hooks", cmd_hooks, "install or remove the git hooks that queue updates" },
	{ "status", cmd_status, "show the serving version, queued jobs and the last result" },
	{ "monitor", cmd_monitor, "report which suggestions were kept per version; promote or roll back the canary" },
	{ "report", cmd_report, "write the model's history as an HTML page: matrix, scores, tasks, examples" },
	{ "help", cmd_help, "show help for git-clmodel or one command" },
	{ NULL, NULL, NULL },
};

const struct clm_command *clm_find_command(const char *name)
{
	for (const struct clm_command *c = clm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static const char *const main_usage[] = {
	"git clmodel [-C <path>] [--json] [-q] <command> [<args>]",
	"git clmodel --version",
	"git clmodel help [<command>]",
	NULL,
};

static void list_commands(FILE *fp)
{
	fprintf(fp, "usage: %s\n\nCommands:\n", main_usage[0]);
	for (const struct clm_command *c = clm_commands; c->name; c++)
		fprintf(fp, "   %-10s %s%s\n", c->name, c->summary, c->fn ? "" : " (not available yet)");
	fprintf(fp, "\nSee 'git clmodel help <command>' for one command, 'man git-clmodel' for formats.\n");
}

/* Damerau-free Levenshtein distance, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

static int unknown_command(const char *name)
{
	const struct clm_command *best = NULL;
	size_t best_d = (size_t)-1;

	for (const struct clm_command *c = clm_commands; c->name; c++) {
		size_t d = edit_distance(name, c->name);
		if (!strncmp(c->name, name, strlen(name)) && strlen(name) >= 2)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	fprintf(stderr, "git-clmodel: '%s' is not a clmodel command. See 'git clmodel -h'.\n", name);
	if (best && best_d <= 2)
		fprintf(stderr, "\nThe most similar command is\n\t%s\n", best->name);
	return CLM_EXIT_USAGE;
}

static int run_command(const struct clm_command *c, int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	if (!c->fn) {
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				printf("usage: git clmodel %s ...\n\n%s.\n\n'git clmodel %s' is not available in this "
				       "build yet.\n", c->name, c->summary, c->name);
				return CLM_EXIT_OK;
			}
		fprintf(stderr, "git-clmodel: '%s' is not available in this build yet\n", c->name);
		return CLM_EXIT_FAIL;
	}
	return c->fn(argc, argv, ctx);
}

int cmd_help(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	const struct clm_command *c;
	const char *sub_argv[] = { NULL, "--help", NULL };

	if (argc < 2) {
		list_commands(stdout);
		return CLM_EXIT_OK;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		printf("usage: git clmodel help [<command>]\n");
		return CLM_EXIT_OK;
	}
	if (argc > 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: git clmodel help [<command>]\n");
		return CLM_EXIT_USAGE;
	}
	c = clm_find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	sub_argv[0] = c->name;
	return run_command(c, 2, sub_argv, ctx);
}

int main(int argc, const char **argv)
{
	struct clm_cmd_ctx ctx = { 0, 0 };
	const struct clm_command *c;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-C")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "error: -C requires a path\n");
				return CLM_EXIT_USAGE;
			}
			if (chdir(argv[++i]) < 0) {
				fprintf(stderr, "git-clmodel: cannot change to '%s': %m\n", argv[i]);
				return CLM_EXIT_FAIL;
			}
		} else if (!strcmp(a, "--json")) {
			ctx.json = 1;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx.quiet = 1;
		} else if (!strcmp(a, "--version")) {
			printf("git-clmodel version %s\n", CLM_VERSION);
			return CLM_EXIT_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			list_commands(stdout);
			return CLM_EXIT_OK;
		} else {
			fprintf(stderr, "error: unknown option '%s'\n", a);
			list_commands(stderr);
			return CLM_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		list_commands(stderr);
		return CLM_EXIT_USAGE;
	}
	c = clm_find_command(argv[i]);
	if (!c)
		return unknown_command(argv[i]);
	/* suggest's output is code: escaped on a terminal, refused with control characters on a pipe */
	if (strcmp(c->name, "suggest") || isatty(STDOUT_FILENO))
		clm_term_out_escape();
	return run_command(c, argc - i, argv + i, &ctx);
}
