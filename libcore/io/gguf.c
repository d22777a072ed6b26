#include "io/gguf.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GGUF_MAGIC "GGUF"
#define GGUF_VERSION 3
#define MAX_KEY_LEN 65535      /* the specification's limit */
#define MAX_TENSOR_NAME 255
#define MAX_ALIGNMENT (1u << 20)
/* Smallest encodings, used to bound counts by the bytes left before allocating anything. */
#define MIN_KV_BYTES 13       /* empty key, type, one-byte value */
#define MIN_TENSOR_BYTES 32   /* empty name, n_dims, one dim, type, offset */

static size_t scalar_size(uint32_t type)
{
	switch (type) {
	case CLM_GGUF_UINT8: case CLM_GGUF_INT8: case CLM_GGUF_BOOL: return 1;
	case CLM_GGUF_UINT16: case CLM_GGUF_INT16: return 2;
	case CLM_GGUF_UINT32: case CLM_GGUF_INT32: case CLM_GGUF_FLOAT32: return 4;
	case CLM_GGUF_UINT64: case CLM_GGUF_INT64: case CLM_GGUF_FLOAT64: return 8;
	default: return 0;
	}
}

/* ---- reading ---- */

struct cursor {
	const uint8_t *base;
	size_t size, pos;
};

static int need(struct cursor *c, uint64_t n, const char *what)
{
	if (n > c->size - c->pos)
		return clm_error_set(CLM_EINVALID, "GGUF: %s at byte %zu runs past the end of the file (%zu bytes)",
				     what, c->pos, c->size);
	return 0;
}

static uint64_t le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static int read_u32(struct cursor *c, uint32_t *out, const char *what)
{
	int rc = need(c, 4, what);

	if (rc == 0) {
		*out = (uint32_t)le(c->base + c->pos, 4);
		c->pos += 4;
	}
	return rc;
}

static int read_u64(struct cursor *c, uint64_t *out, const char *what)
{
	int rc = need(c, 8, what);

	if (rc == 0) {
		*out = le(c->base + c->pos, 8);
		c->pos += 8;
	}
	return rc;
}

static int read_str(struct cursor *c, struct clm_gguf_str *out, uint64_t max_len, const char *what)
{
	uint64_t len;
	int rc = read_u64(c, &len, what);

	if (rc < 0)
		return rc;
	if (len > max_len)
		return clm_error_set(CLM_EINVALID, "GGUF: %s at byte %zu is %llu bytes long (limit %llu)", what,
				     c->pos - 8, (unsigned long long)len, (unsigned long long)max_len);
	rc = need(c, len, what);
	if (rc == 0) {
		out->s = (const char *)c->base + c->pos;
		out->len = (size_t)len;
		c->pos += (size_t)len;
	}
	return rc;
}

/* Skip one value of `type` (not an array), checking it fits. */
static int skip_value(struct cursor *c, uint32_t type)
{
	struct clm_gguf_str s;
	size_t n = scalar_size(type);

	if (type == CLM_GGUF_STRING)
		return read_str(c, &s, UINT64_MAX, "string value");
	if (n == 0)
		return clm_error_set(CLM_EINVALID, "GGUF: unknown value type %u at byte %zu", type, c->pos);
	if (need(c, n, "value") < 0)
		return CLM_EINVALID;
	if (type == CLM_GGUF_BOOL && c->base[c->pos] > 1)
		return clm_error_set(CLM_EINVALID, "GGUF: boolean at byte %zu is neither 0 nor 1", c->pos);
	c->pos += n;
	return 0;
}

