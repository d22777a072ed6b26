/* Products with weights in their GGUF encoding: see matmul.h. The AVX2 kernels decode each block
 * in registers and multiply-add in f32 (the K-quants' mins are applied once per sub-block through
 * the activations' sums over 32 values, computed once per vector); the portable path decodes a
 * block into a small buffer and takes the dot product from there. */
#include "quant/matmul.h"
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "util/error.h"

#if defined(__x86_64__) || defined(__i386__)
#define CLM_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

#define PANEL_FLOATS (256 * 1024) /* decoded panel for matrix-matrix products: 1 MiB */
#define MAX_SUMS 4096             /* sums of 32 activations kept on the stack: rows up to 131072 */

int clm_quant_have_simd(void)
{
#ifdef CLM_X86
	unsigned eax, ebx, ecx, edx;

	/* F16C from CPUID leaf 1 (ECX bit 29) itself: clang 14's __builtin_cpu_supports has no "f16c" */
	__builtin_cpu_init();
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 29)))
		return 0;
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

int clm_qmat_init(struct clm_qmat *w, enum clm_ggml_type type, int64_t rows, int64_t cols, const void *data)
{
	int rc;

	memset(w, 0, sizeof(*w));
	if (rows < 0 || cols < 0)
		return clm_error_set(CLM_EINVALID, "matrix of %lld x %lld", (long long)rows, (long long)cols);
	if ((rc = clm_ggml_row_bytes(type, (uint64_t)cols, &w->row_bytes)) < 0)
		return rc;
	w->type = type;
	w->rows = rows;
	w->cols = cols;
	w->data = data;
	w->simd = clm_quant_have_simd();
	return 0;
}

#ifdef CLM_X86
static float kernel_simd(enum clm_ggml_type t, const uint8_t *row, const float *x, const float *xs, float *out,
			 int64_t n);
#endif

void clm_qmat_rows(const struct clm_qmat *w, int64_t r0, int64_t n, float *out)
{
	const uint8_t *p = (const uint8_t *)w->data + (size_t)r0 * w->row_bytes;
	int quantized = clm_ggml_block_values(w->type) > 1;

	for (int64_t r = 0; r < n; r++, p += w->row_bytes, out += w->cols) {
#ifdef CLM_X86
		if (w->simd && quantized) {
			kernel_simd(w->type, p, NULL, NULL, out, w->cols);
			continue;
		}
#endif
		(void)quantized;
		clm_ggml_dequantize(w->type, p, out, (size_t)w->cols);
	}
}

/* ---- portable: decode a block, then multiply ---- */

static float dot_portable(enum clm_ggml_type t, const uint8_t *row, const float *x, int64_t n)
{
	size_t bv = clm_ggml_block_values(t), bb = clm_ggml_block_bytes(t);
	float buf[CLM_QK_K], sum = 0;

	if (t == CLM_GGML_F32) {
		const float *f = (const float *)(const void *)row;
		for (int64_t i = 0; i < n; i++)
			sum += f[i] * x[i];
		return sum;
	}
	if (bv == 1)
		bv = CLM_QK_K; /* F16/BF16: decode 256 at a time */
	for (int64_t i = 0; i < n; i += (int64_t)bv) {
		size_t k = (size_t)(n - i) < bv ? (size_t)(n - i) : bv;
		clm_ggml_dequantize(t, row, buf, k);
		row += bb * (clm_ggml_block_values(t) == 1 ? k : 1);
		for (size_t j = 0; j < k; j++)
			sum += buf[j] * x[i + (int64_t)j];
	}
	return sum;
}

/* ---- AVX2 ---- */
#ifdef CLM_X86
#define AVX2 __attribute__((target("avx2,fma,f16c")))

AVX2 static float hsum(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

AVX2 static float half(const uint8_t *p)
{
	uint16_t h;

	memcpy(&h, p, 2);
	return _cvtsh_ss(h);
}

/* Eight signed bytes to f32. */
AVX2 static __m256 i8x8(__m128i v)
{
	return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v));
}

