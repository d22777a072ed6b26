/* Task datasets on disk: one folder per task under .git/clmodel/tasks/ holding task.json and
 * train/valid/test.jsonl, written into a temporary folder and renamed into place at the end. */
#ifndef CLM_DATA_TASKDIR_H
#define CLM_DATA_TASKDIR_H

#include <stdio.h>
#include <jansson.h>
#include "data/dataset.h"
#include "data/mined_example.h"
#include "util/idset.h"

struct clm_task_writer {
	char *id;                         /* task id; owned */
	char *final_dir, *tmp_dir;        /* NULL when streaming; owned */
	FILE *files[CLM_SPLIT_COUNT];     /* open split files in tmp_dir */
	FILE *stream;                     /* streaming target (--stdout); not owned */
	struct clm_idset seen;            /* ids written so far: exact duplicates are dropped */
	size_t by_split[CLM_SPLIT_COUNT];
	json_t *by_kind, *by_lang;        /* {"refine": n, ...}, {"python": n, ...}; owned */
	size_t duplicates, unencodable;   /* dropped examples */
};

/* Start task `task_id`: into a new folder under `tasks_dir`, or, when `stream` is not NULL, as
 * JSON lines on `stream` (tasks_dir is then unused). 0 or a negative code. */
int clm_task_writer_open(struct clm_task_writer *w, const char *tasks_dir, const char *task_id, FILE *stream);

/* Start task `task_id` again from its folder under `tasks_dir`: its examples are copied into
 * the new temporary folder (and count as seen), so finishing replaces the folder with the old
 * and the new examples. *meta receives its task.json (caller decrefs). CLM_ENOTFOUND when the
 * folder or its task.json is missing. */
int clm_task_writer_resume(struct clm_task_writer *w, const char *tasks_dir, const char *task_id, json_t **meta);

/* Add one example (its `task` field is set to the writer's id). Returns 1 when written, 0 when
 * dropped (an exact duplicate, or text that is not valid UTF-8), negative on failure. */
int clm_task_writer_add(struct clm_task_writer *w, struct clm_mined_example *ex);

/* Number of examples written so far. */
size_t clm_task_writer_count(const struct clm_task_writer *w);

/* Finish: add "counts" to `meta` (borrowed), write task.json and move the folder into place,
 * replacing an older folder of the same task. For a stream, adds the counts and flushes. */
int clm_task_writer_finish(struct clm_task_writer *w, json_t *meta);

/* Free the writer; an unfinished temporary folder is removed. */
void clm_task_writer_release(struct clm_task_writer *w);

/* A task id as one file name: bytes outside [A-Za-z0-9._+@-] become %XX. Caller frees. */
char *clm_task_id_escape(const char *id);

/* Load every tasks_dir/<task>/task.json into a JSON array sorted by commit time, then id.
 * A missing tasks_dir gives an empty array. Caller decrefs *out. */
int clm_tasks_load(const char *tasks_dir, json_t **out);

/* Remove the folder of one task (its known files, then the folder); 0 or CLM_EIO. */
int clm_task_dir_remove(const char *dir);

/* Reads split `split` ("train", "valid", "test") of one task into `out`; a missing split leaves
 * it empty. 0 or a negative code. */
typedef int (*clm_task_split_reader)(void *ctx, const char *split, struct clm_dataset *out);

/* The examples a task is scored on: its test split, else its valid split, else, when
 * `allow_train`, its training split (splits are a function of the example id, so a small task
 * may hold nothing out; *on_train says so). At most `max` examples (0: all). */
int clm_task_eval_set(clm_task_split_reader read, void *ctx, int allow_train, size_t max, struct clm_dataset *out,
		      int *on_train);

#endif
