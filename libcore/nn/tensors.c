#include "nn/tensors.h"
#include "quant/blocks.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	size_t size;
} dtype_info[] = {
	[CLM_DTYPE_F32] = { "F32", 4 }, [CLM_DTYPE_F16] = { "F16", 2 }, [CLM_DTYPE_BF16] = { "BF16", 2 },
	[CLM_DTYPE_I32] = { "I32", 4 }, [CLM_DTYPE_I64] = { "I64", 8 }, [CLM_DTYPE_U8] = { "U8", 1 },
};

size_t clm_dtype_size(enum clm_dtype dt)
{
	return (unsigned)dt < sizeof(dtype_info) / sizeof(dtype_info[0]) ? dtype_info[dt].size : 0;
}

const char *clm_dtype_name(enum clm_dtype dt)
{
	return (unsigned)dt < sizeof(dtype_info) / sizeof(dtype_info[0]) ? dtype_info[dt].name : "?";
}

int clm_dtype_parse(const char *name, enum clm_dtype *out)
{
	for (size_t i = 0; i < sizeof(dtype_info) / sizeof(dtype_info[0]); i++)
		if (!strcmp(dtype_info[i].name, name)) {
			*out = (enum clm_dtype)i;
			return 0;
		}
	return clm_error_set(CLM_EINVALID, "unsupported dtype '%s'", name);
}

int64_t clm_shape_numel(int ndim, const int64_t *shape)
{
	int64_t n = 1;

	if (ndim < 0 || ndim > CLM_TENSOR_MAX_DIMS)
		return -1;
	for (int i = 0; i < ndim; i++) {
		if (shape[i] < 0 || (shape[i] && n > INT64_MAX / shape[i]))
			return -1;
		n *= shape[i];
	}
	return n;
}

int clm_tensor_list_add(struct clm_tensor_list *l, const char *name, enum clm_dtype dtype, int ndim,
			const int64_t *shape, const void *data, size_t nbytes)
{
	struct clm_named_tensor *t;
	int64_t numel = clm_shape_numel(ndim, shape);

	if (numel < 0 || clm_dtype_size(dtype) == 0 ||
	    (uint64_t)numel > SIZE_MAX / clm_dtype_size(dtype) ||
	    (size_t)numel * clm_dtype_size(dtype) != nbytes)
		return clm_error_set(CLM_EINVALID, "tensor '%s': shape and byte size do not agree", name);
	if (CLM_ALLOC_GROW(l->items, l->n + 1, l->alloc) < 0)
		return CLM_ENOMEM;
	t = &l->items[l->n];
	memset(t, 0, sizeof(*t));
	t->name = strdup(name);
	t->data = malloc(nbytes ? nbytes : 1);
	if (!t->name || !t->data) {
		free(t->name);
		free(t->data);
		return clm_error_oom();
	}
	if (nbytes)
		memcpy(t->data, data, nbytes);
	t->dtype = dtype;
	t->ndim = ndim;
	for (int i = 0; i < ndim; i++)
		t->shape[i] = shape[i];
	t->nbytes = nbytes;
	l->n++;
	return 0;
}

const struct clm_named_tensor *clm_tensor_list_find(const struct clm_tensor_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return &l->items[i];
	return NULL;
}

int clm_tensor_check_finite(const struct clm_named_tensor *t)
{
	const unsigned char *b = t->data;
	size_t size = clm_dtype_size(t->dtype), n = size ? t->nbytes / size : 0;

	for (size_t i = 0; i < n; i++) {
		int bad;
		/* all-ones exponent: NaN or infinity, tested on the little-endian bits */
		if (t->dtype == CLM_DTYPE_F32)
			bad = (b[4 * i + 3] & 0x7f) == 0x7f && (b[4 * i + 2] & 0x80);
		else if (t->dtype == CLM_DTYPE_F16)
			bad = (b[2 * i + 1] & 0x7c) == 0x7c;
		else if (t->dtype == CLM_DTYPE_BF16)
			bad = (b[2 * i + 1] & 0x7f) == 0x7f && (b[2 * i] & 0x80);
		else
			return 0;
		if (bad)
			return clm_error_set(CLM_EINVALID, "tensor '%s' holds NaN or infinity (element %zu)",
					     t->name, i);
	}
	return 0;
}

int clm_tensor_to_f32_into(const struct clm_named_tensor *t, float *dst)
{
	size_t n = t->nbytes / (clm_dtype_size(t->dtype) ? clm_dtype_size(t->dtype) : 1);
	const unsigned char *src = t->data;

	if (t->dtype != CLM_DTYPE_F32 && t->dtype != CLM_DTYPE_F16 && t->dtype != CLM_DTYPE_BF16)
		return clm_error_set(CLM_EINVALID, "tensor '%s' has dtype %s, not a float type", t->name,
				     clm_dtype_name(t->dtype));
	if (t->dtype == CLM_DTYPE_F32) {
		memcpy(dst, src, n * sizeof(float));
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		uint16_t h = (uint16_t)(src[2 * i] | (src[2 * i + 1] << 8));
		dst[i] = t->dtype == CLM_DTYPE_F16 ? clm_half_to_float(h) : clm_bf16_to_float(h);
	}
	return 0;
}

int clm_tensor_to_f32(const struct clm_named_tensor *t, float **out)
{
	size_t n = t->nbytes / (clm_dtype_size(t->dtype) ? clm_dtype_size(t->dtype) : 1);
	float *dst = malloc((n ? n : 1) * sizeof(float));
	int rc;

	*out = NULL;
	if (!dst)
		return clm_error_oom();
	if ((rc = clm_tensor_to_f32_into(t, dst)) < 0) {
		free(dst);
		return rc;
	}
	*out = dst;
	return 0;
}

void clm_tensor_list_release(struct clm_tensor_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].data);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
