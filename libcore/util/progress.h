/* Progress and log output: the only way library code talks to the user. A bar is drawn on
 * stderr only when stderr is a terminal; nothing at all under quiet. */
#ifndef CLM_UTIL_PROGRESS_H
#define CLM_UTIL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct clm_progress {
	const char *title; /* shown before the bar; not owned */
	const char *unit;  /* what `done` counts ("commits"), printed after it; NULL: nothing */
	uint64_t total;    /* 0 when unknown */
	uint64_t done;
	int quiet;         /* no output at all */
	int tty;           /* stderr is a terminal: draw the bar */
	double start;      /* monotonic seconds at begin */
	double last_draw;  /* throttles redraws */
	char detail[128];  /* extra text after the bar (loss, tokens/s) */
	FILE *out;         /* stderr unless a test sets another stream */
};

/* Monotonic clock in seconds. */
double clm_now(void);

/* Start a progress display for `total` units (0 = unknown). */
void clm_progress_begin(struct clm_progress *p, const char *title, uint64_t total, int quiet);

/* Set the units done and an optional detail (printf format, may be NULL); redraws at most 10/s. */
void clm_progress_update(struct clm_progress *p, uint64_t done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Finish: draw the final state and end the line (a TTY) or print one summary line (not a TTY). */
void clm_progress_end(struct clm_progress *p);

/* Print one informational line on stderr unless quiet (clears a bar in progress first). */
void clm_progress_note(struct clm_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
