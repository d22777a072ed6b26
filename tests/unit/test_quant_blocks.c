/* libcore/quant/blocks: each ggml block type decoded from hand-built bytes whose values are
 * worked out here from the layout (not from our decoder), the half/bfloat16 conversions, our
 * quantizers' round trips, and types we do not read refused by name. */
#include "test_helpers.h"
#include <math.h>
#include "quant/blocks.h"
#include "util/error.h"

static void put_half(uint8_t *p, uint16_t h)
{
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

static void assert_values(const float *got, const float *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i])
			fail_msg("value %zu: got %.9g, want %.9g", i, got[i], want[i]);
	}
}

static void half_and_bfloat16(void **state)
{
	float tiny = ldexpf(1, -24);
	(void)state;
	assert_true(clm_half_to_float(0x3c00) == 1.0f && clm_half_to_float(0xc000) == -2.0f);
	assert_true(clm_half_to_float(0x7bff) == 65504.0f && clm_half_to_float(0x0001) == tiny);
	assert_true(isinf(clm_half_to_float(0x7c00)) && isnan(clm_half_to_float(0x7e00)));
	assert_int_equal(clm_float_to_half(1.0f), 0x3c00);
	assert_int_equal(clm_float_to_half(-2.0f), 0xc000);
	assert_int_equal(clm_float_to_half(1.0f + ldexpf(1, -11)), 0x3c00);     /* tie: to even */
	assert_int_equal(clm_float_to_half(1.0f + 3 * ldexpf(1, -11)), 0x3c02); /* tie: to even */
	assert_int_equal(clm_float_to_half(tiny), 0x0001);
	assert_int_equal(clm_float_to_half(65520.0f), 0x7c00); /* rounds up past the largest half */
	assert_int_equal(clm_float_to_half(1e-9f), 0x0000);
	assert_true(clm_bf16_to_float(0x3f80) == 1.0f && clm_bf16_to_float(0xc040) == -3.0f);
	assert_int_equal(clm_float_to_bf16(1.0f + ldexpf(1, -8)), 0x3f80); /* tie: to even */
	assert_int_equal(clm_float_to_bf16(1.0f + 3 * ldexpf(1, -8)), 0x3f82);
	assert_true(isnan(clm_bf16_to_float(clm_float_to_bf16(NAN))));
	for (int h = 0; h < 0x7c00; h++) /* every finite positive half survives a round trip */
		assert_int_equal(clm_float_to_half(clm_half_to_float((uint16_t)h)), h);
}

/* Q8_0: d = 0.5, q[j] = j - 16. */
static void q8_0_block(void **state)
{
	uint8_t b[34];
	float got[32], want[32];
	(void)state;
	put_half(b, 0x3800);
	for (int j = 0; j < 32; j++) {
		b[2 + j] = (uint8_t)(int8_t)(j - 16);
		want[j] = 0.5f * (float)(j - 16);
	}
	clm_ggml_dequantize(CLM_GGML_Q8_0, b, got, 32);
	assert_values(got, want, 32);
}

/* Q4_0: d = 0.25; value j in the low nibble of byte j, value j+16 in its high nibble, both - 8. */
static void q4_0_block(void **state)
{
	uint8_t b[18];
	float got[32], want[32];
	(void)state;
	put_half(b, 0x3400);
	for (int j = 0; j < 16; j++) {
		b[2 + j] = (uint8_t)(j | ((15 - j) << 4));
		want[j] = 0.25f * (float)(j - 8);
		want[j + 16] = 0.25f * (float)(15 - j - 8);
	}
	clm_ggml_dequantize(CLM_GGML_Q4_0, b, got, 32);
	assert_values(got, want, 32);
}

/* Q5_0: d = 0.5; fifth bits from the little-endian u32 0xa5a5f00f (bit j for value j), nibbles
 * as Q4_0, then - 16. */
static void q5_0_block(void **state)
{
	uint8_t b[22] = { 0, 0, 0x0f, 0xf0, 0xa5, 0xa5 };
	uint32_t qh = 0xa5a5f00fu;
	float got[32], want[32];
	(void)state;
	put_half(b, 0x3800);
	for (int j = 0; j < 16; j++) {
		b[6 + j] = (uint8_t)(j | ((15 - j) << 4));
		want[j] = 0.5f * (float)((j | (int)(qh >> j & 1) << 4) - 16);
		want[j + 16] = 0.5f * (float)(((15 - j) | (int)(qh >> (j + 16) & 1) << 4) - 16);
	}
	clm_ggml_dequantize(CLM_GGML_Q5_0, b, got, 32);
	assert_values(got, want, 32);
}

