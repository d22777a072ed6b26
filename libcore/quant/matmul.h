/* Products with weights that stay in their GGUF encoding (F32, F16, BF16 or quantized blocks):
 * one token's activations (matrix-vector) read each row's blocks directly, decoding in registers
 * (AVX2+FMA+F16C when the processor has them, detected at run time; portable C otherwise);
 * several tokens (matrix-matrix) decode a panel of rows at a time into f32 and multiply it with
 * cblas_sgemm, so the decoding is paid once per panel, not once per token. */
#ifndef CLM_QUANT_MATMUL_H
#define CLM_QUANT_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include "quant/blocks.h"

/* A weight matrix [rows][cols] as GGUF stores it: each row clm_ggml_row_bytes(type, cols) long. */
struct clm_qmat {
	enum clm_ggml_type type;
	int64_t rows, cols;
	const void *data; /* not owned */
	size_t row_bytes;
	int simd;         /* use the AVX2 kernels (set by clm_qmat_init when the CPU has them) */
};

/* Describe `data` as a [rows][cols] matrix of `type`; CLM_EINVALID when rows are not whole
 * blocks or the type is not one we read. */
int clm_qmat_init(struct clm_qmat *w, enum clm_ggml_type type, int64_t rows, int64_t cols, const void *data);

/* 1 when this processor runs the AVX2 kernels. */
int clm_quant_have_simd(void);

/* y[i][r] = sum_c x[i][c] * W[r][c] for i < m (y is [m][rows], x is [m][cols]). Allocates only the
 * panel of a matrix-matrix product, and goes row by row when that fails. */
void clm_qmat_mul(const struct clm_qmat *w, const float *x, int64_t m, float *y);

/* Decode rows [r0, r0 + n) into `out` ([n][cols] f32). */
void clm_qmat_rows(const struct clm_qmat *w, int64_t r0, int64_t n, float *out);

#endif
