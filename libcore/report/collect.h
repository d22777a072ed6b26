/* What `git clmodel report` shows, gathered from the store as one JSON document (also printed by
 * `report --json`, so other tools read the same data the page draws):
 *   model, head            the model's name and head version
 *   versions[]             oldest first: version, time, summary, task, strategy, average,
 *                          forgetting, bwt (null when not recorded), marks[] (pins and tags that
 *                          this version serves: {"kind":"pin"|"tag","name":...}), head,
 *                          monitor (the last "monitor" note line: suggestions kept in use)
 *   candidates[]           versions kept aside by the gate: ref, version, parent, task, average,
 *                          forgetting, reason
 *   matrix                 the head's eval/matrix.json (tasks, R, summary) or null
 *   tasks[]                per learned task: id, package, range, kinds, langs, counts
 *                          (train/valid/test), commits[] (short ids), examples[] (kind, lang,
 *                          source, target, prediction of the head)
 *   selection              prompt-pool strategies: keys, tasks[], train[][], infer[][] counts
 *   bench                  a `bench codetask --json` result when one was given */
#ifndef CLM_REPORT_COLLECT_H
#define CLM_REPORT_COLLECT_H

#include <jansson.h>
#include "store/store.h"
#include "util/progress.h"

struct clm_report_options {
	const char *model;      /* NULL: "default" */
	size_t examples;        /* before/after pairs per task, each with the head's prediction (0: none) */
	size_t max_tags;        /* newest tags looked up for the release marks (0: none) */
	const char *bench_path; /* a bench codetask JSON file to include, or NULL */
};

/* Defaults: three examples per task, the 50 newest tags. */
void clm_report_options_init(struct clm_report_options *o);

/* Gather the report of `o->model` into a new JSON object in *out (caller decrefs). Runs the head
 * model on the examples (progress on `p`). 0 or negative with a message. */
int clm_report_collect(struct clm_store *s, const struct clm_report_options *o, struct clm_progress *p, json_t **out);

#endif
