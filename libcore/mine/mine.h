/* Mining history: walk commits (first parent by default), find dependency events, and turn each
 * commit's events plus the commits that follow into a task dataset under .git/clmodel/tasks/. */
#ifndef CLM_MINE_MINE_H
#define CLM_MINE_MINE_H

#include <stdio.h>
#include <git2.h>
#include <jansson.h>

#define CLM_MINE_DEFAULT_WINDOW 20
#define CLM_MINE_DEFAULT_MAX_TOKENS 1024
#define CLM_MINE_MAX_THREADS 8
#define CLM_MINE_AUTO_THREADS 4

struct clm_mine_options {
	const char *range;   /* "A..B", "B" or NULL for HEAD */
	int all_parents;     /* walk every parent instead of the first-parent chain */
	unsigned window;     /* commits after the bump that belong to its task */
	size_t max_tokens;   /* functions longer than this (approximate tokens) are skipped */
	int rescan;          /* forget what earlier runs mined */
	FILE *stream;        /* non-NULL: examples go here as JSON lines; no folders, no state */
	int quiet;           /* no progress or notes */
	unsigned threads;    /* threads that extract examples; 0: one per processor, at most 4 */
	/* Called after each task is complete with its task.json object (borrowed); may be NULL. */
	int (*on_task)(void *ctx, const json_t *task);
	void *ctx;
};

struct clm_mine_stats {
	size_t commits;          /* commits walked */
	size_t events, tasks, examples;
	size_t files;            /* source files mined */
	size_t skipped_files;    /* vendored, generated, binary or over 1 MB */
	size_t skipped_functions; /* over the token cap */
	size_t missing_objects;  /* warned about and skipped */
	int shallow;             /* the walk stopped at a shallow-clone boundary */
};

/* Set the defaults (window 20, max_tokens 1024, HEAD). */
void clm_mine_options_init(struct clm_mine_options *o);

/* Mine `repo` as `o` says and fill `st`. Missing objects and unreadable files are noted and
 * skipped; only a bad range, an unusable repository or a write failure stops the run. */
int clm_mine(git_repository *repo, const struct clm_mine_options *o, struct clm_mine_stats *st);

#endif
