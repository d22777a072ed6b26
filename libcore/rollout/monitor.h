/* Monitoring served versions from git itself: every diff `suggest` prints is recorded locally
 * (.git/clmodel/suggestions.jsonl: time, model, serving version, kind, file, function, the diff's
 * hash and the lines it adds that the file did not have), and `monitor` finds which of those lines
 * later landed in the work's history: a suggestion is kept (all its lines are in the file at
 * HEAD), partly kept (some), dropped (none, after the window), or pending (none yet, within the
 * window). Acceptance = (kept + partly) / (kept + partly + dropped), with a Wilson 95% interval. */
#ifndef CLM_ROLLOUT_MONITOR_H
#define CLM_ROLLOUT_MONITOR_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "store/store.h"
#include "util/symtab.h"

/* One suggestion as suggest prints it. */
struct clm_suggestion {
	const char *model;      /* NULL: default */
	const git_oid *version; /* the serving version */
	const char *kind;       /* "refine", "complete", ... */
	const char *path;       /* the file, relative to the work tree */
	const char *function;   /* may be NULL */
	const char *diff;       /* what was printed */
	const char *file_text;  /* the file as it was when suggested */
	const char *new_text;   /* the suggested code */
};

/* Append `sg` to the repository's suggestion log; a suggestion that adds no new line is not
 * recorded (nothing could show whether it was kept). 0 or negative. */
int clm_suggestion_record(git_repository *repo, const struct clm_suggestion *sg);

/* What happened to one version's suggestions. */
struct clm_version_uptake {
	char version[GIT_OID_HEXSZ + 1];
	size_t made, kept, partly, dropped, pending;
	double rate, lo, hi; /* acceptance and its interval; NAN when nothing is resolved */
	unsigned kinds;      /* a bit (1u << enum clm_task_kind) for each kind of suggestion seen */
};

struct clm_monitor_result {
	struct clm_version_uptake *versions; /* owned; in the order first seen */
	size_t n, alloc;
	struct clm_symtab index;             /* version hex -> its place in versions */
	size_t records;                      /* suggestions read */
	size_t skipped;                      /* lines of the log refused as malformed */
	char first_skipped[256];             /* the message of the first one ("" when none) */
};

/* Classify every recorded suggestion of `model` (NULL: default) whose kind is in `kinds` (a mask
 * as in clm_version_uptake; 0: every kind) against the files at HEAD, `window_days` after which
 * an unkept one counts as dropped. A line of the log that is not such a record (not JSON, too
 * long, a field missing or of the wrong type, a version that is no object id) is skipped and
 * counted, the first one's message kept. 0, or negative when the log cannot be read. */
int clm_monitor_scan(struct clm_store *s, const char *model, double window_days, unsigned kinds,
		     struct clm_monitor_result *out);

/* The uptake of `version` in `r`, or NULL when it made no suggestion. */
const struct clm_version_uptake *clm_monitor_find(const struct clm_monitor_result *r, const git_oid *version);

/* The last "monitor" line of `model` (NULL: any model) in the note of `version`, a new reference
 * (caller decrefs), or NULL when there is none. */
json_t *clm_monitor_last_note(struct clm_store *s, const char *model, const git_oid *version);

/* Record each version's figures in a "monitor" line of its note (no code, no paths), only when
 * they changed since the last such line. 0 or negative. */
int clm_monitor_note(struct clm_store *s, const char *model, const struct clm_monitor_result *r);

/* Free what the result holds. */
void clm_monitor_result_release(struct clm_monitor_result *r);

/* Wilson score interval at 95% for `k` successes out of `n` (NAN, NAN when n is 0). */
void clm_wilson_interval(size_t k, size_t n, double *lo, double *hi);

#endif