/* The 12 scale bytes of a Q4_K/Q5_K block for 6-bit scales sc[8] and mins m[8]. */
static void pack_k_scales(uint8_t *s, const int *sc, const int *m)
{
	for (int j = 0; j < 4; j++) {
		s[j] = (uint8_t)(sc[j] | ((sc[j + 4] >> 4) << 6));
		s[j + 4] = (uint8_t)(m[j] | ((m[j + 4] >> 4) << 6));
		s[j + 8] = (uint8_t)((sc[j + 4] & 0xf) | ((m[j + 4] & 0xf) << 4));
	}
}

/* Q4_K and Q5_K: d = 1, dmin = 0.5, scales 10 + 7j and mins 63 - 5j (sub-blocks 4-7 need the
 * packed high bits); in group g the low nibble of byte l is l % 16 and the high one (l + g) % 16;
 * for Q5_K, bit 2g (low half) and 2g+1 (high half) of qh[l] = 37 l add 16. */
static void k_block(enum clm_ggml_type t)
{
	uint8_t b[176] = { 0 };
	int sc[8], m[8], q5 = t == CLM_GGML_Q5_K;
	uint8_t *qh = b + 16, *qs = b + (q5 ? 48 : 16);
	float got[256], want[256];

	put_half(b, 0x3c00);
	put_half(b + 2, 0x3800);
	for (int j = 0; j < 8; j++) {
		sc[j] = 10 + 7 * j;
		m[j] = 63 - 5 * j;
	}
	pack_k_scales(b + 4, sc, m);
	for (int l = 0; l < 32 && q5; l++)
		qh[l] = (uint8_t)(37 * l);
	for (int g = 0; g < 4; g++) {
		for (int l = 0; l < 32; l++) {
			int lo = l % 16, hi = (l + g) % 16;
			qs[32 * g + l] = (uint8_t)(lo | (hi << 4));
			if (q5) {
				lo += ((37 * l & 0xff) >> (2 * g) & 1) * 16;
				hi += ((37 * l & 0xff) >> (2 * g + 1) & 1) * 16;
			}
			want[64 * g + l] = (float)(sc[2 * g] * lo) - 0.5f * (float)m[2 * g];
			want[64 * g + 32 + l] = (float)(sc[2 * g + 1] * hi) - 0.5f * (float)m[2 * g + 1];
		}
	}
	clm_ggml_dequantize(t, b, got, 256);
	assert_values(got, want, 256);
}

static void q4_k_block(void **state)
{
	(void)state;
	k_block(CLM_GGML_Q4_K);
}

static void q5_k_block(void **state)
{
	(void)state;
	k_block(CLM_GGML_Q5_K);
}

/* Q6_K: d = 0.125, int8 scales k - 8 (some negative), 6-bit value v = 7v mod 64, stored as low
 * nibbles in ql and two-bit planes in qh, then - 32. */
static void q6_k_block(void **state)
{
	uint8_t b[210] = { 0 }, q[256];
	float got[256], want[256];
	(void)state;
	for (int v = 0; v < 256; v++)
		q[v] = (uint8_t)(7 * v % 64);
	for (int n = 0; n < 2; n++) {
		const uint8_t *h = q + 128 * n;
		for (int l = 0; l < 32; l++) {
			b[64 * n + l] = (uint8_t)((h[l] & 0xf) | ((h[l + 64] & 0xf) << 4));
			b[64 * n + l + 32] = (uint8_t)((h[l + 32] & 0xf) | ((h[l + 96] & 0xf) << 4));
			b[128 + 32 * n + l] = (uint8_t)((h[l] >> 4) | ((h[l + 32] >> 4) << 2) | ((h[l + 64] >> 4) << 4) |
							((h[l + 96] >> 4) << 6));
		}
	}
	for (int k = 0; k < 16; k++)
		b[192 + k] = (uint8_t)(int8_t)(k - 8);
	put_half(b + 208, 0x3000);
	for (int v = 0; v < 256; v++)
		want[v] = 0.125f * (float)(v / 16 - 8) * (float)(q[v] - 32);
	clm_ggml_dequantize(CLM_GGML_Q6_K, b, got, 256);
	assert_values(got, want, 256);
}

static void float_types(void **state)
{
	uint8_t h[4] = { 0x00, 0x3c, 0x00, 0xc0 }, bf[4] = { 0x80, 0x3f, 0x40, 0xc0 };
	float f[2] = { 1.5f, -0.25f }, got[2];
	(void)state;
	clm_ggml_dequantize(CLM_GGML_F16, h, got, 2);
	assert_true(got[0] == 1.0f && got[1] == -2.0f);
	clm_ggml_dequantize(CLM_GGML_BF16, bf, got, 2);
	assert_true(got[0] == 1.0f && got[1] == -3.0f);
	clm_ggml_dequantize(CLM_GGML_F32, f, got, 2);
	assert_true(got[0] == 1.5f && got[1] == -0.25f);
}

