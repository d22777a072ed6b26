/* libcore/nn/tensors: named tensor lists and dtype conversion. */
#include "test_helpers.h"
#include "nn/tensors.h"
#include "util/error.h"

static void add_checks_shape_against_bytes(void **state)
{
	struct clm_tensor_list l = { 0 };
	int64_t shape[2] = { 2, 3 };
	float data[6] = { 1, 2, 3, 4, 5, 6 };
	(void)state;
	assert_int_equal(clm_tensor_list_add(&l, "w", CLM_DTYPE_F32, 2, shape, data, sizeof(data)), 0);
	assert_int_equal(clm_tensor_list_add(&l, "bad", CLM_DTYPE_F32, 2, shape, data, 20), CLM_EINVALID);
	assert_non_null(clm_tensor_list_find(&l, "w"));
	assert_null(clm_tensor_list_find(&l, "bad"));
	clm_tensor_list_release(&l);
}

static void half_and_bfloat_convert(void **state)
{
	struct clm_tensor_list l = { 0 };
	/* 1.0, -2.0, 65504 (max half), smallest subnormal, +inf in f16 */
	uint16_t h[5] = { 0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00 };
	uint16_t b[2] = { 0x3f80, 0xc040 }; /* 1.0, -3.0 in bf16 */
	int64_t n5 = 5, n2 = 2;
	float *f;
	(void)state;
	assert_int_equal(clm_tensor_list_add(&l, "h", CLM_DTYPE_F16, 1, &n5, h, sizeof(h)), 0);
	assert_int_equal(clm_tensor_list_add(&l, "b", CLM_DTYPE_BF16, 1, &n2, b, sizeof(b)), 0);
	assert_int_equal(clm_tensor_to_f32(&l.items[0], &f), 0);
	assert_true(f[0] == 1.0f && f[1] == -2.0f && f[2] == 65504.0f);
	assert_true(f[3] > 5.9e-8f && f[3] < 6.0e-8f);
	assert_true(f[4] > 3e38f);
	free(f);
	assert_int_equal(clm_tensor_to_f32(&l.items[1], &f), 0);
	assert_true(f[0] == 1.0f && f[1] == -3.0f);
	free(f);
	clm_tensor_list_release(&l);
}

static void numel_detects_overflow(void **state)
{
	int64_t big[3] = { INT64_MAX / 2, 4, 1 }, neg[1] = { -1 };
	(void)state;
	assert_true(clm_shape_numel(3, big) < 0);
	assert_true(clm_shape_numel(1, neg) < 0);
	assert_int_equal(clm_shape_numel(0, NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_checks_shape_against_bytes),
		cmocka_unit_test(half_and_bfloat_convert),
		cmocka_unit_test(numel_detects_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
