/* GPT-2's reversible mapping of the 256 byte values to printable unicode characters, used by
 * vocab.json, merges.txt and tokenizer.json to write arbitrary bytes as text. */
#ifndef CLM_TOK_BYTE_UNICODE_H
#define CLM_TOK_BYTE_UNICODE_H

#include <stddef.h>
#include <stdint.h>
#include "util/strbuf.h"

/* The code point that stands for byte `b` (printable Latin-1 bytes stand for themselves, the
 * 68 others map to U+0100..U+0143 in byte order). */
uint32_t clm_byte_to_codepoint(uint8_t b);

/* The byte a code point stands for, or -1 when it stands for none. */
int clm_codepoint_to_byte(uint32_t cp);

/* Position of byte `b` in GPT-2's vocabulary order (printable bytes first): GPT-2's token id of
 * the single byte, and the id our trained tokenizers give it. */
int clm_byte_order(uint8_t b);

/* The byte at position `i` (0..255) of that order. */
uint8_t clm_byte_at_order(int i);

/* Append the mapped form of `len` bytes (UTF-8 text) to `out`; 0 or CLM_ENOMEM. */
int clm_bytes_to_mapped(const void *bytes, size_t len, struct clm_strbuf *out);

/* Append the bytes a mapped string stands for to `out`. CLM_EINVALID with a message when the
 * text is not UTF-8 or holds a character outside the mapping. */
int clm_mapped_to_bytes(const char *text, size_t len, struct clm_strbuf *out);

#endif