static int read_kv(struct cursor *c, struct clm_gguf_kv *kv)
{
	uint32_t type;
	size_t start;
	int rc = read_str(c, &kv->key, MAX_KEY_LEN, "metadata key");

	if (rc == 0)
		rc = read_u32(c, &type, "value type");
	if (rc < 0)
		return rc;
	kv->type = type;
	kv->arr_type = type;
	kv->count = 1;
	if (type == CLM_GGUF_ARRAY) {
		uint32_t at;
		uint64_t count;
		if ((rc = read_u32(c, &at, "array type")) < 0 || (rc = read_u64(c, &count, "array length")) < 0)
			return rc;
		if (at == CLM_GGUF_ARRAY)
			return clm_error_set(CLM_EINVALID, "GGUF: nested array in '%.*s'", (int)kv->key.len, kv->key.s);
		/* every element takes at least one byte (a string at least eight): bound the loop */
		if (count > (c->size - c->pos) / (at == CLM_GGUF_STRING ? 8 : (scalar_size(at) ? scalar_size(at) : 1)))
			return clm_error_set(CLM_EINVALID, "GGUF: array '%.*s' declares %llu elements, more than the file holds",
					     (int)kv->key.len, kv->key.s, (unsigned long long)count);
		kv->arr_type = at;
		kv->count = count;
		start = c->pos;
		if (at != CLM_GGUF_STRING && scalar_size(at)) {
			rc = need(c, count * scalar_size(at), "array");
			if (rc == 0 && at == CLM_GGUF_BOOL)
				for (uint64_t i = 0; i < count && rc == 0; i++)
					rc = c->base[c->pos + i] > 1 ? clm_error_set(CLM_EINVALID, "GGUF: bad boolean in '%.*s'",
										     (int)kv->key.len, kv->key.s) : 0;
			if (rc == 0)
				c->pos += (size_t)(count * scalar_size(at));
		} else {
			for (uint64_t i = 0; i < count && rc == 0; i++)
				rc = skip_value(c, at);
		}
	} else {
		start = c->pos;
		rc = skip_value(c, type);
	}
	kv->value = c->base + start;
	kv->size = c->pos - start;
	return rc < 0 ? clm_error_wrap(rc, "GGUF: in '%.*s'", (int)kv->key.len, kv->key.s) : 0;
}

static int read_tensor_info(struct cursor *c, struct clm_gguf_tensor *t)
{
	uint32_t type;
	uint64_t numel = 1;
	size_t row;
	char what[MAX_TENSOR_NAME + 32];
	int rc = read_str(c, &t->name, MAX_TENSOR_NAME, "tensor name");

	if (rc == 0)
		rc = read_u32(c, &t->n_dims, "tensor dimension count");
	if (rc < 0)
		return rc;
	if (t->n_dims < 1 || t->n_dims > CLM_GGUF_MAX_DIMS)
		return clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' has %u dimensions (1 to %d allowed)",
				     (int)t->name.len, t->name.s, t->n_dims, CLM_GGUF_MAX_DIMS);
	for (uint32_t d = 0; d < CLM_GGUF_MAX_DIMS; d++)
		t->ne[d] = 1;
	for (uint32_t d = 0; d < t->n_dims; d++) {
		if ((rc = read_u64(c, &t->ne[d], "tensor dimension")) < 0)
			return rc;
		if (t->ne[d] > INT64_MAX || (t->ne[d] && numel > INT64_MAX / t->ne[d]))
			return clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' has an impossible size",
					     (int)t->name.len, t->name.s);
		numel *= t->ne[d];
	}
	if ((rc = read_u32(c, &type, "tensor type")) < 0 || (rc = read_u64(c, &t->offset, "tensor offset")) < 0)
		return rc;
	t->type = type;
	snprintf(what, sizeof(what), "GGUF: tensor '%.*s'", (int)t->name.len, t->name.s);
	if ((rc = clm_ggml_check_type(type, what)) < 0)
		return rc;
	if ((rc = clm_ggml_row_bytes(t->type, t->ne[0], &row)) < 0)
		return clm_error_wrap(rc, "%s", what);
	if (numel && row > SIZE_MAX / (numel / t->ne[0]))
		return clm_error_set(CLM_EINVALID, "%s is too large", what);
	t->nbytes = numel ? row * (size_t)(numel / t->ne[0]) : 0;
	return 0;
}

static int cmp_str(const struct clm_gguf_str *a, const struct clm_gguf_str *b)
{
	int r = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
	return r ? r : (a->len > b->len) - (a->len < b->len);
}

static int cmp_kv_ptr(const void *a, const void *b)
{
	return cmp_str(&(*(const struct clm_gguf_kv *const *)a)->key, &(*(const struct clm_gguf_kv *const *)b)->key);
}

