/* GGUF (the llama.cpp / ggml model file, version 3; version 2 is read too): a writer that builds
 * the key-value metadata and tensor table and writes the file atomically, and a defensive reader
 * that checks every count, length, offset and size against the file before using it.
 * Layout: "GGUF", version u32, tensor count u64, kv count u64, kv pairs (key string, type u32,
 * value), tensor infos (name, n_dims u32, dims u64 innermost first, ggml type u32, offset u64
 * from the data start), padding to the alignment, tensor data (each tensor aligned). Strings are
 * u64 length + bytes; everything little-endian. */
#ifndef CLM_IO_GGUF_H
#define CLM_IO_GGUF_H

#include <stddef.h>
#include <stdint.h>
#include "quant/blocks.h"
#include "util/strbuf.h"

#define CLM_GGUF_DEFAULT_ALIGNMENT 32
#define CLM_GGUF_MAX_DIMS 4

/* Metadata value types (gguf_type). */
enum clm_gguf_type {
	CLM_GGUF_UINT8 = 0, CLM_GGUF_INT8 = 1, CLM_GGUF_UINT16 = 2, CLM_GGUF_INT16 = 3,
	CLM_GGUF_UINT32 = 4, CLM_GGUF_INT32 = 5, CLM_GGUF_FLOAT32 = 6, CLM_GGUF_BOOL = 7,
	CLM_GGUF_STRING = 8, CLM_GGUF_ARRAY = 9, CLM_GGUF_UINT64 = 10, CLM_GGUF_INT64 = 11,
	CLM_GGUF_FLOAT64 = 12
};

/* A string inside a mapped file: not NUL-terminated. */
struct clm_gguf_str {
	const char *s;
	size_t len;
};

struct clm_gguf_kv {
	struct clm_gguf_str key;
	enum clm_gguf_type type;     /* CLM_GGUF_ARRAY for arrays */
	enum clm_gguf_type arr_type; /* element type of an array */
	uint64_t count;              /* elements of an array; 1 otherwise */
	const uint8_t *value;        /* raw value bytes in the file (array: first element) */
	size_t size;                 /* raw value bytes */
};

struct clm_gguf_tensor {
	struct clm_gguf_str name;
	uint32_t n_dims;
	uint64_t ne[CLM_GGUF_MAX_DIMS]; /* ggml order: ne[0] varies fastest; unused dims are 1 */
	enum clm_ggml_type type;
	uint64_t offset;                /* from the start of the data section */
	const uint8_t *data;            /* inside the file */
	size_t nbytes;
};

/* A parsed file. Every pointer points into the bytes given to clm_gguf_parse (or the file
 * mapped by clm_gguf_open), which must outlive it. */
struct clm_gguf_file {
	uint32_t version;
	uint32_t alignment;
	size_t n_kv;
	struct clm_gguf_kv *kv;           /* owned */
	size_t n_tensors;
	struct clm_gguf_tensor *tensors;  /* owned */
	void *map;                        /* owned mapping when opened from a path */
	size_t map_size;
};

/* Parse `size` bytes. Refuses (CLM_EINVALID, message with the byte offset) bad magic, versions
 * other than 2 and 3, counts or lengths beyond the file, unknown types, nesting, duplicate keys or
 * tensor names, misaligned or overlapping-the-end offsets, tensor types we do not read (named),
 * rows that are not whole blocks and sizes that overflow. On failure `f` holds nothing. */
int clm_gguf_parse(const void *data, size_t size, struct clm_gguf_file *f);

/* Map `path` read-only and parse it; messages name the path. */
int clm_gguf_open(const char *path, struct clm_gguf_file *f);

/* Free the tables and unmap. */
void clm_gguf_close(struct clm_gguf_file *f);

/* The pair called `key`, or NULL. */
const struct clm_gguf_kv *clm_gguf_find(const struct clm_gguf_file *f, const char *key);

/* The tensor called `name`, or NULL. */
const struct clm_gguf_tensor *clm_gguf_find_tensor(const struct clm_gguf_file *f, const char *name);

/* Tensor `t` decoded to newly allocated f32 values (caller frees); 0 or CLM_ENOMEM. */
int clm_gguf_tensor_to_f32(const struct clm_gguf_tensor *t, float **out);

/* Value of `key` as an unsigned integer (any integer type, non-negative); 0, CLM_ENOTFOUND or
 * CLM_EINVALID with a message. */
int clm_gguf_get_uint(const struct clm_gguf_file *f, const char *key, uint64_t *out);

/* Value of `key` as a float (FLOAT32 or FLOAT64). */
int clm_gguf_get_float(const struct clm_gguf_file *f, const char *key, double *out);

/* Value of `key` as a string (points into the file). */
int clm_gguf_get_string(const struct clm_gguf_file *f, const char *key, struct clm_gguf_str *out);

/* The elements of string array `key` (newly allocated table into the file; caller frees). */
int clm_gguf_get_strings(const struct clm_gguf_file *f, const char *key, struct clm_gguf_str **out, size_t *n);

/* The elements of integer array `key` as int64 (newly allocated; caller frees). */
int clm_gguf_get_ints(const struct clm_gguf_file *f, const char *key, int64_t **out, size_t *n);

/* ---- writing ---- */

struct clm_gguf_writer {
	uint32_t alignment;
	struct clm_strbuf kv;     /* encoded pairs */
	uint64_t n_kv;
	struct clm_strbuf info;   /* encoded tensor infos */
	uint64_t n_tensors;
	struct clm_strbuf data;   /* tensor bytes, each padded to the alignment */
};

/* Start a file with the given tensor alignment (0: 32; written as general.alignment if not 32). */
int clm_gguf_writer_init(struct clm_gguf_writer *w, uint32_t alignment);

/* Add metadata pairs; 0 or CLM_ENOMEM. Keys must be unique (the caller's duty). */
int clm_gguf_add_u32(struct clm_gguf_writer *w, const char *key, uint32_t v);
int clm_gguf_add_f32(struct clm_gguf_writer *w, const char *key, float v);
int clm_gguf_add_bool(struct clm_gguf_writer *w, const char *key, int v);
int clm_gguf_add_string(struct clm_gguf_writer *w, const char *key, const char *v);
int clm_gguf_add_strings(struct clm_gguf_writer *w, const char *key, const char *const *v, size_t n);
int clm_gguf_add_i32s(struct clm_gguf_writer *w, const char *key, const int32_t *v, size_t n);

/* Add a tensor (bytes copied, already encoded as `type`: clm_ggml_quantize writes the blocks);
 * `ne` in ggml order. 0, CLM_EINVALID (size mismatch, rows not whole blocks) or CLM_ENOMEM. */
int clm_gguf_add_tensor(struct clm_gguf_writer *w, const char *name, enum clm_ggml_type type, uint32_t n_dims,
			const uint64_t *ne, const void *data, size_t nbytes);

/* Write the file atomically (temporary file, fsync, rename). */
int clm_gguf_write(struct clm_gguf_writer *w, const char *path);

/* Free the writer's memory. */
void clm_gguf_writer_release(struct clm_gguf_writer *w);

#endif
