/* ggml block formats: see blocks.h for each layout. Decoders follow ggml's definitions value for
 * value; encoders are ours. */
#include "quant/blocks.h"
#include <math.h>
#include <string.h>
#include "util/error.h"

#define QK 32           /* values per Q8_0 / Q4_0 block */
#define Q8_0_BYTES 34
#define Q4_0_BYTES 18
#define Q5_0_BYTES 22
#define Q4_K_BYTES 144
#define Q5_K_BYTES 176
#define Q6_K_BYTES 210

static const char *const type_names[] = {
	[0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [6] = "Q5_0", [7] = "Q5_1", [8] = "Q8_0",
	[9] = "Q8_1", [10] = "Q2_K", [11] = "Q3_K", [12] = "Q4_K", [13] = "Q5_K", [14] = "Q6_K",
	[15] = "Q8_K", [16] = "IQ2_XXS", [17] = "IQ2_XS", [18] = "IQ3_XXS", [19] = "IQ1_S",
	[20] = "IQ4_NL", [21] = "IQ3_S", [22] = "IQ2_S", [23] = "IQ4_XS", [24] = "I8", [25] = "I16",
	[26] = "I32", [27] = "I64", [28] = "F64", [29] = "IQ1_M", [30] = "BF16", [31] = "Q4_0_4_4",
	[32] = "Q4_0_4_8", [33] = "Q4_0_8_8", [34] = "TQ1_0", [35] = "TQ2_0", [36] = "IQ4_NL_4_4",
	[37] = "IQ4_NL_4_8", [38] = "IQ4_NL_8_8", [39] = "MXFP4", [40] = "NVFP4", [41] = "Q1_0",
	[42] = "Q2_0",
};

const char *clm_ggml_type_name(uint32_t t)
{
	return t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : NULL;
}

size_t clm_ggml_block_values(enum clm_ggml_type t)
{
	switch (t) {
	case CLM_GGML_F32: case CLM_GGML_F16: case CLM_GGML_BF16: return 1;
	case CLM_GGML_Q8_0: case CLM_GGML_Q4_0: case CLM_GGML_Q5_0: return QK;
	case CLM_GGML_Q4_K: case CLM_GGML_Q5_K: case CLM_GGML_Q6_K: return CLM_QK_K;
	}
	return 0;
}

size_t clm_ggml_block_bytes(enum clm_ggml_type t)
{
	switch (t) {
	case CLM_GGML_F32: return 4;
	case CLM_GGML_F16: case CLM_GGML_BF16: return 2;
	case CLM_GGML_Q8_0: return Q8_0_BYTES;
	case CLM_GGML_Q4_0: return Q4_0_BYTES;
	case CLM_GGML_Q5_0: return Q5_0_BYTES;
	case CLM_GGML_Q4_K: return Q4_K_BYTES;
	case CLM_GGML_Q5_K: return Q5_K_BYTES;
	case CLM_GGML_Q6_K: return Q6_K_BYTES;
	}
	return 0;
}

int clm_ggml_type_supported(uint32_t t)
{
	return clm_ggml_block_bytes((enum clm_ggml_type)t) != 0;
}

int clm_ggml_check_type(uint32_t t, const char *what)
{
	const char *name = clm_ggml_type_name(t);

	if (clm_ggml_type_supported(t))
		return 0;
	if (name)
		return clm_error_set(CLM_EINVALID, "%s has type %s, which we do not read (F32, F16, BF16, Q8_0, "
				     "Q4_0, Q5_0, Q4_K, Q5_K and Q6_K are supported)", what, name);
	return clm_error_set(CLM_EINVALID, "%s has unknown tensor type %u", what, t);
}

int clm_ggml_row_bytes(enum clm_ggml_type t, uint64_t n, size_t *out)
{
	size_t bv = clm_ggml_block_values(t), bb = clm_ggml_block_bytes(t);

	*out = 0;
	if (!bv)
		return clm_ggml_check_type(t, "tensor");
	if (n % bv)
		return clm_error_set(CLM_EINVALID, "%llu values are not a whole number of %s blocks of %zu",
				     (unsigned long long)n, clm_ggml_type_name(t), bv);
	if (n / bv > SIZE_MAX / bb)
		return clm_error_set(CLM_EINVALID, "%s tensor of %llu values is too large", clm_ggml_type_name(t),
				     (unsigned long long)n);
	*out = (size_t)(n / bv) * bb;
	return 0;
}

/* ---- half and bfloat16 ---- */

float clm_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
	float f;

	if (exp == 0 && mant == 0) {
		bits = sign;
	} else if (exp == 0) { /* subnormal: normalise */
		exp = 127 - 15 + 1;
		while (!(mant & 0x400)) {
			mant <<= 1;
			exp--;
		}
		bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
	} else if (exp == 31) {
		bits = sign | 0x7f800000 | (mant << 13);
	} else {
		bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
	}
	memcpy(&f, &bits, 4);
	return f;
}