static int cmp_tensor_ptr(const void *a, const void *b)
{
	return cmp_str(&(*(const struct clm_gguf_tensor *const *)a)->name,
		       &(*(const struct clm_gguf_tensor *const *)b)->name);
}

/* Refuse repeated keys and tensor names: sort pointers, compare neighbours (n log n for huge
 * hostile tables). */
static int check_unique(struct clm_gguf_file *f)
{
	size_t n = f->n_kv > f->n_tensors ? f->n_kv : f->n_tensors;
	const void **p = n ? malloc(n * sizeof(*p)) : NULL;
	int rc = 0;

	if (n && !p)
		return clm_error_oom();
	for (size_t i = 0; i < f->n_kv; i++)
		p[i] = &f->kv[i];
	if (f->n_kv > 1) /* p is NULL for a file without pairs and tensors */
		qsort(p, f->n_kv, sizeof(*p), cmp_kv_ptr);
	for (size_t i = 1; i < f->n_kv && !rc; i++)
		if (!cmp_kv_ptr(&p[i - 1], &p[i]))
			rc = clm_error_set(CLM_EINVALID, "GGUF: key '%.*s' appears twice",
					   (int)((const struct clm_gguf_kv *)p[i])->key.len,
					   ((const struct clm_gguf_kv *)p[i])->key.s);
	for (size_t i = 0; i < f->n_tensors && !rc; i++)
		p[i] = &f->tensors[i];
	if (!rc && f->n_tensors > 1)
		qsort(p, f->n_tensors, sizeof(*p), cmp_tensor_ptr);
	for (size_t i = 1; i < f->n_tensors && !rc; i++)
		if (!cmp_tensor_ptr(&p[i - 1], &p[i]))
			rc = clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' appears twice",
					   (int)((const struct clm_gguf_tensor *)p[i])->name.len,
					   ((const struct clm_gguf_tensor *)p[i])->name.s);
	free(p);
	return rc;
}

static int read_alignment(struct clm_gguf_file *f)
{
	const struct clm_gguf_kv *kv = clm_gguf_find(f, "general.alignment");
	uint32_t a;

	f->alignment = CLM_GGUF_DEFAULT_ALIGNMENT;
	if (!kv)
		return 0;
	if (kv->type != CLM_GGUF_UINT32)
		return clm_error_set(CLM_EINVALID, "GGUF: general.alignment is not a uint32");
	a = (uint32_t)le(kv->value, 4);
	if (a == 0 || (a & (a - 1)) || a > MAX_ALIGNMENT)
		return clm_error_set(CLM_EINVALID, "GGUF: general.alignment %u is not a power of two up to %u", a,
				     MAX_ALIGNMENT);
	f->alignment = a;
	return 0;
}

