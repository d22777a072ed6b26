/* libcore/quant/matmul: products with weights kept in every encoding we read, through the AVX2
 * kernels (when this processor has them) and the portable path, for one token (matrix-vector) and
 * several (panel decoding + sgemm), each against decode-everything-then-sgemm; the panels'
 * decoding against clm_ggml_dequantize. */
#include "test_helpers.h"
#include <cblas.h>
#include <math.h>
#include "quant/matmul.h"
#include "util/error.h"

static void fill(float *x, size_t n, uint32_t seed, float scale)
{
	uint32_t s = seed * 2654435761u + 7;
	for (size_t i = 0; i < n; i++) {
		s = s * 1664525u + 1013904223u;
		x[i] = scale * ((float)(s >> 8) / 16777216.0f - 0.5f);
	}
}

/* W [rows][cols] encoded as `t`, x [m][cols]: clm_qmat_mul against the decoded matrix times x by
 * sgemm, elementwise within 1e-5 of the sum of |w||x| (the size of the rounding that reordering
 * the sum may change). */
static void check(enum clm_ggml_type t, int64_t rows, int64_t cols, int64_t m, int simd)
{
	size_t bytes;
	float *w = malloc((size_t)(rows * cols) * sizeof(float)), *wd = malloc((size_t)(rows * cols) * sizeof(float));
	float *x = malloc((size_t)(m * cols) * sizeof(float)), *y = malloc((size_t)(m * rows) * sizeof(float));
	float *ref = malloc((size_t)(m * rows) * sizeof(float));
	uint8_t *q;
	struct clm_qmat qm;

	assert_true(w && wd && x && y && ref);
	fill(w, (size_t)(rows * cols), (uint32_t)(t + 1), 0.2f);
	fill(x, (size_t)(m * cols), 99, 2.0f);
	assert_int_equal(clm_ggml_row_bytes(t, (uint64_t)cols, &bytes), 0);
	q = malloc(bytes * (size_t)rows);
	assert_non_null(q);
	clm_ggml_quantize(t, w, q, (size_t)(rows * cols));
	clm_ggml_dequantize(t, q, wd, (size_t)(rows * cols));
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)rows, (int)cols, 1.0f, x, (int)cols, wd,
		    (int)cols, 0.0f, ref, (int)rows);
	assert_int_equal(clm_qmat_init(&qm, t, rows, cols, q), 0);
	qm.simd = simd;
	clm_qmat_mul(&qm, x, m, y);
	clm_qmat_rows(&qm, 0, rows, w); /* the panels' decoding, as clm_ggml_dequantize decodes */
	for (int64_t i = 0; i < rows * cols; i++)
		if (fabsf(w[i] - wd[i]) > 1e-6f * fabsf(wd[i]) + 1e-12f)
			fail_msg("%s %s: value %lld decodes to %.9g, not %.9g", clm_ggml_type_name(t),
				 simd ? "avx2" : "portable", (long long)i, w[i], wd[i]);
	for (int64_t i = 0; i < m; i++) {
		for (int64_t r = 0; r < rows; r++) {
			float mag = 0;
			for (int64_t c = 0; c < cols; c++)
				mag += fabsf(wd[r * cols + c] * x[i * cols + c]);
			if (fabsf(y[i * rows + r] - ref[i * rows + r]) > 1e-5f * mag + 1e-30f)
				fail_msg("%s %s m=%lld: y[%lld][%lld] = %.7g, decoded sgemm %.7g", clm_ggml_type_name(t),
					 simd ? "avx2" : "portable", (long long)m, (long long)i, (long long)r,
					 y[i * rows + r], ref[i * rows + r]);
		}
	}
	free(w);
	free(wd);
	free(x);
	free(y);
	free(ref);
	free(q);
}

static const enum clm_ggml_type types[] = { CLM_GGML_F32, CLM_GGML_F16, CLM_GGML_BF16, CLM_GGML_Q8_0,
					    CLM_GGML_Q4_0, CLM_GGML_Q5_0, CLM_GGML_Q4_K, CLM_GGML_Q5_K, CLM_GGML_Q6_K };

static void each_type(int simd)
{
	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		check(types[k], 37, 512, 1, simd);  /* one token */
		check(types[k], 37, 512, 2, simd);
		check(types[k], 300, 768, 5, simd); /* panels, the last one partial */
		check(types[k], 3, 2304, 1, simd);  /* more than 64 sums of 32 */
	}
}

static void portable_matches_decoded_sgemm(void **state)
{
	(void)state;
	each_type(0);
}

static void simd_matches_decoded_sgemm(void **state)
{
	(void)state;
	if (!clm_quant_have_simd()) {
		print_message("# this processor lacks AVX2/FMA/F16C: only the portable path is checked\n");
		return;
	}
	each_type(1);
}

static void init_refuses_partial_blocks(void **state)
{
	struct clm_qmat qm;
	uint8_t b[1] = { 0 };
	(void)state;
	assert_int_equal(clm_qmat_init(&qm, CLM_GGML_Q4_K, 4, 100, b), CLM_EINVALID);
	assert_int_equal(clm_qmat_init(&qm, 3, 4, 64, b), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "Q4_1"));
	assert_int_equal(clm_qmat_init(&qm, CLM_GGML_Q8_0, 4, 64, b), 0);
	assert_int_equal(qm.row_bytes, 68);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(portable_matches_decoded_sgemm),
		cmocka_unit_test(simd_matches_decoded_sgemm),
		cmocka_unit_test(init_refuses_partial_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
