#include "io/safetensors.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One tensor entry of a parsed header. */
struct st_entry {
	const char *name; /* points into the parsed JSON */
	enum clm_dtype dtype;
	int ndim;
	int64_t shape[CLM_TENSOR_MAX_DIMS];
	uint64_t begin, end; /* relative to the start of the data section */
};

/* Read exactly `len` bytes at `offset`; a short read means the file changed or is truncated. */
static int read_at(int fd, void *buf, size_t len, uint64_t offset, const char *path)
{
	char *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return clm_error_set(CLM_EIO, "%s: read failed: %s", path, strerror(errno));
		if (n == 0)
			return clm_error_set(CLM_EINVALID, "%s: file is truncated", path);
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

static int parse_shape(const json_t *shape, struct st_entry *e, const char *path)
{
	size_t i;
	const json_t *dim;

	if (!json_is_array(shape))
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': 'shape' is missing or not an array",
				     path, e->name);
	if (json_array_size(shape) > CLM_TENSOR_MAX_DIMS)
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': %zu dimensions (at most %d supported)",
				     path, e->name, json_array_size(shape), CLM_TENSOR_MAX_DIMS);
	json_array_foreach(shape, i, dim) {
		if (!json_is_integer(dim) || json_integer_value(dim) < 0)
			return clm_error_set(CLM_EINVALID, "%s: tensor '%s': shape[%zu] is not a non-negative integer",
					     path, e->name, i);
		e->shape[i] = json_integer_value(dim);
	}
	e->ndim = (int)json_array_size(shape);
	return 0;
}

static int parse_entry(const char *name, const json_t *v, uint64_t data_size, struct st_entry *e,
		       const char *path)
{
	const json_t *dtype = json_object_get(v, "dtype"), *offs = json_object_get(v, "data_offsets");
	const json_t *b, *en;
	int64_t numel;
	int rc;

	memset(e, 0, sizeof(*e));
	e->name = name;
	if (!*name)
		return clm_error_set(CLM_EINVALID, "%s: a tensor has an empty name", path);
	if (!json_is_object(v))
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': entry is not an object", path, name);
	if (!json_is_string(dtype))
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': 'dtype' is missing or not a string", path, name);
	if ((rc = clm_dtype_parse(json_string_value(dtype), &e->dtype)) < 0)
		return clm_error_wrap(rc, "%s: tensor '%s'", path, name);
	if ((rc = parse_shape(json_object_get(v, "shape"), e, path)) < 0)
		return rc;
	if (!json_is_array(offs) || json_array_size(offs) != 2 || !json_is_integer(b = json_array_get(offs, 0)) ||
	    !json_is_integer(en = json_array_get(offs, 1)) || json_integer_value(b) < 0 ||
	    json_integer_value(en) < json_integer_value(b))
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': 'data_offsets' must be [begin, end] with "
				     "0 <= begin <= end", path, name);
	e->begin = (uint64_t)json_integer_value(b);
	e->end = (uint64_t)json_integer_value(en);
	if (e->end > data_size)
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': bytes %llu..%llu lie beyond the end of the "
				     "file (data section has %llu bytes; truncated?)", path, name,
				     (unsigned long long)e->begin, (unsigned long long)e->end,
				     (unsigned long long)data_size);
	numel = clm_shape_numel(e->ndim, e->shape);
	if (numel < 0 || (uint64_t)numel > UINT64_MAX / clm_dtype_size(e->dtype) ||
	    (uint64_t)numel * clm_dtype_size(e->dtype) != e->end - e->begin)
		return clm_error_set(CLM_EINVALID, "%s: tensor '%s': shape and dtype need %lld elements of %zu "
				     "bytes but data_offsets span %llu bytes", path, name, (long long)numel,
				     clm_dtype_size(e->dtype), (unsigned long long)(e->end - e->begin));
	return 0;
}

static int by_begin(const void *a, const void *b)
{
	const struct st_entry *x = a, *y = b;
	return x->begin < y->begin ? -1 : x->begin > y->begin ? 1 : x->end < y->end ? -1 : x->end > y->end;
}

