/* Hugging Face safetensors files: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the raw little-endian tensor bytes. */
#ifndef CLM_IO_SAFETENSORS_H
#define CLM_IO_SAFETENSORS_H

#include <jansson.h>
#include "nn/tensors.h"

/* The version of our own conventions, written as "clmodel_format" into __metadata__. */
#define CLM_SAFETENSORS_FORMAT_VERSION "1"

/* Headers larger than this are refused (the reference implementation uses the same bound). */
#define CLM_SAFETENSORS_MAX_HEADER (100u * 1024 * 1024)

/* Reader flag: convert F16 and BF16 tensors to F32 while loading. */
#define CLM_SAFETENSORS_TO_F32 1u

/* Append the tensors of the file at `path` to `out`, in file order. Every header field is checked
 * against the file size; overlapping tensors, gaps, trailing bytes and unsupported dtypes are
 * refused with a message naming the file and tensor. When `metadata` is not NULL it receives the
 * __metadata__ object (an empty object when absent; caller json_decref's it). On failure `out` is
 * left as it was. */
int clm_safetensors_read(const char *path, unsigned flags, struct clm_tensor_list *out, json_t **metadata);

/* A safetensors file mapped read-only: its tensors as views into the mapping (names owned, data
 * borrowed from the mapping: never free it, never use it after clm_safetensors_unmap). The header
 * is checked as clm_safetensors_read checks it; the tensor bytes are not read until used. */
struct clm_safetensors_map {
	void *base;
	size_t size;
	struct clm_named_tensor *tensors; /* in file order of their offsets */
	size_t n;
};

/* Map the file at `path`; `out` is initialised here. 0 or a negative code naming the file. */
int clm_safetensors_map(const char *path, struct clm_safetensors_map *out);

/* Let the kernel drop tensor i's pages from memory (after it has been copied out). */
void clm_safetensors_map_drop(struct clm_safetensors_map *m, size_t i);

/* Unmap and free; safe on a zeroed map. */
void clm_safetensors_unmap(struct clm_safetensors_map *m);

/* Write `tensors` in list order to `path` atomically (temporary file, fsync, rename).
 * `metadata` (may be NULL) is an object of string values merged into __metadata__, which always
 * carries "format": "pt" (what transformers expects) and "clmodel_format". */
int clm_safetensors_write(const char *path, const struct clm_tensor_list *tensors, const json_t *metadata);

#endif