AVX2 static float dot_f32(const uint8_t *row, const float *x, int64_t n)
{
	const float *f = (const float *)(const void *)row;
	__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
	int64_t i = 0;
	float sum;

	for (; i + 16 <= n; i += 16) {
		a0 = _mm256_fmadd_ps(_mm256_loadu_ps(f + i), _mm256_loadu_ps(x + i), a0);
		a1 = _mm256_fmadd_ps(_mm256_loadu_ps(f + i + 8), _mm256_loadu_ps(x + i + 8), a1);
	}
	sum = hsum(_mm256_add_ps(a0, a1));
	for (; i < n; i++)
		sum += f[i] * x[i];
	return sum;
}

AVX2 static float dot_f16(const uint8_t *row, const float *x, int64_t n)
{
	__m256 acc = _mm256_setzero_ps();
	int64_t i = 0;
	float sum;

	for (; i + 8 <= n; i += 8)
		acc = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(row + 2 * i))),
				      _mm256_loadu_ps(x + i), acc);
	sum = hsum(acc);
	for (; i < n; i++)
		sum += half(row + 2 * i) * x[i];
	return sum;
}

AVX2 static float dot_bf16(const uint8_t *row, const float *x, int64_t n)
{
	__m256 acc = _mm256_setzero_ps();
	int64_t i = 0;
	float sum;

	for (; i + 8 <= n; i += 8) {
		__m256i b = _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(row + 2 * i))), 16);
		acc = _mm256_fmadd_ps(_mm256_castsi256_ps(b), _mm256_loadu_ps(x + i), acc);
	}
	sum = hsum(acc);
	for (; i < n; i++)
		sum += clm_bf16_to_float((uint16_t)(row[2 * i] | (row[2 * i + 1] << 8))) * x[i];
	return sum;
}

/* Sixteen signed bytes v with their scale: x[0..15] . v * scale added to acc; or, decoding (out
 * set), v * scale - min stored at out[0..15]. Every block kernel below is a sequence of these. */
#define ALWAYS_INLINE __attribute__((always_inline)) inline
AVX2 static ALWAYS_INLINE __m256 group16(__m128i v, float scale, float min, const float *x, float *out, __m256 acc)
{
	if (out) {
		__m256 s = _mm256_set1_ps(scale), m = _mm256_set1_ps(min);
		_mm256_storeu_ps(out, _mm256_fmsub_ps(i8x8(v), s, m));
		_mm256_storeu_ps(out + 8, _mm256_fmsub_ps(i8x8(_mm_srli_si128(v, 8)), s, m));
		return acc;
	}
	__m256 b = _mm256_mul_ps(i8x8(v), _mm256_loadu_ps(x));
	b = _mm256_fmadd_ps(i8x8(_mm_srli_si128(v, 8)), _mm256_loadu_ps(x + 8), b);
	return _mm256_fmadd_ps(_mm256_set1_ps(scale), b, acc);
}

/* 32 signed bytes (values 0-15 in the low lane) with one scale. */
AVX2 static ALWAYS_INLINE __m256 group32(__m256i v, float scale, float min, const float *x, float *out, __m256 acc)
{
	acc = group16(_mm256_castsi256_si128(v), scale, min, x, out, acc);
	return group16(_mm256_extracti128_si256(v, 1), scale, min, x ? x + 16 : NULL, out ? out + 16 : NULL, acc);
}

/* The kernels: with out NULL, the dot product of a row with x; else the row decoded into out. */

AVX2 static float k_q8_0(const uint8_t *row, const float *x, const float *xs, float *out, int64_t n)
{
	__m256 acc = _mm256_setzero_ps();

	(void)xs;
	for (int64_t i = 0; i < n; i += 32, row += 34)
		acc = group32(_mm256_loadu_si256((const __m256i *)(row + 2)), half(row), 0, x ? x + i : NULL,
			      out ? out + i : NULL, acc);
	return hsum(acc);
}

/* 32 bytes, each 0xff where bit i of the u32 qh is set (byte i), else 0. */
AVX2 static __m256i bits_to_bytes(uint32_t qh)
{
	const __m256i pick = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
	const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201);
	__m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh), pick);
	return _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
}