int clm_gguf_parse(const void *data, size_t size, struct clm_gguf_file *f)
{
	struct cursor c = { data, size, 0 };
	uint32_t version;
	uint64_t n_tensors, n_kv;
	size_t data_start;
	int rc;

	memset(f, 0, sizeof(*f));
	if (size < 4 || memcmp(data, GGUF_MAGIC, 4))
		return clm_error_set(CLM_EINVALID, "not a GGUF file (no GGUF magic)");
	c.pos = 4;
	if ((rc = read_u32(&c, &version, "version")) < 0)
		return rc;
	if (version != 2 && version != 3)
		return clm_error_set(CLM_EINVALID, "GGUF version %u is not supported (2 and 3 are)", version);
	if ((rc = read_u64(&c, &n_tensors, "tensor count")) < 0 || (rc = read_u64(&c, &n_kv, "metadata count")) < 0)
		return rc;
	if (n_kv > (size - c.pos) / MIN_KV_BYTES || n_tensors > (size - c.pos) / MIN_TENSOR_BYTES)
		return clm_error_set(CLM_EINVALID, "GGUF: header declares %llu tensors and %llu metadata pairs, "
				     "more than a %zu-byte file can hold", (unsigned long long)n_tensors,
				     (unsigned long long)n_kv, size);
	f->version = version;
	f->kv = calloc(n_kv ? (size_t)n_kv : 1, sizeof(*f->kv));
	f->tensors = calloc(n_tensors ? (size_t)n_tensors : 1, sizeof(*f->tensors));
	if (!f->kv || !f->tensors) {
		rc = clm_error_oom();
		goto fail;
	}
	for (; f->n_kv < n_kv; f->n_kv++)
		if ((rc = read_kv(&c, &f->kv[f->n_kv])) < 0)
			goto fail;
	for (; f->n_tensors < n_tensors; f->n_tensors++)
		if ((rc = read_tensor_info(&c, &f->tensors[f->n_tensors])) < 0)
			goto fail;
	if ((rc = check_unique(f)) < 0 || (rc = read_alignment(f)) < 0)
		goto fail;
	data_start = c.pos + (f->alignment - c.pos % f->alignment) % f->alignment;
	for (size_t i = 0; i < f->n_tensors; i++) {
		struct clm_gguf_tensor *t = &f->tensors[i];
		if (t->offset % f->alignment) {
			rc = clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' offset %llu is not a multiple of the "
					   "alignment %u", (int)t->name.len, t->name.s, (unsigned long long)t->offset,
					   f->alignment);
			goto fail;
		}
		if (data_start > size || t->offset > size - data_start || t->nbytes > size - data_start - t->offset) {
			rc = clm_error_set(CLM_EINVALID, "GGUF: tensor '%.*s' (%zu bytes at offset %llu) lies beyond "
					   "the end of the file", (int)t->name.len, t->name.s, t->nbytes,
					   (unsigned long long)t->offset);
			goto fail;
		}
		t->data = (const uint8_t *)data + data_start + t->offset;
	}
	return 0;
fail:
	free(f->kv);
	free(f->tensors);
	memset(f, 0, sizeof(*f));
	return rc;
}

