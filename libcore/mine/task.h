/* The task being mined: one commit's dependency events, its dataset writer and the window of
 * commits after it; opened at an event, resumed from an earlier run, finished into its folder. */
#ifndef CLM_MINE_TASK_H
#define CLM_MINE_TASK_H

#include <stdio.h>
#include <git2.h>
#include <jansson.h>
#include "data/taskdir.h"
#include "mine/code_examples.h"
#include "mine/events.h"
#include "mine/state.h"

struct clm_mine_task {
	int active;
	struct clm_task_writer writer;
	struct clm_task_dep *deps;      /* strings borrowed from meta's events; owned array */
	size_t ndeps;
	json_t *meta;                   /* task.json being built; owned */
	unsigned window_left, window_commits;
	char last_commit[GIT_OID_HEXSZ + 1];
};

/* What every task of one run shares; all borrowed. */
struct clm_mine_task_ctx {
	const char *tasks_dir;
	FILE *stream;                   /* examples as JSON lines instead of folders */
	int rescan;                     /* task folders of earlier runs do not own their ids */
	unsigned window;
	json_t *ids;                    /* task id -> commit for the tasks of this run */
};

/* Open the task of `commit`'s events, named by clm_events_task_id (with @<commit> when another
 * commit owns that name). 0 or a negative code. */
int clm_mine_task_open(struct clm_mine_task *t, const struct clm_mine_task_ctx *c, git_commit *commit,
		       const struct clm_dep_event_list *events);

/* Continue the task an earlier run left open when `tip` extends its window: 1 when resumed, 0
 * when there is nothing to resume, negative on failure. */
int clm_mine_task_resume(struct clm_mine_task *t, const struct clm_mine_task_ctx *c, git_repository *repo,
			 const struct clm_mine_state *state, const git_oid *tip);

/* Record the window in the task's meta and write its folder (or flush the stream). */
int clm_mine_task_finish(struct clm_mine_task *t, const struct clm_mine_task_ctx *c);

/* Free the task and leave it inactive. */
void clm_mine_task_release(struct clm_mine_task *t);

#endif