/* The entries sorted by offset must tile the data section exactly: no overlap, gap or tail. */
static int check_layout(struct st_entry *e, size_t n, uint64_t data_size, const char *path)
{
	uint64_t pos = 0;

	qsort(e, n, sizeof(*e), by_begin);
	for (size_t i = 0; i < n; i++) {
		if (e[i].begin < pos)
			return clm_error_set(CLM_EINVALID, "%s: tensor '%s' overlaps tensor '%s'", path, e[i].name,
					     e[i - 1].name);
		if (e[i].begin > pos)
			return clm_error_set(CLM_EINVALID, "%s: %llu bytes before tensor '%s' belong to no tensor",
					     path, (unsigned long long)(e[i].begin - pos), e[i].name);
		pos = e[i].end;
	}
	if (pos != data_size)
		return clm_error_set(CLM_EINVALID, "%s: %llu bytes after the last tensor belong to no tensor",
				     path, (unsigned long long)(data_size - pos));
	return 0;
}

static int check_metadata(const json_t *meta, const char *path)
{
	const char *key;
	const json_t *v;

	if (!json_is_object(meta))
		return clm_error_set(CLM_EINVALID, "%s: __metadata__ is not an object", path);
	json_object_foreach((json_t *)meta, key, v)
		if (!json_is_string(v))
			return clm_error_set(CLM_EINVALID, "%s: __metadata__ value '%s' is not a string", path, key);
	return 0;
}

static int parse_header(json_t *hdr, uint64_t data_size, struct st_entry **entries, size_t *n,
			const char *path)
{
	const char *key;
	json_t *v;
	size_t count = 0;
	int rc;

	*entries = NULL;
	*n = 0;
	if (!json_is_object(hdr))
		return clm_error_set(CLM_EINVALID, "%s: header is not a JSON object", path);
	*entries = calloc(json_object_size(hdr) + 1, sizeof(**entries));
	if (!*entries)
		return clm_error_oom();
	json_object_foreach(hdr, key, v) {
		if (!strcmp(key, "__metadata__")) {
			if ((rc = check_metadata(v, path)) < 0)
				return rc;
			continue;
		}
		if ((rc = parse_entry(key, v, data_size, &(*entries)[count], path)) < 0)
			return rc;
		count++;
	}
	*n = count;
	return check_layout(*entries, count, data_size, path);
}

static int load_tensor(int fd, uint64_t data_start, const struct st_entry *e, unsigned flags,
		       struct clm_tensor_list *out, const char *path)
{
	size_t nbytes = (size_t)(e->end - e->begin);
	void *buf = malloc(nbytes ? nbytes : 1);
	int rc;

	if (!buf)
		return clm_error_oom();
	rc = read_at(fd, buf, nbytes, data_start + e->begin, path);
	if (rc == 0) {
		struct clm_named_tensor raw = { (char *)e->name, e->dtype, e->ndim, { 0 }, buf, nbytes };
		if ((rc = clm_tensor_check_finite(&raw)) < 0)
			rc = clm_error_wrap(rc, "%s", path);
	}
	if (rc == 0 && (flags & CLM_SAFETENSORS_TO_F32) &&
	    (e->dtype == CLM_DTYPE_F16 || e->dtype == CLM_DTYPE_BF16)) {
		struct clm_named_tensor t = { (char *)e->name, e->dtype, e->ndim, { 0 }, buf, nbytes };
		float *f;
		memcpy(t.shape, e->shape, sizeof(t.shape));
		rc = clm_tensor_to_f32(&t, &f);
		if (rc == 0) {
			rc = clm_tensor_list_add(out, e->name, CLM_DTYPE_F32, e->ndim, e->shape, f,
						 nbytes / 2 * sizeof(float));
			free(f);
		}
	} else if (rc == 0) {
		rc = clm_tensor_list_add(out, e->name, e->dtype, e->ndim, e->shape, buf, nbytes);
	}
	free(buf);
	return rc;
}

/* Drop tensors appended after index `keep`, so a failed read leaves the list as it was. */
static void truncate_list(struct clm_tensor_list *l, size_t keep)
{
	while (l->n > keep) {
		l->n--;
		free(l->items[l->n].name);
		free(l->items[l->n].data);
	}
}

/* A file's parsed header: the open descriptor, its size, the JSON and the entries in offset order. */
struct st_file {
	int fd;
	uint64_t size, data_start;
	char *text;
	json_t *hdr;
	struct st_entry *entries;
	size_t n;
};

