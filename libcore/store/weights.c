#include "store/weights.h"
#include "git/refs.h"
#include "store/objects.h"
#include "util/error.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sort the `n` strings of `v` (pointers are moved, not the strings) and return the first one that
 * appears twice, or NULL: duplicate checks in n log n, so 40k tensors cost no more than 10k x 4. */
static const char *sorted_duplicate(const char **v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_strp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i], v[i - 1]))
			return v[i];
	return NULL;
}

/* File name for a tensor: safe characters kept, others as %XX, so any name maps to one file. */
static int tensor_file(const char *name, struct clm_strbuf *out)
{
	int rc = clm_strbuf_addstr(out, "weights/");

	for (const char *p = name; *p && rc == 0; p++) {
		unsigned char c = (unsigned char)*p;
		int keep = isalnum(c) || c == '_' || c == '-' || (c == '.' && p != name);
		rc = keep ? clm_strbuf_addch(out, (char)c) : clm_strbuf_addf(out, "%%%02X", c);
	}
	if (rc == 0 && !strcmp(out->buf, "weights/index.json"))
		rc = clm_strbuf_addstr(out, "%");
	return rc;
}

/* Write the tensor's blob unless it exists, and find its checksum: from the previous version's
 * index when the blob is the same, else by hashing. A tensor over the object-store threshold
 * gets a pointer file as its blob (`pointer` is scratch space) and its bytes go to the store. */
static int cmp_entry_blob(const void *a, const void *b)
{
	return strcmp((*(const struct clm_tensor_entry *const *)a)->blob, (*(const struct clm_tensor_entry *const *)b)->blob);
}

/* Position in `sorted` (entries sorted by blob) of the first entry with blob `hex`, or n. */
static size_t find_blob(const struct clm_tensor_entry *const *sorted, size_t n, const char *hex)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(sorted[mid]->blob, hex) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(sorted[lo]->blob, hex) ? lo : n;
}

static int plan_tensor(struct clm_tree_plan *plan, git_odb *odb, const char *file,
		       const struct clm_named_tensor *t, const struct clm_tensor_entry *const *prev, size_t nprev,
		       char sum[65], const struct clm_store_objects *objects, struct clm_strbuf *pointer)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid id;
	const void *bytes = t->nbytes ? t->data : "";
	size_t len = t->nbytes;
	int rc;

	clm_strbuf_reset(pointer);
	if ((rc = clm_store_objects_blob(objects, t->data, t->nbytes, pointer)) < 0)
		return clm_error_wrap(rc, "tensor '%s'", t->name);
	if (rc == 1) {
		bytes = pointer->buf;
		len = pointer->len;
	}
	rc = git_odb_hash(&id, bytes, len, GIT_OBJECT_BLOB);
	if (rc == 0 && !git_odb_exists(odb, &id))
		rc = git_odb_write(&id, odb, bytes, len, GIT_OBJECT_BLOB);
	if (rc < 0)
		return clm_git_error(rc, "cannot write the blob of tensor '%s'", t->name);
	git_oid_tostr(hex, sizeof(hex), &id);
	sum[0] = 0;
	for (size_t i = find_blob(prev, nprev, hex); i < nprev && !strcmp(prev[i]->blob, hex) && !sum[0]; i++)
		if (prev[i]->nbytes == t->nbytes)
			memcpy(sum, prev[i]->sha256, 65);
	if (!sum[0])
		clm_sha256_hex(t->data, t->nbytes, sum);
	return clm_tree_plan_add(plan, file, &id);
}

/* The index entry of a tensor. */
static json_t *entry_json(const char *name, const char *file, enum clm_dtype dtype, int ndim, const int64_t *dims,
			  uint64_t nbytes, const char *sum)
{
	json_t *shape = json_array();

	for (int d = 0; d < ndim; d++)
		json_array_append_new(shape, json_integer(dims[d]));
	return json_pack("{ss ss ss so sI ss}", "name", name, "file", file, "dtype", clm_dtype_name(dtype), "shape",
			 shape, "nbytes", (json_int_t)nbytes, "sha256", sum);
}

/* Keep the previous version's backbone tensors whose names are not among the `n` sorted `names`
 * of the new tensors: blob and entry as they are. */