/* Q4_0 (q5 0: 18-byte blocks, offset 8) and Q5_0 (22-byte blocks with the fifth bits, offset 16). */
AVX2 static float k_q45_0(const uint8_t *row, const float *x, float *out, int64_t n, int q5)
{
	const __m128i low = _mm_set1_epi8(0xf);
	const __m256i sixteen = _mm256_set1_epi8(16), off = _mm256_set1_epi8(q5 ? 16 : 8);
	__m256 acc = _mm256_setzero_ps();

	for (int64_t i = 0; i < n; i += 32, row += q5 ? 22 : 18) {
		__m128i q = _mm_loadu_si128((const __m128i *)(row + (q5 ? 6 : 2)));
		__m256i v = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(q, 4), low), _mm_and_si128(q, low));
		if (q5) {
			uint32_t qh;
			memcpy(&qh, row + 2, 4);
			v = _mm256_or_si256(v, _mm256_and_si256(bits_to_bytes(qh), sixteen));
		}
		acc = group32(_mm256_sub_epi8(v, off), half(row), 0, x ? x + i : NULL, out ? out + i : NULL, acc);
	}
	return hsum(acc);
}

/* Q4_K (q5 0) and Q5_K: per 64 values, the 32 low nibbles are sub-block 2g, the high ones 2g+1;
 * xs holds the sums of x over each 32 values, which the mins multiply. */
AVX2 static float k_k45(const uint8_t *row, const float *x, const float *xs, float *out, int64_t n, int q5)
{
	const __m256i low = _mm256_set1_epi8(0xf), sixteen = _mm256_set1_epi8(16);
	__m256 acc = _mm256_setzero_ps();
	float mins = 0;

	for (int64_t i = 0; i < n; i += CLM_QK_K, row += q5 ? 176 : 144) {
		float d = half(row), dmin = half(row + 2), ds[8], dm[8];
		const uint8_t *qs = row + (q5 ? 48 : 16);
		__m256i qh = q5 ? _mm256_loadu_si256((const __m256i *)(row + 16)) : _mm256_setzero_si256();

		for (int j = 0; j < 8; j++) {
			int sc, m;
			clm_ggml_k_scale_min(row + 4, j, &sc, &m);
			ds[j] = d * (float)sc;
			dm[j] = dmin * (float)m;
			if (!out)
				mins += dm[j] * xs[i / 32 + j];
		}
		for (int g = 0; g < 4; g++) {
			__m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
			__m256i v[2] = { _mm256_and_si256(q, low), _mm256_and_si256(_mm256_srli_epi16(q, 4), low) };
			for (int h = 0; h < 2; h++) {
				int j = 2 * g + h;
				__m256i b = v[h];
				if (q5) {
					__m256i bit = _mm256_set1_epi8((char)(1 << j));
					b = _mm256_add_epi8(b, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit), bit),
										sixteen));
				}
				acc = group32(b, ds[j], dm[j], x ? x + i + 32 * j : NULL, out ? out + i + 32 * j : NULL, acc);
			}
		}
	}
	return hsum(acc) - mins;
}

/* Q6_K: 128 values per 64 ql and 32 qh bytes; one int8 scale per 16 values. */
AVX2 static float k_q6_k(const uint8_t *row, const float *x, const float *xs, float *out, int64_t n)
{
	const __m256i low = _mm256_set1_epi8(0xf), three = _mm256_set1_epi8(3), off = _mm256_set1_epi8(32);
	__m256 acc = _mm256_setzero_ps();

	(void)xs;
	for (int64_t i = 0; i < n; i += CLM_QK_K, row += 210) {
		float d = half(row + 208);
		const int8_t *sc = (const int8_t *)(row + 192);

		for (int part = 0; part < 2; part++) {
			const uint8_t *ql = row + 64 * part;
			__m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
			__m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
			__m256i qh = _mm256_loadu_si256((const __m256i *)(row + 128 + 32 * part));
			__m256i q[4] = {
				_mm256_or_si256(_mm256_and_si256(l0, low), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4)),
				_mm256_or_si256(_mm256_and_si256(l1, low),
						_mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4)),
				_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low),
						_mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4)),
				_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low),
						_mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4)),
			};
			for (int k = 0; k < 4; k++) {
				int64_t at = i + 128 * part + 32 * k;
				int is = 8 * part + 2 * k;
				__m256i v = _mm256_sub_epi8(q[k], off);
				acc = group16(_mm256_castsi256_si128(v), d * (float)sc[is], 0, x ? x + at : NULL,
					      out ? out + at : NULL, acc);
				acc = group16(_mm256_extracti128_si256(v, 1), d * (float)sc[is + 1], 0, x ? x + at + 16 : NULL,
					      out ? out + at + 16 : NULL, acc);
			}
		}
	}
	return hsum(acc);
}

