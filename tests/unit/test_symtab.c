/* libcore/util/symtab: string interning and the hash helpers. */
#include "test_helpers.h"
#include "util/symtab.h"

static void equal_strings_share_an_id(void **state)
{
	struct clm_symtab st = CLM_SYMTAB_INIT;
	uint32_t a, b, c, d;
	size_t len;
	(void)state;

	assert_int_equal(clm_symtab_find(&st, "x", 1), UINT32_MAX);
	assert_int_equal(clm_symtab_intern(&st, "foo", 3, &a), 0);
	assert_int_equal(clm_symtab_intern(&st, "bar", 3, &b), 0);
	assert_int_equal(clm_symtab_intern(&st, "foo", 3, &c), 0);
	assert_int_equal(clm_symtab_intern(&st, "a\0b", 3, &d), 0);
	assert_int_equal(a, c);
	assert_true(a != b && d != a && d != b);
	assert_int_equal(clm_symtab_find(&st, "bar", 3), b);
	assert_int_equal(clm_symtab_find(&st, "fo", 2), UINT32_MAX);
	assert_memory_equal(clm_symtab_name(&st, d, &len), "a\0b", 3);
	assert_int_equal(len, 3);
	assert_null(clm_symtab_name(&st, 99, NULL));
	clm_symtab_release(&st);
	assert_int_equal(st.count, 0);
}

/* Ids stay dense and stable while the table grows through many rehashes. */
static void grows_past_many_rehashes(void **state)
{
	struct clm_symtab st = CLM_SYMTAB_INIT;
	char buf[32];
	uint32_t id;
	(void)state;

	for (uint32_t i = 0; i < 20000; i++) {
		int n = snprintf(buf, sizeof(buf), "tok%u", i);
		assert_int_equal(clm_symtab_intern(&st, buf, (size_t)n, &id), 0);
		assert_int_equal(id, i);
	}
	for (uint32_t i = 0; i < 20000; i += 997) {
		int n = snprintf(buf, sizeof(buf), "tok%u", i);
		assert_int_equal(clm_symtab_find(&st, buf, (size_t)n), i);
		assert_string_equal(clm_symtab_name(&st, i, NULL), buf);
	}
	clm_symtab_release(&st);
}

static void hashes_are_stable_and_order_sensitive(void **state)
{
	(void)state;
	/* FNV-1a 64 of "a" is a published constant */
	assert_true(clm_hash_bytes("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(clm_hash_mix(clm_hash_mix(1, 2), 3) != clm_hash_mix(clm_hash_mix(1, 3), 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_strings_share_an_id),
		cmocka_unit_test(grows_past_many_rehashes),
		cmocka_unit_test(hashes_are_stable_and_order_sensitive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