/* Deterministic bell-shaped values with a few outliers, as trained weights have. */
static void fill(float *x, size_t n, unsigned seed)
{
	uint32_t s = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		float u = 0;
		for (int k = 0; k < 4; k++) {
			s = s * 1664525u + 1013904223u;
			u += (float)(s >> 8) / 16777216.0f - 0.5f;
		}
		x[i] = 0.05f * u * (i % 97 == 0 ? 6.0f : 1.0f);
	}
}

/* Quantize then decode: root-mean-square error relative to the values' below `tol`, and the
 * largest error within the type's step bound `max_err` times the largest magnitude. */
static void round_trip(enum clm_ggml_type t, float tol, float max_err)
{
	enum { N = 4096 };
	float x[N], y[N], se = 0, sx = 0, amax = 0, worst = 0;
	size_t bytes;
	uint8_t *q;

	fill(x, N, (unsigned)t);
	assert_int_equal(clm_ggml_row_bytes(t, N, &bytes), 0);
	assert_int_equal(bytes, N / clm_ggml_block_values(t) * clm_ggml_block_bytes(t));
	q = malloc(bytes);
	assert_non_null(q);
	clm_ggml_quantize(t, x, q, N);
	clm_ggml_dequantize(t, q, y, N);
	for (int i = 0; i < N; i++) {
		se += (x[i] - y[i]) * (x[i] - y[i]);
		sx += x[i] * x[i];
		amax = fmaxf(amax, fabsf(x[i]));
		worst = fmaxf(worst, fabsf(x[i] - y[i]));
	}
	if (sqrtf(se / sx) > tol || worst > max_err * amax)
		fail_msg("%s: relative rms error %.4f (limit %.4f), worst %.5f (limit %.5f)", clm_ggml_type_name(t),
			 sqrtf(se / sx), tol, worst, max_err * amax);
	/* zeros stay zeros */
	memset(x, 0, sizeof(x));
	clm_ggml_quantize(t, x, q, N);
	clm_ggml_dequantize(t, q, y, N);
	for (int i = 0; i < N; i++)
		assert_true(y[i] == 0.0f);
	free(q);
}

static void quantizers_round_trip(void **state)
{
	(void)state;
	round_trip(CLM_GGML_F32, 0, 0);
	round_trip(CLM_GGML_F16, 1e-3f, 1e-3f);
	round_trip(CLM_GGML_BF16, 5e-3f, 5e-3f);
	round_trip(CLM_GGML_Q8_0, 0.012f, 1.0f / 127);
	round_trip(CLM_GGML_Q4_0, 0.15f, 1.0f / 8);
	round_trip(CLM_GGML_Q5_0, 0.08f, 1.0f / 16);
	round_trip(CLM_GGML_Q4_K, 0.11f, 1.0f / 16);
	round_trip(CLM_GGML_Q5_K, 0.06f, 1.0f / 32);
	round_trip(CLM_GGML_Q6_K, 0.035f, 1.0f / 40);
}

static void unsupported_types_refused_by_name(void **state)
{
	size_t bytes;
	(void)state;
	assert_string_equal(clm_ggml_type_name(10), "Q2_K");
	assert_string_equal(clm_ggml_type_name(23), "IQ4_XS");
	assert_null(clm_ggml_type_name(4));
	assert_null(clm_ggml_type_name(1000));
	assert_int_equal(clm_ggml_check_type(CLM_GGML_Q6_K, "t"), 0);
	assert_int_equal(clm_ggml_check_type(3, "tensor 'blk.0.attn_q.weight'"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 'blk.0.attn_q.weight' has type Q4_1"));
	assert_int_equal(clm_ggml_check_type(77, "t"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "unknown tensor type 77"));
	assert_int_equal(clm_ggml_row_bytes(11, 256, &bytes), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "Q3_K"));
	assert_int_equal(clm_ggml_row_bytes(CLM_GGML_Q4_K, 100, &bytes), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "not a whole number of Q4_K blocks"));
	assert_int_equal(clm_ggml_row_bytes(CLM_GGML_Q8_0, UINT64_MAX - 31, &bytes), CLM_EINVALID);
	assert_int_equal(clm_ggml_row_bytes(CLM_GGML_Q6_K, 512, &bytes), 0);
	assert_int_equal(bytes, 420);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(half_and_bfloat16),
		cmocka_unit_test(q8_0_block),
		cmocka_unit_test(q4_0_block),
		cmocka_unit_test(q5_0_block),
		cmocka_unit_test(q4_k_block),
		cmocka_unit_test(q5_k_block),
		cmocka_unit_test(q6_k_block),
		cmocka_unit_test(float_types),
		cmocka_unit_test(quantizers_round_trip),
		cmocka_unit_test(unsupported_types_refused_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