static int keep_backbone(struct clm_tree_plan *plan, json_t *tensors, const char *const *names, size_t n,
			 const struct clm_tensor_entry *prev, size_t nprev)
{
	int rc = 0;

	for (size_t i = 0; i < nprev && rc == 0; i++) {
		const struct clm_tensor_entry *e = &prev[i];
		git_oid id;
		if (!strncmp(e->name, "clm.", 4) || !strncmp(e->name, "cl.", 3) ||
		    (n && bsearch(&e->name, names, n, sizeof(*names), cmp_strp)))
			continue;
		if (git_oid_fromstr(&id, e->blob) < 0)
			return clm_error_set(CLM_EINVALID, "tensor '%s' of the previous version has no blob", e->name);
		rc = clm_tree_plan_add(plan, e->file, &id);
		if (rc == 0 && json_array_append_new(tensors, entry_json(e->name, e->file, e->dtype, e->ndim, e->shape,
									 e->nbytes, e->sha256)) < 0)
			rc = clm_error_oom();
	}
	return rc;
}

int clm_weights_plan(struct clm_tree_plan *plan, git_repository *repo, const struct clm_tensor_list *w,
		     const struct clm_tensor_entry *prev, size_t nprev, int keep)
{
	json_t *index = json_object(), *tensors = json_array();
	struct clm_strbuf file = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT, pointer = CLM_STRBUF_INIT;
	struct clm_store_objects objects;
	const struct clm_tensor_entry **prev_sorted = calloc(nprev + 1, sizeof(*prev_sorted));
	const char **names = calloc(w->n + 1, sizeof(*names)), *dup;
	git_odb *odb = NULL;
	int rc = clm_store_objects_open(repo, &objects);

	if (rc < 0)
		goto cleanup;
	if (!index || !tensors || !prev_sorted || !names) {
		rc = clm_error_oom();
		goto cleanup;
	}
	for (size_t i = 0; i < w->n; i++)
		names[i] = w->items[i].name;
	if ((dup = sorted_duplicate(names, w->n))) {
		rc = clm_error_set(CLM_EINVALID, "tensor '%s' appears twice", dup);
		goto cleanup;
	}
	for (size_t i = 0; i < nprev; i++)
		prev_sorted[i] = &prev[i];
	if (nprev > 1)
		qsort(prev_sorted, nprev, sizeof(*prev_sorted), cmp_entry_blob);
	if ((rc = git_repository_odb(&odb, repo)) < 0) {
		rc = clm_git_error(rc, "cannot open the object database");
		goto cleanup;
	}
	if (keep)
		rc = keep_backbone(plan, tensors, names, w->n, prev, nprev);
	for (size_t i = 0; i < w->n && rc == 0; i++) {
		const struct clm_named_tensor *t = &w->items[i];
		char sum[65];
		if (!*t->name)
			rc = clm_error_set(CLM_EINVALID, "a tensor has an empty name");
		clm_strbuf_reset(&file);
		if (rc == 0)
			rc = tensor_file(t->name, &file);
		if (rc == 0)
			rc = plan_tensor(plan, odb, file.buf, t, prev_sorted, nprev, sum, &objects, &pointer);
		if (rc == 0)
			json_array_append_new(tensors, entry_json(t->name, file.buf, t->dtype, t->ndim, t->shape, t->nbytes,
								  sum));
	}
	if (rc < 0)
		goto cleanup;
	json_object_set_new(index, "format", json_string("clmodel-weights"));
	json_object_set_new(index, "version", json_integer(CLM_STORE_FORMAT_VERSION));
	json_object_set(index, "tensors", tensors);
	rc = clm_json_dump_pretty(index, &text);
	if (rc == 0)
		rc = clm_tree_plan_add_bytes(plan, repo, "weights/index.json", text.buf, text.len);
cleanup:
	free(prev_sorted);
	free(names);
	git_odb_free(odb);
	json_decref(tensors);
	json_decref(index);
	clm_strbuf_release(&file);
	clm_strbuf_release(&text);
	clm_strbuf_release(&pointer);
	clm_store_objects_release(&objects);
	return rc;
}

void clm_tensor_entries_free(struct clm_tensor_entry *e, size_t n)
{
	for (size_t i = 0; e && i < n; i++) {
		free(e[i].name);
		free(e[i].file);
	}
	free(e);
}

