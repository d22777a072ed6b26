/* libcore/eval/cl_metrics: summary metrics of hand-computed accuracy matrices. */
#include "test_helpers.h"
#include "eval/cl_metrics.h"

#include <math.h>

static void three_tasks_with_base(void **state)
{
	const double r[9] = { 0.5, 0.1, 0.0, 0.3, 0.6, 0.2, 0.2, 0.4, 0.7 };
	const double base[3] = { 0.0, 0.05, 0.1 };
	struct clm_cl_summary s;
	(void)state;
	clm_cl_summarize(r, 3, base, &s);
	assert_true(fabs(s.average - 1.3 / 3) < 1e-12);
	assert_true(fabs(s.forgetting - 0.25) < 1e-12); /* (0.5-0.2 + 0.6-0.4) / 2 */
	assert_true(fabs(s.bwt + 0.25) < 1e-12);        /* (0.2-0.5 + 0.4-0.6) / 2 */
	assert_true(fabs(s.fwt - 0.075) < 1e-12);       /* (0.1-0.05 + 0.2-0.1) / 2 */
	assert_int_equal(s.has_fwt, 1);
}

static void forgetting_uses_best_earlier_score_not_diagonal(void **state)
{
	/* Task 0 improves after task 1 (0.5 -> 0.7) and then drops to 0.4. */
	const double r[9] = { 0.5, 0.0, 0.0, 0.7, 0.6, 0.0, 0.4, 0.6, 0.9 };
	struct clm_cl_summary s;
	(void)state;
	clm_cl_summarize(r, 3, NULL, &s);
	assert_true(fabs(s.forgetting - 0.15) < 1e-12); /* (0.7-0.4 + 0.6-0.6) / 2 */
	assert_true(fabs(s.bwt + 0.05) < 1e-12);        /* (0.4-0.5 + 0) / 2 */
	assert_true(fabs(s.average - 1.9 / 3) < 1e-12);
	assert_int_equal(s.has_fwt, 0);
	assert_true(s.fwt == 0);
}

static void scores_before_learning_a_task_do_not_count_as_forgetting(void **state)
{
	/* Task 1 scored 0.9 before it was learned (R[0][1]), 0.6 after, 0.6 at the end. */
	const double r[9] = { 0.5, 0.9, 0.0, 0.5, 0.6, 0.0, 0.5, 0.6, 0.9 };
	struct clm_cl_summary s;
	(void)state;
	clm_cl_summarize(r, 3, NULL, &s);
	assert_true(s.forgetting == 0);
	assert_true(s.bwt == 0);
}

static void unevaluated_entries_are_skipped(void **state)
{
	/* R[0][2] was not evaluated (only tasks up to i + 1 are). */
	const double r[9] = { 0.5, 0.1, NAN, 0.3, 0.6, 0.2, 0.2, 0.4, 0.7 };
	const double base[3] = { 0.0, 0.05, 0.1 };
	const char *names[3] = { "a", "b", "c" };
	struct clm_cl_summary s;
	json_t *o;
	(void)state;
	clm_cl_summarize(r, 3, base, &s);
	assert_true(fabs(s.forgetting - 0.25) < 1e-12);
	assert_true(fabs(s.fwt - 0.075) < 1e-12);
	o = clm_cl_matrix_json(names, r, 3, base);
	assert_true(json_is_null(json_array_get(json_array_get(json_object_get(o, "R"), 0), 2)));
	json_decref(o);
}

static void single_task_has_no_transfer(void **state)
{
	const double r[1] = { 0.42 };
	struct clm_cl_summary s;
	(void)state;
	clm_cl_summarize(r, 1, r, &s);
	assert_true(s.average == 0.42);
	assert_true(s.forgetting == 0 && s.bwt == 0 && s.fwt == 0);
}

static void matrix_json_has_rows_and_summary(void **state)
{
	const double r[4] = { 1, 0, 0.5, 1 };
	const double base[2] = { 0, 0.25 };
	const char *names[2] = { "a", "b" };
	json_t *o = clm_cl_matrix_json(names, r, 2, base);
	(void)state;
	assert_non_null(o);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "tasks"), 1)), "b");
	assert_true(json_real_value(json_array_get(json_array_get(json_object_get(o, "R"), 1), 0)) == 0.5);
	assert_true(fabs(json_real_value(json_object_get(json_object_get(o, "summary"), "forgetting")) - 0.5) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(json_object_get(o, "summary"), "bwt")) + 0.5) < 1e-12);
	assert_true(fabs(json_real_value(json_object_get(json_object_get(o, "summary"), "fwt")) + 0.25) < 1e-12);
	json_decref(o);
}

/* A task with nothing to score (NaN) is left out of every mean, and the JSON never says NaN or
 * null for a mean: with no task scored the means are absent. */
static void unscored_tasks_are_left_out(void **state)
{
	const double r[9] = { 0.5, NAN, NAN, 0.4, NAN, NAN, 0.2, NAN, 0.8 };
	const double none[1] = { NAN };
	const char *names[3] = { "a", "b", "c" };
	struct clm_cl_summary s;
	json_t *o, *sum;
	(void)state;
	clm_cl_summarize(r, 3, NULL, &s);
	assert_int_equal(s.scored, 2);
	assert_true(fabs(s.average - 0.5) < 1e-12);    /* (0.2 + 0.8) / 2 */
	assert_true(fabs(s.forgetting - 0.3) < 1e-12); /* task a only: 0.5 - 0.2 */
	assert_false(isnan(s.bwt));
	clm_cl_summarize(none, 1, NULL, &s);
	assert_int_equal(s.scored, 0);
	assert_true(isnan(s.average));
	o = clm_cl_matrix_json(names, none, 1, NULL);
	sum = json_object_get(o, "summary");
	assert_true(json_is_object(sum));
	assert_null(json_object_get(sum, "average"));
	assert_int_equal(json_integer_value(json_object_get(sum, "scored")), 0);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(three_tasks_with_base),
		cmocka_unit_test(forgetting_uses_best_earlier_score_not_diagonal),
		cmocka_unit_test(scores_before_learning_a_task_do_not_count_as_forgetting),
		cmocka_unit_test(unevaluated_entries_are_skipped),
		cmocka_unit_test(single_task_has_no_transfer),
		cmocka_unit_test(matrix_json_has_rows_and_summary),
		cmocka_unit_test(unscored_tasks_are_left_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
