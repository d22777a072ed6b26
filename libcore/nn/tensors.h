/* Named tensor lists: the common currency between the engine, checkpoint files (safetensors,
 * GGUF) and the model store in git. Data is always little-endian, row-major. */
#ifndef CLM_NN_TENSORS_H
#define CLM_NN_TENSORS_H

#include <stddef.h>
#include <stdint.h>

#define CLM_TENSOR_MAX_DIMS 4

enum clm_dtype { CLM_DTYPE_F32 = 0, CLM_DTYPE_F16, CLM_DTYPE_BF16, CLM_DTYPE_I32, CLM_DTYPE_I64, CLM_DTYPE_U8 };

struct clm_named_tensor {
	char *name;                          /* owned, e.g. "h.0.attn.c_attn.weight" */
	enum clm_dtype dtype;
	int ndim;                            /* 0..CLM_TENSOR_MAX_DIMS */
	int64_t shape[CLM_TENSOR_MAX_DIMS];
	void *data;                          /* owned, nbytes long */
	size_t nbytes;
};

struct clm_tensor_list {
	struct clm_named_tensor *items; /* owned */
	size_t n, alloc;
};

/* Bytes per element of a dtype. */
size_t clm_dtype_size(enum clm_dtype dt);

/* Name as safetensors writes it ("F32", "F16", "BF16", "I32", "I64", "U8"). */
const char *clm_dtype_name(enum clm_dtype dt);

/* Parse a safetensors dtype name; 0 or CLM_EINVALID. */
int clm_dtype_parse(const char *name, enum clm_dtype *out);

/* Number of elements of a shape, or -1 when it overflows or a dimension is negative. */
int64_t clm_shape_numel(int ndim, const int64_t *shape);

/* Append a tensor, copying `name` and `data`; 0 or a negative code (shape/size mismatch). */
int clm_tensor_list_add(struct clm_tensor_list *l, const char *name, enum clm_dtype dtype, int ndim,
			const int64_t *shape, const void *data, size_t nbytes);

/* The tensor called `name`, or NULL. */
const struct clm_named_tensor *clm_tensor_list_find(const struct clm_tensor_list *l, const char *name);

/* 0 when every element of a float tensor (F32, F16, BF16) is finite, else CLM_EINVALID naming
 * the tensor and the first NaN or infinity; integer tensors always pass. Readers of model files
 * call it so a corrupted or diverged checkpoint is refused instead of silently used. */
int clm_tensor_check_finite(const struct clm_named_tensor *t);

/* Convert a float tensor (F32, F16, BF16) into `dst`, which holds its element count of floats.
 * 0 or CLM_EINVALID for other dtypes. */
int clm_tensor_to_f32_into(const struct clm_named_tensor *t, float *dst);

/* Convert an F32/F16/BF16 tensor to newly allocated f32 values (caller frees); 0 or negative. */
int clm_tensor_to_f32(const struct clm_named_tensor *t, float **out);

/* Free every tensor and the list's memory. */
void clm_tensor_list_release(struct clm_tensor_list *l);

#endif