static int parse_entry(const json_t *j, const git_tree *tree, struct clm_tensor_entry *e)
{
	const char *name = clm_json_get_string(j, "name", "weights/index.json");
	const char *file = clm_json_get_string(j, "file", "weights/index.json");
	const char *dtype = clm_json_get_string(j, "dtype", "weights/index.json");
	const char *sum = clm_json_get_string(j, "sha256", "weights/index.json");
	const json_t *shape = json_object_get(j, "shape"), *dim;
	git_tree_entry *te = NULL;
	int64_t nbytes, numel;
	size_t i;
	int rc;

	if (!name || !file || !dtype || !sum)
		return CLM_EINVALID;
	if ((rc = clm_json_get_int(j, "nbytes", 0, INT64_MAX, &nbytes, "weights/index.json")) < 0)
		return rc;
	e->name = strdup(name);
	e->file = strdup(file);
	if (!e->name || !e->file)
		return clm_error_oom();
	if (strncmp(file, "weights/", 8) || !clm_tree_path_is_clean(file))
		return clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s' has a bad file '%s'", name, file);
	if ((rc = clm_dtype_parse(dtype, &e->dtype)) < 0)
		return clm_error_wrap(rc, "weights/index.json: tensor '%s'", name);
	if (!json_is_array(shape) || json_array_size(shape) > CLM_TENSOR_MAX_DIMS)
		return clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s' has a bad shape", name);
	json_array_foreach(shape, i, dim) {
		if (!json_is_integer(dim) || json_integer_value(dim) < 0)
			return clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s' has a bad shape", name);
		e->shape[i] = json_integer_value(dim);
	}
	e->ndim = (int)json_array_size(shape);
	e->nbytes = (uint64_t)nbytes;
	numel = clm_shape_numel(e->ndim, e->shape);
	if (numel < 0 || (uint64_t)numel > UINT64_MAX / clm_dtype_size(e->dtype) ||
	    (uint64_t)numel * clm_dtype_size(e->dtype) != e->nbytes)
		return clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s': shape, dtype and nbytes disagree",
				     name);
	if (strlen(sum) != 64)
		return clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s' has a bad sha256", name);
	memcpy(e->sha256, sum, 65);
	if (git_tree_entry_bypath(&te, tree, file) < 0)
		return clm_error_set(CLM_ENOTFOUND, "tensor '%s': its blob '%s' is missing from the tree", name, file);
	git_oid_tostr(e->blob, sizeof(e->blob), git_tree_entry_id(te));
	git_tree_entry_free(te);
	return 0;
}

/* What an index may ask of memory is bounded by what the tree holds, checked before any blob is
 * read: each tensor has its own name and its own file (so entries <= files under weights/), and
 * entries reusing another's blob (identical tensors: zero biases, fresh LoRA B) may add at most
 * as many bytes as the distinct blobs hold, so a 180 KB index naming one 4 MB blob 1000 times is
 * refused instead of asking for 4 GB. */
static int check_index(const struct clm_tensor_entry *e, size_t n)
{
	const char **strs = calloc(n + 1, sizeof(*strs)), *dup;
	const struct clm_tensor_entry **by_blob = calloc(n + 1, sizeof(*by_blob));
	uint64_t distinct = 0, reused = 0;
	int rc = 0;

	if (!strs || !by_blob) {
		rc = clm_error_oom();
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		strs[i] = e[i].name;
	if ((dup = sorted_duplicate(strs, n))) {
		rc = clm_error_set(CLM_EINVALID, "weights/index.json: tensor '%s' appears twice", dup);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		strs[i] = e[i].file;
	if ((dup = sorted_duplicate(strs, n))) {
		rc = clm_error_set(CLM_EINVALID, "weights/index.json: two tensors name the file '%s'", dup);
		goto cleanup;
	}
	for (size_t i = 0; i < n; i++)
		by_blob[i] = &e[i];
	if (n > 1)
		qsort(by_blob, n, sizeof(*by_blob), cmp_entry_blob);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(by_blob[i]->blob, by_blob[i - 1]->blob))
			distinct += by_blob[i]->nbytes;
		else
			reused += by_blob[i]->nbytes;
	}
	if (reused > distinct)
		rc = clm_error_set(CLM_EINVALID, "weights/index.json: tensors reusing blobs add %llu bytes, more than "
				   "the %llu bytes of distinct blobs the tree holds", (unsigned long long)reused,
				   (unsigned long long)distinct);
cleanup:
	free(strs);
	free(by_blob);
	return rc;
}

int clm_weights_index_read(git_repository *repo, const git_tree *tree, struct clm_tensor_entry **out, size_t *n)
{
	struct clm_strbuf text = CLM_STRBUF_INIT;
	json_t *index = NULL, *tensors, *j;
	struct clm_tensor_entry *e = NULL;
	size_t i, count = 0;
	int rc = clm_tree_read_blob(repo, tree, "weights/index.json", &text);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		goto cleanup;
	index = clm_json_parse(text.buf, text.len, "weights/index.json");
	tensors = index ? json_object_get(index, "tensors") : NULL;
	if (!json_is_array(tensors)) {
		rc = index ? clm_error_set(CLM_EINVALID, "weights/index.json: 'tensors' is not an array") : CLM_EINVALID;
		goto cleanup;
	}
	e = calloc(json_array_size(tensors) + 1, sizeof(*e));
	if (!e) {
		rc = clm_error_oom();
		goto cleanup;
	}
	json_array_foreach(tensors, i, j) {
		count = i + 1;
		if ((rc = parse_entry(j, tree, &e[i])) < 0)
			goto cleanup;
	}
	if ((rc = check_index(e, count)) < 0)
		goto cleanup;
	*out = e;
	*n = count;
	e = NULL;
cleanup:
	clm_tensor_entries_free(e, count);
	json_decref(index);
	clm_strbuf_release(&text);
	return rc;
}

