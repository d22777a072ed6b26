/* ggml tensor types: the element and block formats of GGUF files (F32, F16, BF16 and the
 * quantized blocks Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K), with dequantization exactly as ggml defines
 * each block and quantizers that write them. Layouts (all little-endian, "half" is IEEE f16):
 *   Q8_0  32 values: half d; int8 q[32]                          x = d * q
 *   Q4_0  32 values: half d; u8 qs[16]  (value j in the low nibble of qs[j], value j+16 in the
 *         high nibble)                                           x = d * (q - 8)
 *   Q5_0  32 values: half d; u8 qh[4] (bit j of the little-endian u32 is value j's fifth bit);
 *         u8 qs[16] as Q4_0                                      x = d * (q - 16)
 *   Q4_K 256 values: half d, dmin; u8 scales[12]; u8 qs[128]. Eight sub-blocks of 32 with 6-bit
 *         scale sc and min m (sub-blocks 0-3: low 6 bits of scales[j] and scales[j+4]; 4-7: low
 *         and high nibble of scales[j+4], top two bits from the top bits of scales[j-4] and
 *         scales[j]). Each 64 values share 32 bytes: low nibbles first, then high nibbles.
 *                                                                x = d*sc * q - dmin*m
 *   Q5_K 256 values: as Q4_K plus u8 qh[32] after the scales: bit 2i (low-nibble half) and 2i+1
 *         (high-nibble half) of qh[l] hold the fifth bit of value l of the i-th 64-value group.
 *   Q6_K 256 values: u8 ql[128]; u8 qh[64]; int8 scales[16]; half d. Each 128 values use 64 ql
 *         bytes and 32 qh bytes: value l (+32, +64, +96) is the low (+32: low of ql[l+32], +64:
 *         high of ql[l], +96: high of ql[l+32]) nibble with bits 0-1 (2-3, 4-5, 6-7) of qh[l] on
 *         top; one int8 scale per 16 values.                    x = d*scale * (q - 32)
 * Types we do not read are known by name, so a file that uses them is refused with the name. */
#ifndef CLM_QUANT_BLOCKS_H
#define CLM_QUANT_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* ggml_type values as GGUF stores them (only the ones we read). */
enum clm_ggml_type {
	CLM_GGML_F32 = 0,
	CLM_GGML_F16 = 1,
	CLM_GGML_Q4_0 = 2,
	CLM_GGML_Q5_0 = 6,
	CLM_GGML_Q8_0 = 8,
	CLM_GGML_Q4_K = 12,
	CLM_GGML_Q5_K = 13,
	CLM_GGML_Q6_K = 14,
	CLM_GGML_BF16 = 30
};

#define CLM_QK_K 256 /* values per K-quant super-block */

/* The name ggml gives type `t` ("Q4_K", "IQ2_XS", ...), also for types we do not read; NULL for
 * values ggml has never used. */
const char *clm_ggml_type_name(uint32_t t);

/* 1 when we read (and write) type `t`. */
int clm_ggml_type_supported(uint32_t t);

/* 0, or CLM_EINVALID naming the type (`what` names the tensor in the message) when we do not read it. */
int clm_ggml_check_type(uint32_t t, const char *what);

/* Values per block (1 for F32/F16/BF16); 0 for unsupported types. */
size_t clm_ggml_block_values(enum clm_ggml_type t);

/* Bytes per block; 0 for unsupported types. */
size_t clm_ggml_block_bytes(enum clm_ggml_type t);

/* Bytes of `n` values of type `t` in `*out`; CLM_EINVALID when `n` is not a whole number of
 * blocks, the type is unsupported or the size overflows. */
int clm_ggml_row_bytes(enum clm_ggml_type t, uint64_t n, size_t *out);

/* Decode `n` values (a whole number of blocks) of type `t` from `src` into `dst`. */
void clm_ggml_dequantize(enum clm_ggml_type t, const void *src, float *dst, size_t n);

/* Encode `n` values (a whole number of blocks) as type `t` into `dst` (clm_ggml_row_bytes
 * long). Q8_0 and Q4_0 round as ggml's reference quantizers do; the K-quants pick sub-block
 * scales from each sub-block's range (not ggml's iterative search, so bytes may differ from
 * llama-quantize's while decoding the same way). */
void clm_ggml_quantize(enum clm_ggml_type t, const float *src, void *dst, size_t n);

/* Sub-block j's (0-7) 6-bit scale and min from the 12 packed scale bytes of a Q4_K/Q5_K block. */
static inline void clm_ggml_k_scale_min(const uint8_t *s, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = s[j] & 63;
		*m = s[j + 4] & 63;
	} else {
		*sc = (s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4);
		*m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
	}
}

/* IEEE half and bfloat16 conversions (half: round to nearest even; bf16: round to nearest even,
 * NaN kept NaN). */
float clm_half_to_float(uint16_t h);
uint16_t clm_float_to_half(float f);
float clm_bf16_to_float(uint16_t h);
uint16_t clm_float_to_bf16(float f);

#endif
