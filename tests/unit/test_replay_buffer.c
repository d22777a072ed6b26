/* libcore/cl/replay_buffer: task balance, deterministic nested choice, draws and JSON round trip. */
#include "test_helpers.h"
#include "cl/replay_buffer.h"
#include "util/error.h"

static void make_task(struct clm_dataset *ds, const char *task, int n)
{
	for (int i = 0; i < n; i++) {
		char src[64], id[17];
		snprintf(src, sizeof(src), "%s source %d", task, i);
		clm_example_content_id(task, src, "t", id);
		assert_int_equal(clm_dataset_add(ds, id, task, CLM_KIND_REFINE, "java", src, "t", NULL), 0);
	}
}

static int holds(const struct clm_dataset *ds, const char *id)
{
	for (size_t i = 0; i < ds->n; i++)
		if (!strcmp(ds->items[i].id, id))
			return 1;
	return 0;
}

static void shares_are_equal_and_nested(void **state)
{
	struct clm_dataset a = { 0 }, b = { 0 }, c = { 0 }, first_a = { 0 };
	struct clm_replay_buffer buf;
	(void)state;
	make_task(&a, "a", 50);
	make_task(&b, "b", 7);
	make_task(&c, "c", 40);
	clm_replay_init(&buf, 20);
	assert_int_equal(clm_replay_add_task(&buf, &a), 0);
	assert_int_equal(buf.per_task[0].n, 20);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(clm_dataset_add(&first_a, buf.per_task[0].items[i].id, "a", CLM_KIND_REFINE, "java", "", "", NULL), 0);
	assert_int_equal(clm_replay_add_task(&buf, &b), 0);
	assert_int_equal(buf.per_task[0].n, 10);
	assert_int_equal(buf.per_task[1].n, 7); /* a small task keeps all it has */
	assert_int_equal(clm_replay_add_task(&buf, &c), 0);
	/* 20 = 7 + 7 + 6: the first 20 % 3 tasks get one more. */
	assert_int_equal(buf.per_task[0].n, 7);
	assert_int_equal(buf.per_task[1].n, 7);
	assert_int_equal(buf.per_task[2].n, 6);
	assert_int_equal(clm_replay_size(&buf), 20);
	for (size_t i = 0; i < buf.per_task[0].n; i++) {
		assert_true(holds(&first_a, buf.per_task[0].items[i].id)); /* shrinking keeps a subset */
		assert_string_equal(buf.per_task[0].items[i].task, "a");
	}
	for (size_t i = 0; i < buf.per_task[2].n; i++)
		assert_true(holds(&c, buf.per_task[2].items[i].id));
	clm_replay_release(&buf);
	clm_dataset_release(&a), clm_dataset_release(&b), clm_dataset_release(&c), clm_dataset_release(&first_a);
}

static void choice_is_deterministic(void **state)
{
	struct clm_dataset a = { 0 };
	struct clm_replay_buffer x, y;
	(void)state;
	make_task(&a, "a", 30);
	clm_replay_init(&x, 8);
	clm_replay_init(&y, 8);
	assert_int_equal(clm_replay_add_task(&x, &a), 0);
	assert_int_equal(clm_replay_add_task(&y, &a), 0);
	for (size_t i = 0; i < 8; i++)
		assert_string_equal(x.per_task[0].items[i].id, y.per_task[0].items[i].id);
	clm_replay_release(&x), clm_replay_release(&y), clm_dataset_release(&a);
}

static void draws_are_task_balanced(void **state)
{
	struct clm_dataset a = { 0 }, b = { 0 };
	struct clm_replay_buffer buf;
	struct clm_rng rng;
	size_t count[2] = { 0 }, task;
	(void)state;
	make_task(&a, "a", 100);
	make_task(&b, "b", 3);
	clm_replay_init(&buf, 40);
	assert_int_equal(clm_replay_add_task(&buf, &a), 0);
	assert_int_equal(clm_replay_add_task(&buf, &b), 0);
	clm_rng_seed(&rng, 7);
	for (int i = 0; i < 4000; i++) {
		const struct clm_example *e = clm_replay_draw(&buf, &rng, &task);
		assert_non_null(e);
		assert_string_equal(e->task, task ? "b" : "a");
		count[task]++;
	}
	/* 20 stored of a and 3 of b, but each task is drawn half of the time. */
	assert_true(count[0] > 1800 && count[0] < 2200);
	clm_replay_release(&buf), clm_dataset_release(&a), clm_dataset_release(&b);
}

static void json_round_trip_and_rejects_garbage(void **state)
{
	struct clm_dataset a = { 0 }, b = { 0 };
	struct clm_replay_buffer buf, back;
	json_t *j, *bad;
	(void)state;
	make_task(&a, "a", 5);
	make_task(&b, "b", 5);
	clm_replay_init(&buf, 6);
	clm_replay_init(&back, 0);
	assert_int_equal(clm_replay_add_task(&buf, &a), 0);
	assert_int_equal(clm_replay_add_task(&buf, &b), 0);
	j = clm_replay_to_json(&buf);
	assert_non_null(j);
	assert_int_equal(clm_replay_from_json(&back, j), 0);
	assert_int_equal(back.capacity, 6);
	assert_int_equal(back.ntasks, 2);
	for (size_t t = 0; t < 2; t++) {
		assert_int_equal(back.per_task[t].n, buf.per_task[t].n);
		for (size_t i = 0; i < back.per_task[t].n; i++)
			assert_string_equal(back.per_task[t].items[i].source, buf.per_task[t].items[i].source);
	}
	bad = json_pack("{s:i, s:[i]}", "capacity", 3, "tasks", 1);
	assert_int_equal(clm_replay_from_json(&back, bad), CLM_EINVALID);
	assert_int_equal(back.ntasks, 2); /* unchanged on failure */
	json_decref(bad), json_decref(j);
	clm_replay_release(&buf), clm_replay_release(&back), clm_dataset_release(&a), clm_dataset_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shares_are_equal_and_nested),
		cmocka_unit_test(choice_is_deterministic),
		cmocka_unit_test(draws_are_task_balanced),
		cmocka_unit_test(json_round_trip_and_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