/* Non-zero when an entry with the blob and checksum of `e` was verified already (`verified` is
 * parallel to `by_blob`, the entries sorted by blob): each blob is hashed once. */
static int seen_blob(const struct clm_tensor_entry *const *by_blob, char *verified, size_t n,
		     const struct clm_tensor_entry *e, size_t *slot)
{
	*slot = find_blob(by_blob, n, e->blob);
	return *slot < n && verified[*slot] && by_blob[*slot]->nbytes == e->nbytes &&
	       !strcmp(by_blob[*slot]->sha256, e->sha256);
}

/* Load every entry in index order; a blob verified for an earlier entry is not hashed again. */
static int load_tensors(git_repository *repo, const struct clm_tensor_entry *idx, size_t n,
			const struct clm_tensor_entry **by_blob, char *verified, struct clm_tensor_list *out)
{
	for (size_t i = 0; i < n; i++)
		by_blob[i] = &idx[i];
	if (n > 1)
		qsort(by_blob, n, sizeof(*by_blob), cmp_entry_blob);
	for (size_t i = 0; i < n; i++) {
		const struct clm_tensor_entry *e = &idx[i];
		git_oid id;
		git_blob *b = NULL;
		char sum[65];
		size_t slot;
		int rc, seen = seen_blob(by_blob, verified, n, e, &slot);

		git_oid_fromstr(&id, e->blob);
		rc = git_blob_lookup(&b, repo, &id);
		if (rc < 0)
			return clm_git_error(rc, "tensor '%s': blob %.12s cannot be read (missing or corrupted)",
					     e->name, e->blob);
		if ((uint64_t)git_blob_rawsize(b) != e->nbytes && clm_store_objects_is_pointer(git_blob_rawcontent(b),
											 (size_t)git_blob_rawsize(b))) {
			/* the bytes live in the object store; they are checked against the index there */
			void *data = NULL;
			rc = clm_store_objects_load(repo, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), e->sha256,
						    e->nbytes, &data);
			git_blob_free(b);
			if (rc == 0)
				rc = clm_tensor_list_add(out, e->name, e->dtype, e->ndim, e->shape, data, (size_t)e->nbytes);
			free(data);
			if (rc == 0)
				rc = clm_tensor_check_finite(&out->items[out->n - 1]);
			if (rc < 0)
				return clm_error_wrap(rc, "tensor '%s'", e->name);
			continue;
		}
		if ((uint64_t)git_blob_rawsize(b) != e->nbytes) {
			rc = clm_error_set(CLM_EINVALID, "tensor '%s': blob %.12s has %llu bytes, the index says %llu "
					   "(truncated or corrupted)", e->name, e->blob,
					   (unsigned long long)git_blob_rawsize(b), (unsigned long long)e->nbytes);
			git_blob_free(b);
			return rc;
		}
		if (!seen)
			clm_sha256_hex(git_blob_rawcontent(b), (size_t)e->nbytes, sum);
		if (!seen && strcmp(sum, e->sha256)) {
			git_blob_free(b);
			return clm_error_set(CLM_EINVALID, "tensor '%s': blob %.12s fails its sha256 checksum (corrupted)",
					     e->name, e->blob);
		}
		rc = clm_tensor_list_add(out, e->name, e->dtype, e->ndim, e->shape, git_blob_rawcontent(b),
					 (size_t)e->nbytes);
		git_blob_free(b);
		if (rc == 0 && (rc = clm_tensor_check_finite(&out->items[out->n - 1])) < 0)
			return clm_error_wrap(rc, "blob %.12s", e->blob);
		if (rc < 0)
			return rc;
		if (slot < n && !strcmp(by_blob[slot]->sha256, e->sha256) && by_blob[slot]->nbytes == e->nbytes)
			verified[slot] = 1;
	}
	return 0;
}

int clm_weights_load(git_repository *repo, const struct clm_tensor_entry *idx, size_t n, struct clm_tensor_list *out)
{
	const struct clm_tensor_entry **by_blob = calloc(n + 1, sizeof(*by_blob));
	char *verified = calloc(n + 1, 1);
	int rc = by_blob && verified ? load_tensors(repo, idx, n, by_blob, verified, out) : clm_error_oom();

	free(by_blob);
	free(verified);
	return rc;
}