uint16_t clm_float_to_half(float f)
{
	uint32_t x, sign, mant, shift, half, rem, halfway;
	int e;

	memcpy(&x, &f, 4);
	sign = (x >> 16) & 0x8000;
	e = (int)((x >> 23) & 0xff) - 127 + 15;
	mant = x & 0x7fffff;
	if (((x >> 23) & 0xff) == 0xff) /* infinity or NaN (kept quiet) */
		return (uint16_t)(sign | 0x7c00 | (mant ? 0x200 : 0));
	if (e >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (e <= 0) { /* subnormal half, or zero */
		if (e < -10)
			return (uint16_t)sign;
		mant |= 0x800000;
		shift = (uint32_t)(14 - e);
		half = mant >> shift;
		rem = mant & ((1u << shift) - 1);
		halfway = 1u << (shift - 1);
	} else {
		half = ((uint32_t)e << 10) | (mant >> 13);
		rem = mant & 0x1fff;
		halfway = 0x1000;
	}
	if (rem > halfway || (rem == halfway && (half & 1)))
		half++; /* a carry into the exponent is the correct rounding, up to infinity */
	return (uint16_t)(sign | half);
}

float clm_bf16_to_float(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;

	memcpy(&f, &bits, 4);
	return f;
}

uint16_t clm_float_to_bf16(float f)
{
	uint32_t x;

	memcpy(&x, &f, 4);
	if ((x & 0x7fffffff) > 0x7f800000)
		return (uint16_t)((x >> 16) | 0x40);
	return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

static float rd_half(const uint8_t *p)
{
	return clm_half_to_float((uint16_t)(p[0] | (p[1] << 8)));
}

static void wr_half(uint8_t *p, float f)
{
	uint16_t h = clm_float_to_half(f);

	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

/* ---- decoding ---- */

static void dequant_q8_0(const uint8_t *b, float *y)
{
	float d = rd_half(b);

	for (int j = 0; j < QK; j++)
		y[j] = d * (float)(int8_t)b[2 + j];
}

static void dequant_q4_0(const uint8_t *b, float *y)
{
	float d = rd_half(b);

	for (int j = 0; j < QK / 2; j++) {
		y[j] = d * (float)((b[2 + j] & 0xf) - 8);
		y[j + QK / 2] = d * (float)((b[2 + j] >> 4) - 8);
	}
}

static void dequant_q5_0(const uint8_t *b, float *y)
{
	float d = rd_half(b);
	uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 | (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;

	for (int j = 0; j < QK / 2; j++) {
		int lo = (int)((b[6 + j] & 0xfu) | (qh >> j & 1) << 4), hi = (int)((b[6 + j] >> 4) | (qh >> (j + 16) & 1) << 4);
		y[j] = d * (float)(lo - 16);
		y[j + QK / 2] = d * (float)(hi - 16);
	}
}

/* Q4_K (qh NULL) and Q5_K (qh the fifth bits). */
static void dequant_k45(const uint8_t *b, const uint8_t *qh, const uint8_t *qs, float *y)
{
	float d = rd_half(b), dmin = rd_half(b + 2);

	for (int g = 0; g < 4; g++) { /* 64 values: sub-blocks 2g (low nibbles), 2g+1 (high) */
		for (int h = 0; h < 2; h++) {
			int sc, m;
			clm_ggml_k_scale_min(b + 4, 2 * g + h, &sc, &m);
			float ds = d * (float)sc, dm = dmin * (float)m;
			for (int l = 0; l < 32; l++) {
				int q = h ? qs[32 * g + l] >> 4 : qs[32 * g + l] & 0xf;
				if (qh && (qh[l] >> (2 * g + h) & 1))
					q += 16;
				*y++ = ds * (float)q - dm;
			}
		}
	}
}

static void dequant_q6_k(const uint8_t *b, float *y)
{
	const uint8_t *ql = b, *qh = b + 128;
	const int8_t *sc = (const int8_t *)(b + 192);
	float d = rd_half(b + 208);

	for (int n = 0; n < 2; n++) { /* 128 values each */
		for (int l = 0; l < 32; l++) {
			int is = l / 16;
			int q1 = ((ql[l] & 0xf) | ((qh[l] & 3) << 4)) - 32;
			int q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
			int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
			int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
			y[l] = d * (float)sc[is] * (float)q1;
			y[l + 32] = d * (float)sc[is + 2] * (float)q2;
			y[l + 64] = d * (float)sc[is + 4] * (float)q3;
			y[l + 96] = d * (float)sc[is + 6] * (float)q4;
		}
		y += 128;
		ql += 64;
		qh += 32;
		sc += 8;
	}
}

void clm_ggml_dequantize(enum clm_ggml_type t, const void *src, float *dst, size_t n)
{
	const uint8_t *p = src;
	size_t bv = clm_ggml_block_values(t), bb = clm_ggml_block_bytes(t);

	for (size_t i = 0; bv && i < n / bv; i++, p += bb, dst += bv) {
		switch (t) {
		case CLM_GGML_F32: memcpy(dst, p, 4); break;
		case CLM_GGML_F16: *dst = rd_half(p); break;
		case CLM_GGML_BF16: *dst = clm_bf16_to_float((uint16_t)(p[0] | (p[1] << 8))); break;
		case CLM_GGML_Q8_0: dequant_q8_0(p, dst); break;
		case CLM_GGML_Q4_0: dequant_q4_0(p, dst); break;
		case CLM_GGML_Q5_0: dequant_q5_0(p, dst); break;
		case CLM_GGML_Q4_K: dequant_k45(p, NULL, p + 16, dst); break;
		case CLM_GGML_Q5_K: dequant_k45(p, p + 16, p + 48, dst); break;
		case CLM_GGML_Q6_K: dequant_q6_k(p, dst); break;
		}
	}
}

/* ---- encoding ---- */

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void quant_q8_0(const float *x, uint8_t *b)
{
	float amax = 0, d, id;

	for (int j = 0; j < QK; j++)
		amax = fmaxf(amax, fabsf(x[j]));
	d = amax / 127;
	id = d ? 1.0f / d : 0.0f;
	wr_half(b, d);
	for (int j = 0; j < QK; j++)
		b[2 + j] = (uint8_t)(int8_t)lroundf(x[j] * id);
}

/* Q4_0 (half = 8) and Q5_0 (half = 16): the scale is the signed value of largest magnitude over
 * -half, so it maps to -half exactly; the fifth bits of Q5_0 go to the u32 before the nibbles. */
static void quant_q45_0(const float *x, uint8_t *b, int half)
{
	float amax = 0, max = 0, d, id;
	uint32_t qh = 0;
	uint8_t *qs = b + (half == 16 ? 6 : 2);

	for (int j = 0; j < QK; j++) {
		if (fabsf(x[j]) > amax) {
			amax = fabsf(x[j]);
			max = x[j];
		}
	}
	d = max / (float)-half;
	id = d ? 1.0f / d : 0.0f;
	wr_half(b, d);
	for (int j = 0; j < QK / 2; j++) {
		int lo = clampi((int)(int8_t)(x[j] * id + (float)half + 0.5f), 0, 2 * half - 1);
		int hi = clampi((int)(int8_t)(x[j + QK / 2] * id + (float)half + 0.5f), 0, 2 * half - 1);
		qs[j] = (uint8_t)((lo & 0xf) | ((hi & 0xf) << 4));
		qh |= (uint32_t)(lo >> 4) << j | (uint32_t)(hi >> 4) << (j + 16);
	}
	if (half == 16)
		for (int k = 0; k < 4; k++)
			b[2 + k] = (uint8_t)(qh >> (8 * k));
}

/* Q4_K / Q5_K (nmax 15 or 31): each sub-block of 32 gets scale (max - min) / nmax and min -min
 * (min clipped at 0), both stored as 6-bit multiples of the super-block's d and dmin; the values
 * are then rounded against the stored (quantized) scales. */
static void quant_k45(const float *x, uint8_t *b, int nmax)
{
	float scale[8], mins[8], max_scale = 0, max_min = 0, d, dmin;
	uint8_t *s = b + 4, *qh = nmax == 31 ? b + 16 : NULL, *qs = b + (qh ? 48 : 16);
	uint8_t L[CLM_QK_K];

	for (int j = 0; j < 8; j++) {
		float lo = x[32 * j], hi = x[32 * j];
		for (int l = 1; l < 32; l++) {
			lo = fminf(lo, x[32 * j + l]);
			hi = fmaxf(hi, x[32 * j + l]);
		}
		lo = fminf(lo, 0);
		scale[j] = (hi - lo) / (float)nmax;
		mins[j] = -lo;
		max_scale = fmaxf(max_scale, scale[j]);
		max_min = fmaxf(max_min, mins[j]);
	}
	memset(b, 0, nmax == 31 ? Q5_K_BYTES : Q4_K_BYTES);
	wr_half(b, max_scale / 63);
	wr_half(b + 2, max_min / 63);
	d = rd_half(b);
	dmin = rd_half(b + 2);
	for (int j = 0; j < 8; j++) {
		int ls = d > 0 ? clampi((int)lroundf(scale[j] / d), 0, 63) : 0;
		int lm = dmin > 0 ? clampi((int)lroundf(mins[j] / dmin), 0, 63) : 0;
		if (j < 4) {
			s[j] = (uint8_t)ls;
			s[j + 4] = (uint8_t)lm;
		} else {
			s[j + 4] = (uint8_t)((ls & 0xf) | ((lm & 0xf) << 4));
			s[j - 4] |= (uint8_t)((ls >> 4) << 6);
			s[j] |= (uint8_t)((lm >> 4) << 6);
		}
	}
	for (int j = 0; j < 8; j++) {
		int sc, m;
		clm_ggml_k_scale_min(s, j, &sc, &m);
		float ds = d * (float)sc, dm = dmin * (float)m;
		for (int l = 0; l < 32; l++)
			L[32 * j + l] = (uint8_t)(ds > 0 ? clampi((int)lroundf((x[32 * j + l] + dm) / ds), 0, nmax) : 0);
	}
	for (int g = 0; g < 4; g++) {
		for (int l = 0; l < 32; l++) {
			int lo = L[64 * g + l], hi = L[64 * g + 32 + l];
			if (qh)
				qh[l] |= (uint8_t)(((lo >> 4) << (2 * g)) | ((hi >> 4) << (2 * g + 1)));
			qs[32 * g + l] = (uint8_t)((lo & 0xf) | ((hi & 0xf) << 4));
		}
	}
}

/* Q6_K: each sub-block of 16 gets the scale that maps its largest magnitude to 31 (signed so the
 * extreme lands on -32 when negative), stored as an int8 multiple of d. */
static void quant_q6_k(const float *x, uint8_t *b)
{
	float scale[16], max_scale = 0, d;
	uint8_t *ql = b, *qh = b + 128, L[CLM_QK_K];
	int8_t *sc = (int8_t *)(b + 192);

	memset(b, 0, Q6_K_BYTES);
	for (int j = 0; j < 16; j++) {
		float amax = 0, vmax = 0;
		for (int l = 0; l < 16; l++) {
			if (fabsf(x[16 * j + l]) > amax) {
				amax = fabsf(x[16 * j + l]);
				vmax = x[16 * j + l];
			}
		}
		scale[j] = vmax < 0 ? vmax / -32 : vmax / 31;
		max_scale = fmaxf(max_scale, scale[j]);
	}
	if (max_scale == 0)
		return; /* all zero: d = 0 decodes every value to 0 */
	wr_half(b + 208, max_scale / 127);
	d = rd_half(b + 208);
	for (int j = 0; j < 16; j++)
		sc[j] = (int8_t)(d > 0 ? clampi((int)lroundf(scale[j] / d), 0, 127) : 0);
	for (int j = 0; j < 16; j++) {
		float ds = d * (float)sc[j];
		for (int l = 0; l < 16; l++)
			L[16 * j + l] = (uint8_t)(ds > 0 ? clampi((int)lroundf(x[16 * j + l] / ds), -32, 31) + 32 : 32);
	}
	for (int n = 0; n < 2; n++) {
		const uint8_t *q = L + 128 * n;
		for (int l = 0; l < 32; l++) {
			ql[64 * n + l] = (uint8_t)((q[l] & 0xf) | ((q[l + 64] & 0xf) << 4));
			ql[64 * n + l + 32] = (uint8_t)((q[l + 32] & 0xf) | ((q[l + 96] & 0xf) << 4));
			qh[32 * n + l] = (uint8_t)((q[l] >> 4) | ((q[l + 32] >> 4) << 2) | ((q[l + 64] >> 4) << 4) |
						   ((q[l + 96] >> 4) << 6));
		}
	}
}

void clm_ggml_quantize(enum clm_ggml_type t, const float *src, void *dst, size_t n)
{
	uint8_t *p = dst;
	size_t bv = clm_ggml_block_values(t), bb = clm_ggml_block_bytes(t);

	for (size_t i = 0; bv && i < n / bv; i++, p += bb, src += bv) {
		uint16_t h;
		switch (t) {
		case CLM_GGML_F32: memcpy(p, src, 4); break;
		case CLM_GGML_F16: wr_half(p, *src); break;
		case CLM_GGML_BF16:
			h = clm_float_to_bf16(*src);
			p[0] = (uint8_t)h;
			p[1] = (uint8_t)(h >> 8);
			break;
		case CLM_GGML_Q8_0: quant_q8_0(src, p); break;
		case CLM_GGML_Q4_0: quant_q45_0(src, p, 8); break;
		case CLM_GGML_Q5_0: quant_q45_0(src, p, 16); break;
		case CLM_GGML_Q4_K: quant_k45(src, p, 15); break;
		case CLM_GGML_Q5_K: quant_k45(src, p, 31); break;
		case CLM_GGML_Q6_K: quant_q6_k(src, p); break;
		}
	}
}