int clm_gguf_open(const char *path, struct clm_gguf_file *f)
{
	struct stat st;
	void *map;
	int fd, rc;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return clm_error_set(errno == ENOENT ? CLM_ENOTFOUND : CLM_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return clm_error_set(CLM_EINVALID, "%s: not a GGUF file (empty or not a regular file)", path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return clm_error_set(CLM_EIO, "%s: cannot map: %s", path, strerror(errno));
	rc = clm_gguf_parse(map, (size_t)st.st_size, f);
	if (rc < 0) {
		munmap(map, (size_t)st.st_size);
		return clm_error_wrap(rc, "%s", path);
	}
	f->map = map;
	f->map_size = (size_t)st.st_size;
	return 0;
}

void clm_gguf_close(struct clm_gguf_file *f)
{
	free(f->kv);
	free(f->tensors);
	if (f->map)
		munmap(f->map, f->map_size);
	memset(f, 0, sizeof(*f));
}

static int str_is(const struct clm_gguf_str *s, const char *want)
{
	return s->len == strlen(want) && !memcmp(s->s, want, s->len);
}

const struct clm_gguf_kv *clm_gguf_find(const struct clm_gguf_file *f, const char *key)
{
	for (size_t i = 0; i < f->n_kv; i++)
		if (str_is(&f->kv[i].key, key))
			return &f->kv[i];
	return NULL;
}

const struct clm_gguf_tensor *clm_gguf_find_tensor(const struct clm_gguf_file *f, const char *name)
{
	for (size_t i = 0; i < f->n_tensors; i++)
		if (str_is(&f->tensors[i].name, name))
			return &f->tensors[i];
	return NULL;
}

static const struct clm_gguf_kv *find_typed(const struct clm_gguf_file *f, const char *key, int *rc)
{
	const struct clm_gguf_kv *kv = clm_gguf_find(f, key);

	*rc = kv ? 0 : clm_error_set(CLM_ENOTFOUND, "GGUF: no '%s' in the metadata", key);
	return kv;
}

int clm_gguf_tensor_to_f32(const struct clm_gguf_tensor *t, float **out)
{
	uint64_t n = t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];

	*out = malloc((n ? n : 1) * sizeof(float));
	if (!*out)
		return clm_error_oom();
	clm_ggml_dequantize(t->type, t->data, *out, (size_t)n);
	return 0;
}

/* Integer value of a scalar of integer type at p; -1 when the type is not an integer. */
static int int_value(uint32_t type, const uint8_t *p, int64_t *out, uint64_t *uout, int *is_signed)
{
	size_t n = scalar_size(type);

	if (n == 0 || type == CLM_GGUF_FLOAT32 || type == CLM_GGUF_FLOAT64 || type == CLM_GGUF_BOOL)
		return -1;
	*uout = le(p, n);
	*is_signed = type == CLM_GGUF_INT8 || type == CLM_GGUF_INT16 || type == CLM_GGUF_INT32 || type == CLM_GGUF_INT64;
	if (*is_signed && n < 8 && (*uout >> (8 * n - 1)) & 1)
		*out = (int64_t)(*uout | ~((UINT64_C(1) << (8 * n)) - 1));
	else
		*out = (int64_t)*uout;
	return 0;
}

int clm_gguf_get_uint(const struct clm_gguf_file *f, const char *key, uint64_t *out)
{
	int rc, is_signed;
	const struct clm_gguf_kv *kv = find_typed(f, key, &rc);
	int64_t v;
	uint64_t u;

	if (!kv)
		return rc;
	if (kv->type == CLM_GGUF_ARRAY || int_value(kv->type, kv->value, &v, &u, &is_signed) < 0)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is not an integer", key);
	if (is_signed && v < 0)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is negative", key);
	*out = u;
	return 0;
}

int clm_gguf_get_float(const struct clm_gguf_file *f, const char *key, double *out)
{
	int rc;
	const struct clm_gguf_kv *kv = find_typed(f, key, &rc);
	uint64_t bits;

	if (!kv)
		return rc;
	if (kv->type == CLM_GGUF_FLOAT32) {
		uint32_t b32 = (uint32_t)le(kv->value, 4);
		float v;
		memcpy(&v, &b32, 4);
		*out = v;
	} else if (kv->type == CLM_GGUF_FLOAT64) {
		bits = le(kv->value, 8);
		memcpy(out, &bits, 8);
	} else {
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is not a float", key);
	}
	return isfinite(*out) ? 0 : clm_error_set(CLM_EINVALID, "GGUF: '%s' is not a finite number", key);
}

int clm_gguf_get_string(const struct clm_gguf_file *f, const char *key, struct clm_gguf_str *out)
{
	int rc;
	const struct clm_gguf_kv *kv = find_typed(f, key, &rc);

	if (!kv)
		return rc;
	if (kv->type != CLM_GGUF_STRING)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is not a string", key);
	out->len = (size_t)le(kv->value, 8); /* checked against the file while parsing */
	out->s = (const char *)kv->value + 8;
	return 0;
}

int clm_gguf_get_strings(const struct clm_gguf_file *f, const char *key, struct clm_gguf_str **out, size_t *n)
{
	int rc;
	const struct clm_gguf_kv *kv = find_typed(f, key, &rc);
	const uint8_t *p;

	if (!kv)
		return rc;
	if (kv->type != CLM_GGUF_ARRAY || kv->arr_type != CLM_GGUF_STRING)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is not an array of strings", key);
	*out = malloc((kv->count ? (size_t)kv->count : 1) * sizeof(**out));
	if (!*out)
		return clm_error_oom();
	p = kv->value;
	for (size_t i = 0; i < kv->count; i++) { /* lengths were checked against the file while parsing */
		(*out)[i].len = (size_t)le(p, 8);
		(*out)[i].s = (const char *)p + 8;
		p += 8 + (*out)[i].len;
	}
	*n = (size_t)kv->count;
	return 0;
}

int clm_gguf_get_ints(const struct clm_gguf_file *f, const char *key, int64_t **out, size_t *n)
{
	int rc, is_signed;
	const struct clm_gguf_kv *kv = find_typed(f, key, &rc);
	size_t es;
	uint64_t u;

	if (!kv)
		return rc;
	es = kv->type == CLM_GGUF_ARRAY ? scalar_size(kv->arr_type) : 0;
	if (!es || kv->arr_type == CLM_GGUF_FLOAT32 || kv->arr_type == CLM_GGUF_FLOAT64 || kv->arr_type == CLM_GGUF_BOOL)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' is not an array of integers", key);
	*out = malloc((kv->count ? (size_t)kv->count : 1) * sizeof(**out));
	if (!*out)
		return clm_error_oom();
	for (size_t i = 0; i < kv->count; i++)
		int_value(kv->arr_type, kv->value + i * es, &(*out)[i], &u, &is_signed);
	*n = (size_t)kv->count;
	return 0;
}

/* ---- writing ---- */

static int put_le(struct clm_strbuf *sb, uint64_t v, size_t n)
{
	uint8_t b[8];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return clm_strbuf_add(sb, b, n);
}

static int put_str(struct clm_strbuf *sb, const char *s, size_t len)
{
	int rc = put_le(sb, len, 8);
	return rc ? rc : clm_strbuf_add(sb, s, len);
}

static int put_key(struct clm_gguf_writer *w, const char *key, uint32_t type)
{
	int rc = put_str(&w->kv, key, strlen(key));

	if (!rc)
		rc = put_le(&w->kv, type, 4);
	if (!rc)
		w->n_kv++;
	return rc;
}

int clm_gguf_writer_init(struct clm_gguf_writer *w, uint32_t alignment)
{
	memset(w, 0, sizeof(*w));
	clm_strbuf_init(&w->kv);
	clm_strbuf_init(&w->info);
	clm_strbuf_init(&w->data);
	w->alignment = alignment ? alignment : CLM_GGUF_DEFAULT_ALIGNMENT;
	if (w->alignment & (w->alignment - 1) || w->alignment > MAX_ALIGNMENT)
		return clm_error_set(CLM_EINVALID, "GGUF alignment %u is not a power of two", alignment);
	return w->alignment == CLM_GGUF_DEFAULT_ALIGNMENT ? 0 : clm_gguf_add_u32(w, "general.alignment", w->alignment);
}

void clm_gguf_writer_release(struct clm_gguf_writer *w)
{
	clm_strbuf_release(&w->kv);
	clm_strbuf_release(&w->info);
	clm_strbuf_release(&w->data);
}

int clm_gguf_add_u32(struct clm_gguf_writer *w, const char *key, uint32_t v)
{
	int rc = put_key(w, key, CLM_GGUF_UINT32);
	return rc ? rc : put_le(&w->kv, v, 4);
}

int clm_gguf_add_f32(struct clm_gguf_writer *w, const char *key, float v)
{
	uint32_t bits;
	int rc = put_key(w, key, CLM_GGUF_FLOAT32);

	memcpy(&bits, &v, 4);
	return rc ? rc : put_le(&w->kv, bits, 4);
}

int clm_gguf_add_bool(struct clm_gguf_writer *w, const char *key, int v)
{
	int rc = put_key(w, key, CLM_GGUF_BOOL);
	return rc ? rc : put_le(&w->kv, v ? 1 : 0, 1);
}

int clm_gguf_add_string(struct clm_gguf_writer *w, const char *key, const char *v)
{
	int rc = put_key(w, key, CLM_GGUF_STRING);
	return rc ? rc : put_str(&w->kv, v, strlen(v));
}

int clm_gguf_add_strings(struct clm_gguf_writer *w, const char *key, const char *const *v, size_t n)
{
	int rc = put_key(w, key, CLM_GGUF_ARRAY);

	if (!rc)
		rc = put_le(&w->kv, CLM_GGUF_STRING, 4);
	if (!rc)
		rc = put_le(&w->kv, n, 8);
	for (size_t i = 0; i < n && !rc; i++)
		rc = put_str(&w->kv, v[i], strlen(v[i]));
	return rc;
}

int clm_gguf_add_i32s(struct clm_gguf_writer *w, const char *key, const int32_t *v, size_t n)
{
	int rc = put_key(w, key, CLM_GGUF_ARRAY);

	if (!rc)
		rc = put_le(&w->kv, CLM_GGUF_INT32, 4);
	if (!rc)
		rc = put_le(&w->kv, n, 8);
	for (size_t i = 0; i < n && !rc; i++)
		rc = put_le(&w->kv, (uint32_t)v[i], 4);
	return rc;
}

static int pad_to(struct clm_strbuf *sb, size_t len, uint32_t alignment)
{
	static const char zeros[64];
	size_t pad = (alignment - len % alignment) % alignment;
	int rc = 0;

	while (pad > 0 && !rc) {
		size_t n = pad < sizeof(zeros) ? pad : sizeof(zeros);
		rc = clm_strbuf_add(sb, zeros, n);
		pad -= n;
	}
	return rc;
}

int clm_gguf_add_tensor(struct clm_gguf_writer *w, const char *name, enum clm_ggml_type type, uint32_t n_dims,
			const uint64_t *ne, const void *data, size_t nbytes)
{
	uint64_t rows = 1;
	size_t row;
	int rc;

	if (strlen(name) >= 64) /* ggml's GGML_MAX_NAME */
		return clm_error_set(CLM_EINVALID, "GGUF tensor name '%s' is longer than 63 bytes", name);
	if (n_dims < 1 || n_dims > CLM_GGUF_MAX_DIMS || !clm_ggml_type_supported(type))
		return clm_error_set(CLM_EINVALID, "GGUF tensor '%s': bad dimensions or type", name);
	if ((rc = clm_ggml_row_bytes(type, ne[0], &row)) < 0)
		return clm_error_wrap(rc, "GGUF tensor '%s'", name);
	for (uint32_t d = 1; d < n_dims; d++)
		rows *= ne[d];
	if (row * rows != nbytes)
		return clm_error_set(CLM_EINVALID, "GGUF tensor '%s': %zu bytes for %llu rows of %llu %s values", name,
				     nbytes, (unsigned long long)rows, (unsigned long long)ne[0], clm_ggml_type_name(type));
	rc = put_str(&w->info, name, strlen(name));
	if (!rc)
		rc = put_le(&w->info, n_dims, 4);
	for (uint32_t d = 0; d < n_dims && !rc; d++)
		rc = put_le(&w->info, ne[d], 8);
	if (!rc)
		rc = put_le(&w->info, (uint32_t)type, 4);
	if (!rc)
		rc = put_le(&w->info, w->data.len, 8);
	if (!rc)
		rc = clm_strbuf_add(&w->data, data, nbytes);
	if (!rc)
		rc = pad_to(&w->data, w->data.len, w->alignment);
	if (!rc)
		w->n_tensors++;
	return rc;
}

static int write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t n = write(fd, c, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

int clm_gguf_write(struct clm_gguf_writer *w, const char *path)
{
	struct clm_strbuf head = CLM_STRBUF_INIT, tmp = CLM_STRBUF_INIT;
	int fd = -1, rc;

	rc = clm_strbuf_add(&head, GGUF_MAGIC, 4);
	if (!rc)
		rc = put_le(&head, GGUF_VERSION, 4);
	if (!rc)
		rc = put_le(&head, w->n_tensors, 8);
	if (!rc)
		rc = put_le(&head, w->n_kv, 8);
	if (!rc)
		rc = clm_strbuf_add(&head, w->kv.buf, w->kv.len);
	if (!rc)
		rc = clm_strbuf_add(&head, w->info.buf, w->info.len);
	if (!rc)
		rc = pad_to(&head, head.len, w->alignment);
	if (rc < 0 || (fd = clm_temp_create(path, &tmp)) < 0) {
		rc = rc < 0 ? rc : fd;
		goto cleanup;
	}
	if (write_all(fd, head.buf, head.len) < 0 || write_all(fd, w->data.buf, w->data.len) < 0 || fsync(fd) < 0) {
		rc = clm_error_set(CLM_EIO, "%s: write failed: %s", path, strerror(errno));
		close(fd);
		unlink(tmp.buf);
		goto cleanup;
	}
	close(fd);
	if (rename(tmp.buf, path) < 0) {
		rc = clm_error_set(CLM_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
		unlink(tmp.buf);
	}
cleanup:
	clm_strbuf_release(&head);
	clm_strbuf_release(&tmp);
	return rc;
}