/* Dot product of a row with x (out NULL), or the row decoded into out (x NULL). */
static float kernel_simd(enum clm_ggml_type t, const uint8_t *row, const float *x, const float *xs, float *out,
			 int64_t n)
{
	switch (t) {
	case CLM_GGML_F32: return dot_f32(row, x, n);
	case CLM_GGML_F16: return dot_f16(row, x, n);
	case CLM_GGML_BF16: return dot_bf16(row, x, n);
	case CLM_GGML_Q8_0: return k_q8_0(row, x, xs, out, n);
	case CLM_GGML_Q4_0: return k_q45_0(row, x, out, n, 0);
	case CLM_GGML_Q5_0: return k_q45_0(row, x, out, n, 1);
	case CLM_GGML_Q4_K: return k_k45(row, x, xs, out, n, 0);
	case CLM_GGML_Q5_K: return k_k45(row, x, xs, out, n, 1);
	case CLM_GGML_Q6_K: return k_q6_k(row, x, xs, out, n);
	}
	return 0;
}
#endif

/* One token: y[r] = W[r] . x for every row. */
static void matvec(const struct clm_qmat *w, const float *x, const float *xs, float *y)
{
	const uint8_t *p = w->data;

	for (int64_t r = 0; r < w->rows; r++, p += w->row_bytes) {
#ifdef CLM_X86
		if (w->simd) {
			y[r] = kernel_simd(w->type, p, x, xs, NULL, w->cols);
			continue;
		}
#endif
		(void)xs;
		y[r] = dot_portable(w->type, p, x, w->cols);
	}
}

/* Several tokens: decode a panel of rows, then one sgemm per panel; -1 when the panel cannot be
 * allocated (the caller then goes row by row). */
static int matmat(const struct clm_qmat *w, const float *x, int64_t m, float *y)
{
	int64_t panel = PANEL_FLOATS / (w->cols ? w->cols : 1);
	float *buf;

	if (panel < 16)
		panel = 16;
	if (panel > w->rows)
		panel = w->rows;
	if (!(buf = malloc((size_t)(panel * w->cols) * sizeof(float))))
		return -1;
	for (int64_t r0 = 0; r0 < w->rows; r0 += panel) {
		int64_t n = w->rows - r0 < panel ? w->rows - r0 : panel;
		clm_qmat_rows(w, r0, n, buf);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)n, (int)w->cols, 1.0f, x,
			    (int)w->cols, buf, (int)w->cols, 0.0f, y + r0, (int)w->rows);
	}
	free(buf);
	return 0;
}

void clm_qmat_mul(const struct clm_qmat *w, const float *x, int64_t m, float *y)
{
	float xs[MAX_SUMS];
	struct clm_qmat v = *w;
	int64_t nsum = w->cols / 32;

	if (m <= 0 || w->rows == 0)
		return;
	if (w->type == CLM_GGML_F32 && m > 1) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, (int)w->rows, (int)w->cols, 1.0f, x,
			    (int)w->cols, w->data, (int)w->cols, 0.0f, y, (int)w->rows);
		return;
	}
	if (m > 2 && matmat(w, x, m, y) == 0)
		return;
	if (nsum > MAX_SUMS)
		v.simd = 0; /* rows too long for the sums' buffer: the portable path needs none */
	for (int64_t i = 0; i < m; i++, x += w->cols, y += w->rows) {
		for (int64_t b = 0; v.simd && b < nsum; b++) {
			float s = 0;
			for (int k = 0; k < 32; k++)
				s += x[32 * b + k];
			xs[b] = s;
		}
		matvec(&v, x, xs, y);
	}
}
