/* Continual-learning metrics from the accuracy matrix R: R[i][j] is the score on task j after
 * learning tasks 0..i (row-major, n x n). Entries that were not evaluated are NaN: they are
 * skipped where a maximum is taken; the last row, the diagonal and R[j-1][j] (for forward
 * transfer) should be present; a task whose entry is NaN there (nothing to score) is left out of
 * the means, and `scored` says how many tasks the average covers. */
#ifndef CLM_EVAL_CL_METRICS_H
#define CLM_EVAL_CL_METRICS_H

#include <stddef.h>
#include <jansson.h>

struct clm_cl_summary {
	double average;    /* mean of the last row: final score averaged over the scored tasks; NaN when
			    * none is scored */
	size_t scored;     /* tasks with a number in the last row */
	double forgetting; /* mean over tasks j < n-1 of max_{j <= l < n-1} R[l][j] - R[n-1][j] (best score
			    since the task was learned minus final); 0 when n < 2 */
	double bwt;        /* backward transfer: mean over j < n-1 of R[n-1][j] - R[j][j]; 0 when n < 2 */
	double fwt;        /* forward transfer: mean over j >= 1 of R[j-1][j] - base[j]; 0 without base */
	int has_fwt;       /* fwt was computed (a base-model score vector was given and n >= 2) */
};

/* Summarize an n x n matrix `r` (row-major); `base` (n scores of the model before any task) may
 * be NULL. */
void clm_cl_summarize(const double *r, size_t n, const double *base, struct clm_cl_summary *out);

/* {"tasks":[...], "R":[[...]], "base":[...]|absent,
 *  "summary":{"average":..,"forgetting":..,"bwt":..,"fwt":..|absent,"scored":k}} (eval/matrix.json;
 *  a mean over no task is absent, never NaN or null)
 * as a new object (caller decrefs); `names` holds n task names. NULL on allocation failure. */
json_t *clm_cl_matrix_json(const char *const *names, const double *r, size_t n, const double *base);

#endif
