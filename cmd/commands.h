/* The subcommands: one file each in cmd/, dispatched by main.c. */
#ifndef CLM_CMD_COMMANDS_H
#define CLM_CMD_COMMANDS_H

#include "cmd/options.h"

struct clm_pretrain_opts;
struct clm_pretrain_result;

/* A subcommand's entry point: argv[0] is the command name; returns the process exit code. */
typedef int (*clm_command_fn)(int argc, const char **argv, struct clm_cmd_ctx *ctx);

struct clm_command {
	const char *name;
	clm_command_fn fn;   /* NULL: listed, but not available in this build yet */
	const char *summary; /* one line for `git clmodel help` */
};

/* The command table, ending with a NULL name. */
extern const struct clm_command clm_commands[];

/* Look a command up by name; NULL when unknown. */
const struct clm_command *clm_find_command(const char *name);

/* Run clm_pretrain(o, r) with Ctrl-C caught: the first one checkpoints and stops (CLM_EINTERRUPT,
 * message printed; return CLM_EXIT_INTERRUPTED), a second ends the process. Sets o->stop. */
int clm_cmd_pretrain(struct clm_pretrain_opts *o, struct clm_pretrain_result *r);

int cmd_help(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_hooks(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_update(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_status(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_eval(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_promote(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_suggest(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_generate(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_bench(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_score(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_init(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_log(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_show(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_which(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_pin(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_pins(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_unpin(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_rollback(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_push(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_fetch(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_export(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_gc(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_score(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_mine(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_tasks(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_pretrain(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_import(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_monitor(int argc, const char **argv, struct clm_cmd_ctx *ctx);
int cmd_report(int argc, const char **argv, struct clm_cmd_ctx *ctx);

#endif
