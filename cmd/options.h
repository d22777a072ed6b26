/* Command-line option parsing for the subcommands (git's parse-options, small). */
#ifndef CLM_CMD_OPTIONS_H
#define CLM_CMD_OPTIONS_H

enum clm_opt_type {
	CLM_OPT_END = 0,
	CLM_OPT_FLAG,   /* int: set to 1 (--no-<name> sets 0) */
	CLM_OPT_STRING, /* const char *: takes a value */
	CLM_OPT_INT,    /* long: takes an integer value */
	CLM_OPT_DOUBLE  /* double: takes a number */
};

struct clm_option {
	enum clm_opt_type type;
	char short_name;        /* 0 for none */
	const char *long_name;  /* NULL for none */
	void *value;            /* where the result goes */
	const char *arg_help;   /* "<file>" shown in usage, for options with a value */
	const char *help;       /* one line */
};

/* --name <model>, the model a command works on (the variable stays NULL when not given: the
 * store's "default"). One entry for every command that takes it. */
#define CLM_OPT_MODEL_NAME(var) { CLM_OPT_STRING, 0, "name", &(var), "<model>", "model name (default: default)" }

/* Options every command accepts; their values land in the context. */
struct clm_cmd_ctx {
	int json;  /* --json: machine-readable output on stdout */
	int quiet; /* -q: no progress, no notes */
};

/* Exit codes, as git uses them. */
#define CLM_EXIT_OK 0
#define CLM_EXIT_FAIL 1
#define CLM_EXIT_USAGE 129
#define CLM_EXIT_INTERRUPTED 130 /* the shell's code for a run ended by SIGINT */

/* Parse argv[1..] against `opts` (plus the common -q/--json/-h), leaving the positional arguments
 * in argv[0..n) and returning n. On -h/--help prints usage on stdout and returns -1 with
 * *exit_code 0; on a bad option prints the error and usage on stderr and returns -1 with
 * *exit_code 129. `--` ends options. */
int clm_parse_options(int argc, const char **argv, const struct clm_option *opts,
		      const char *const *usage, struct clm_cmd_ctx *ctx, int *exit_code);

/* Print usage lines and the option table to `fp`. */
void clm_print_usage(void *fp, const char *const *usage, const struct clm_option *opts);

/* Print a usage error ("error: ...", then usage) on stderr; returns 129. */
int clm_usage_error(const char *const *usage, const struct clm_option *opts, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print "git-clmodel: <message>" on stderr for a failed library call and return 1. */
int clm_die_error(void);

#endif
