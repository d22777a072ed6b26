#include "eval/cl_metrics.h"

#include <math.h>
#include <string.h>

void clm_cl_summarize(const double *r, size_t n, const double *base, struct clm_cl_summary *out)
{
	const double *last = r + (n ? n - 1 : 0) * n;
	size_t earlier = 0, transfers = 0;

	memset(out, 0, sizeof(*out));
	for (size_t j = 0; j < n; j++)
		if (!isnan(last[j])) {
			out->average += last[j];
			out->scored++;
		}
	out->average = out->scored ? out->average / (double)out->scored : NAN;
	for (size_t j = 0; j + 1 < n; j++) {
		double best = r[j * n + j];
		if (isnan(best) || isnan(last[j]))
			continue;
		for (size_t l = j + 1; l + 1 < n; l++)
			if (!isnan(r[l * n + j]) && r[l * n + j] > best)
				best = r[l * n + j];
		out->forgetting += best - last[j];
		out->bwt += last[j] - r[j * n + j];
		earlier++;
	}
	if (earlier) {
		out->forgetting /= (double)earlier;
		out->bwt /= (double)earlier;
	}
	if (base && n >= 2) {
		for (size_t j = 1; j < n; j++)
			if (!isnan(r[(j - 1) * n + j]) && !isnan(base[j])) {
				out->fwt += r[(j - 1) * n + j] - base[j];
				transfers++;
			}
		out->fwt = transfers ? out->fwt / (double)transfers : 0;
		out->has_fwt = 1;
	}
}

/* JSON has no NaN: a value that was not measured is null. */
static json_t *number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *row_json(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t j = 0; a && j < n; j++)
		if (json_array_append_new(a, number_or_null(v[j])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *clm_cl_matrix_json(const char *const *names, const double *r, size_t n, const double *base)
{
	struct clm_cl_summary s;
	json_t *o = json_object(), *tasks = json_array(), *rows = json_array(), *sum = json_object();
	int bad = !o || !tasks || !rows || !sum;

	clm_cl_summarize(r, n, base, &s);
	for (size_t i = 0; !bad && i < n; i++) {
		bad |= json_array_append_new(tasks, json_string(names[i])) < 0;
		bad |= json_array_append_new(rows, row_json(r + i * n, n)) < 0;
	}
	if (!bad) {
		if (s.scored) {
			bad |= json_object_set_new(sum, "average", json_real(s.average)) < 0;
			bad |= json_object_set_new(sum, "forgetting", json_real(s.forgetting)) < 0;
			bad |= json_object_set_new(sum, "bwt", json_real(s.bwt)) < 0;
		}
		bad |= json_object_set_new(sum, "scored", json_integer((json_int_t)s.scored)) < 0;
		if (base) {
			bad |= json_object_set_new(o, "base", row_json(base, n)) < 0;
			if (s.scored)
				bad |= json_object_set_new(sum, "fwt", json_real(s.fwt)) < 0;
		}
		bad |= json_object_set(o, "tasks", tasks) < 0;
		bad |= json_object_set(o, "R", rows) < 0;
		bad |= json_object_set(o, "summary", sum) < 0;
	}
	json_decref(tasks);
	json_decref(rows);
	json_decref(sum);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}