static void st_file_close(struct st_file *f)
{
	free(f->entries);
	json_decref(f->hdr);
	free(f->text);
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

/* Open `path` and parse and check its header against the file size. */
static int st_file_open(const char *path, struct st_file *f)
{
	unsigned char lenbuf[8];
	uint64_t hlen = 0;
	struct stat st;
	int rc;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return clm_error_set(errno == ENOENT ? CLM_ENOTFOUND : CLM_EIO, "cannot open '%s': %s", path,
				     strerror(errno));
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return clm_error_set(CLM_EINVALID, "%s: not a regular file", path);
	f->size = (uint64_t)st.st_size;
	if (f->size < 8)
		return clm_error_set(CLM_EINVALID, "%s: %llu bytes is too short for a safetensors file", path,
				     (unsigned long long)f->size);
	if ((rc = read_at(f->fd, lenbuf, 8, 0, path)) < 0)
		return rc;
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | lenbuf[i];
	if (hlen < 2 || hlen > CLM_SAFETENSORS_MAX_HEADER || hlen > f->size - 8)
		return clm_error_set(CLM_EINVALID, "%s: header length %llu is impossible (file has %llu bytes, "
				     "limit %u)", path, (unsigned long long)hlen, (unsigned long long)f->size,
				     CLM_SAFETENSORS_MAX_HEADER);
	if (!(f->text = malloc((size_t)hlen)))
		return clm_error_oom();
	if ((rc = read_at(f->fd, f->text, (size_t)hlen, 8, path)) < 0)
		return rc;
	if (f->text[0] != '{')
		return clm_error_set(CLM_EINVALID, "%s: header does not start with '{'", path);
	if (!(f->hdr = clm_json_parse(f->text, (size_t)hlen, path)))
		return CLM_EINVALID;
	f->data_start = 8 + hlen;
	return parse_header(f->hdr, f->size - f->data_start, &f->entries, &f->n, path);
}

int clm_safetensors_read(const char *path, unsigned flags, struct clm_tensor_list *out, json_t **metadata)
{
	struct st_file f;
	size_t keep = out->n;
	int rc = st_file_open(path, &f);

	if (metadata)
		*metadata = NULL;
	for (size_t i = 0; i < f.n && rc == 0; i++)
		rc = load_tensor(f.fd, f.data_start, &f.entries[i], flags, out, path);
	if (rc == 0 && metadata) {
		json_t *m = json_object_get(f.hdr, "__metadata__");
		*metadata = m ? json_incref(m) : json_object();
		if (!*metadata)
			rc = clm_error_oom();
	}
	if (rc < 0)
		truncate_list(out, keep);
	st_file_close(&f);
	return rc;
}

int clm_safetensors_map(const char *path, struct clm_safetensors_map *out)
{
	struct st_file f;
	int rc = st_file_open(path, &f);

	memset(out, 0, sizeof(*out));
	if (rc == 0 && !(out->tensors = calloc(f.n + 1, sizeof(*out->tensors))))
		rc = clm_error_oom();
	if (rc == 0 && f.size > 0) {
		out->base = mmap(NULL, (size_t)f.size, PROT_READ, MAP_PRIVATE, f.fd, 0);
		if (out->base == MAP_FAILED) {
			out->base = NULL;
			rc = clm_error_set(CLM_EIO, "%s: cannot map: %s", path, strerror(errno));
		}
		out->size = (size_t)f.size;
	}
	for (size_t i = 0; i < f.n && rc == 0; i++) {
		const struct st_entry *e = &f.entries[i];
		struct clm_named_tensor *t = &out->tensors[out->n];
		if (!(t->name = strdup(e->name))) {
			rc = clm_error_oom();
			break;
		}
		t->dtype = e->dtype;
		t->ndim = e->ndim;
		memcpy(t->shape, e->shape, sizeof(t->shape));
		t->data = (unsigned char *)out->base + f.data_start + e->begin;
		t->nbytes = (size_t)(e->end - e->begin);
		out->n++;
	}
	st_file_close(&f);
	if (rc < 0)
		clm_safetensors_unmap(out);
	return rc;
}

void clm_safetensors_map_drop(struct clm_safetensors_map *m, size_t i)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)m->tensors[i].data, b = a + m->tensors[i].nbytes;

	a = (a + (uintptr_t)page - 1) & ~((uintptr_t)page - 1); /* whole pages inside the tensor only */
	b &= ~((uintptr_t)page - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
}

