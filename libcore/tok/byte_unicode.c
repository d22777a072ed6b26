#include "tok/byte_unicode.h"
#include "util/error.h"

/* Bytes GPT-2 keeps as themselves: '!'..'~', U+00A1..U+00AC, U+00AE..U+00FF. */
static int is_printable(unsigned b)
{
	return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

/* Index of a non-printable byte among the 68 non-printable ones, in byte order. */
static int nonprintable_index(unsigned b)
{
	if (b <= 0x20)
		return (int)b;
	if (b <= 0xa0)
		return 33 + (int)(b - 0x7f);
	return 67; /* 0xad, the soft hyphen */
}

static unsigned nonprintable_at(int i)
{
	if (i <= 32)
		return (unsigned)i;
	if (i <= 66)
		return 0x7f + (unsigned)(i - 33);
	return 0xad;
}

uint32_t clm_byte_to_codepoint(uint8_t b)
{
	return is_printable(b) ? b : 0x100u + (uint32_t)nonprintable_index(b);
}

int clm_codepoint_to_byte(uint32_t cp)
{
	if (cp < 0x100)
		return is_printable(cp) ? (int)cp : -1;
	if (cp < 0x100 + 68)
		return (int)nonprintable_at((int)(cp - 0x100));
	return -1;
}

/* Printable bytes in order: 94 of '!'..'~', 12 of U+A1..U+AC, 82 of U+AE..U+FF: 188 in all. */
int clm_byte_order(uint8_t b)
{
	if (!is_printable(b))
		return 188 + nonprintable_index(b);
	if (b <= 0x7e)
		return b - 0x21;
	if (b <= 0xac)
		return 94 + (b - 0xa1);
	return 106 + (b - 0xae);
}

uint8_t clm_byte_at_order(int i)
{
	if (i >= 188)
		return (uint8_t)nonprintable_at(i - 188);
	if (i < 94)
		return (uint8_t)(0x21 + i);
	if (i < 106)
		return (uint8_t)(0xa1 + (i - 94));
	return (uint8_t)(0xae + (i - 106));
}

int clm_bytes_to_mapped(const void *bytes, size_t len, struct clm_strbuf *out)
{
	const uint8_t *p = bytes;

	if (clm_strbuf_grow(out, len * 2) < 0)
		return CLM_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		uint32_t cp = clm_byte_to_codepoint(p[i]);
		char enc[2];
		if (cp < 0x80) {
			if (clm_strbuf_addch(out, (char)cp) < 0)
				return CLM_ENOMEM;
			continue;
		}
		enc[0] = (char)(0xc0 | (cp >> 6));
		enc[1] = (char)(0x80 | (cp & 0x3f));
		if (clm_strbuf_add(out, enc, 2) < 0)
			return CLM_ENOMEM;
	}
	return 0;
}

int clm_mapped_to_bytes(const char *text, size_t len, struct clm_strbuf *out)
{
	const uint8_t *p = (const uint8_t *)text;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		int b;
		if (p[i] < 0x80) {
			cp = p[i++];
		} else if ((p[i] & 0xe0) == 0xc0 && i + 1 < len && (p[i + 1] & 0xc0) == 0x80) {
			cp = ((uint32_t)(p[i] & 0x1f) << 6) | (p[i + 1] & 0x3f);
			i += 2;
		} else {
			/* Every mapped character is below U+0800, so longer sequences never stand for a byte. */
			return clm_error_set(CLM_EINVALID, "byte %zu is not a byte-level BPE character", i);
		}
		b = clm_codepoint_to_byte(cp);
		if (b < 0)
			return clm_error_set(CLM_EINVALID, "character U+%04X is not a byte-level BPE character",
					     (unsigned)cp);
		if (clm_strbuf_addch(out, (char)b) < 0)
			return CLM_ENOMEM;
	}
	return 0;
}
