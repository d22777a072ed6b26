/* libcore/cl/key_select: cosine top-k with masks, key gradient, pp-tf assignment. */
#include "test_helpers.h"
#include "cl/key_select.h"
#include "util/error.h"

#include <math.h>

static void cosine_and_topk(void **state)
{
	const float keys[4 * 2] = { 1, 0, 0, 1, -1, 0, 1, 1 };
	const float q[2] = { 2, 0.1f };
	float cos[4];
	size_t idx[3];
	unsigned char allowed[4] = { 0, 1, 1, 1 };
	(void)state;
	assert_int_equal(clm_cosine_matrix(q, 1, keys, 4, 2, cos), 0);
	assert_true(fabsf(cos[0] - 2 / sqrtf(4.01f)) < 1e-6f);
	assert_true(fabsf(cos[2] + 2 / sqrtf(4.01f)) < 1e-6f);
	assert_int_equal(clm_topk_allowed(cos, 4, NULL, 2, idx), 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 3);
	assert_int_equal(clm_topk_allowed(cos, 4, allowed, 2, idx), 2);
	assert_int_equal(idx[0], 3);
	assert_int_equal(idx[1], 1);
	allowed[1] = allowed[2] = 0;
	assert_int_equal(clm_topk_allowed(cos, 4, allowed, 3, idx), 1);
}

static void key_gradient_matches_finite_differences(void **state)
{
	const float q[3] = { 0.3f, -1.2f, 0.7f };
	float k[3] = { 1.1f, 0.4f, -0.5f }, g[3] = { 0 };
	(void)state;
	clm_cosine_grad_key(q, k, 3, 2.0f, g);
	for (int d = 0; d < 3; d++) {
		float save = k[d], plus, minus, c;
		k[d] = save + 1e-3f;
		clm_cosine_matrix(q, 1, k, 1, 3, &c), plus = c;
		k[d] = save - 1e-3f;
		clm_cosine_matrix(q, 1, k, 1, 3, &c), minus = c;
		k[d] = save;
		assert_true(fabsf(2.0f * (plus - minus) / 2e-3f - g[d]) < 2e-3f);
	}
}

static void pptf_assignment_shares_neighbours_only(void **state)
{
	unsigned char a[4 * 20];
	size_t own[4] = { 0 };
	(void)state;
	assert_int_equal(clm_pptf_assign(4, 20, 2, a), 0);
	for (size_t k = 0; k < 20; k++) {
		int users = 0, first = -1, last = -1;
		for (int t = 0; t < 4; t++)
			if (a[t * 20 + k]) {
				users++;
				last = t;
				if (first < 0)
					first = t;
			}
		assert_true(users == 1 || (users == 2 && last == first + 1));
		if (users == 1)
			own[first]++;
	}
	/* 20 keys - 3 pairs x 2 shared = 14 own keys: 4, 4, 3, 3. */
	assert_int_equal(own[0], 4);
	assert_int_equal(own[3], 3);
	for (int t = 0; t + 1 < 4; t++) {
		int common = 0;
		for (size_t k = 0; k < 20; k++)
			common += a[t * 20 + k] && a[(t + 1) * 20 + k];
		assert_int_equal(common, 2);
	}
	assert_int_equal(clm_pptf_assign(4, 8, 2, a), CLM_EINVALID);
}

static void histogram_lists_nonzero(void **state)
{
	const uint64_t c[5] = { 0, 3, 0, 0, 12 };
	char buf[64];
	(void)state;
	clm_histogram_format(c, 5, buf, sizeof(buf));
	assert_string_equal(buf, "1:3 4:12");
	clm_histogram_format(c, 5, buf, 4);
	assert_true(strlen(buf) < 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cosine_and_topk),
		cmocka_unit_test(key_gradient_matches_finite_differences),
		cmocka_unit_test(pptf_assignment_shares_neighbours_only),
		cmocka_unit_test(histogram_lists_nonzero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