void clm_safetensors_unmap(struct clm_safetensors_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->tensors[i].name);
	free(m->tensors);
	if (m->base)
		munmap(m->base, m->size);
	memset(m, 0, sizeof(*m));
}

static int build_header(const struct clm_tensor_list *l, const json_t *metadata, struct clm_strbuf *out)
{
	json_t *hdr = json_object(), *meta = json_object();
	uint64_t pos = 0;
	int rc = 0;

	if (!hdr || !meta) {
		rc = clm_error_oom();
		goto cleanup;
	}
	if (metadata && (rc = check_metadata(metadata, "safetensors metadata")) < 0)
		goto cleanup;
	if (metadata)
		json_object_update(meta, (json_t *)metadata);
	json_object_set_new(meta, "format", json_string("pt"));
	json_object_set_new(meta, "clmodel_format", json_string(CLM_SAFETENSORS_FORMAT_VERSION));
	json_object_set(hdr, "__metadata__", meta);
	for (size_t i = 0; i < l->n && rc == 0; i++) {
		const struct clm_named_tensor *t = &l->items[i];
		json_t *e = json_object(), *shape = json_array(), *offs = json_array();
		if (!*t->name || !strcmp(t->name, "__metadata__") || json_object_get(hdr, t->name))
			rc = clm_error_set(CLM_EINVALID, "tensor name '%s' is empty, reserved or repeated", t->name);
		for (int d = 0; d < t->ndim; d++)
			json_array_append_new(shape, json_integer(t->shape[d]));
		json_array_append_new(offs, json_integer((json_int_t)pos));
		json_array_append_new(offs, json_integer((json_int_t)(pos + t->nbytes)));
		json_object_set_new(e, "dtype", json_string(clm_dtype_name(t->dtype)));
		json_object_set_new(e, "shape", shape);
		json_object_set_new(e, "data_offsets", offs);
		if (rc == 0)
			json_object_set(hdr, t->name, e);
		json_decref(e);
		pos += t->nbytes;
	}
	if (rc == 0)
		rc = clm_json_dump(hdr, out);
	/* Pad with spaces so the data section starts 8-byte aligned, as the reference writer does. */
	while (rc == 0 && out->len % 8)
		rc = clm_strbuf_addch(out, ' ');
cleanup:
	json_decref(meta);
	json_decref(hdr);
	return rc;
}

static int write_all(int fd, const void *data, size_t len, const char *path)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return clm_error_set(CLM_EIO, "cannot write '%s': %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int clm_safetensors_write(const char *path, const struct clm_tensor_list *tensors, const json_t *metadata)
{
	struct clm_strbuf hdr = CLM_STRBUF_INIT, tmp = CLM_STRBUF_INIT;
	unsigned char lenbuf[8];
	int fd = -1, rc;

	if ((rc = build_header(tensors, metadata, &hdr)) < 0)
		goto cleanup;
	for (int i = 0; i < 8; i++)
		lenbuf[i] = (unsigned char)((uint64_t)hdr.len >> (8 * i));
	if ((fd = clm_temp_create(path, &tmp)) < 0) {
		rc = fd;
		goto cleanup;
	}
	rc = write_all(fd, lenbuf, 8, tmp.buf);
	if (rc == 0)
		rc = write_all(fd, hdr.buf, hdr.len, tmp.buf);
	for (size_t i = 0; i < tensors->n && rc == 0; i++)
		rc = write_all(fd, tensors->items[i].data, tensors->items[i].nbytes, tmp.buf);
	if (rc == 0 && fsync(fd) < 0)
		rc = clm_error_set(CLM_EIO, "cannot sync '%s': %s", tmp.buf, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = clm_error_set(CLM_EIO, "cannot close '%s': %s", tmp.buf, strerror(errno));
	fd = -1;
	if (rc == 0 && rename(tmp.buf, path) < 0)
		rc = clm_error_set(CLM_EIO, "cannot rename '%s' to '%s': %s", tmp.buf, path, strerror(errno));
	if (rc < 0)
		unlink(tmp.buf);
cleanup:
	clm_strbuf_release(&hdr);
	clm_strbuf_release(&tmp);
	return rc;
}
