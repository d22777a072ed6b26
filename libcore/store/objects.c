#include "store/objects.h"
#include "git/refs.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

#define POINTER_MAX_BYTES 128
/* Pointer files are at most 111 bytes: a tensor must be larger to be worth moving out. */
#define MIN_OBJECT_BYTES 112

static int config_string(git_config *cfg, const char *key, char **out)
{
	git_buf buf = { 0 };
	int rc = git_config_get_string_buf(&buf, cfg, key);

	*out = NULL;
	if (rc == GIT_ENOTFOUND) {
		git_error_clear(); /* unset is normal: leave no stale message for a later failure */
		return 0;
	}
	if (rc < 0)
		return clm_git_error(rc, "git config %s", key);
	*out = strdup(buf.ptr);
	git_buf_dispose(&buf);
	return *out ? 0 : clm_error_oom();
}

static int config_int(git_config *cfg, const char *key, int64_t min, int64_t *out)
{
	int64_t v;
	int rc = git_config_get_int64(&v, cfg, key);

	if (rc == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (rc < 0)
		return clm_git_error(rc, "git config %s", key);
	if (v < min)
		return clm_error_set(CLM_EINVALID, "git config %s must be at least %lld", key, (long long)min);
	*out = v;
	return 0;
}

int clm_store_objects_open(git_repository *repo, struct clm_store_objects *o)
{
	git_config *cfg = NULL;
	int64_t threshold = (int64_t)CLM_OBJSTORE_DEFAULT_THRESHOLD, parallel = 4;
	int insecure = 0, rc;
	struct clm_strbuf dir = CLM_STRBUF_INIT;

	memset(o, 0, sizeof(*o));
	if ((rc = git_repository_config_snapshot(&cfg, repo)) < 0)
		return clm_git_error(rc, "cannot read the git configuration");
	rc = config_string(cfg, "clmodel.store.url", &o->url);
	if (!rc)
		rc = config_int(cfg, "clmodel.store.threshold", 0, &threshold);
	if (!rc)
		rc = config_int(cfg, "clmodel.store.parallel", 1, &parallel);
	if (!rc && git_config_get_bool(&insecure, cfg, "clmodel.store.insecure") < 0) {
		insecure = 0;
		git_error_clear();
	}
	git_config_free(cfg);
	if (!rc)
		rc = clm_strbuf_addf(&dir, "%sclmodel/objects", git_repository_commondir(repo));
	if (rc < 0) {
		clm_strbuf_release(&dir);
		clm_store_objects_release(o);
		return rc;
	}
	o->cache_dir = clm_strbuf_detach(&dir, NULL);
	o->threshold = (uint64_t)threshold;
	o->os.url = o->url;
	o->os.cache_dir = o->cache_dir;
	o->os.parallel = parallel > 64 ? 64 : (int)parallel;
	clm_http_options_default(&o->os.http);
	o->os.http.insecure = insecure;
	return 0;
}

void clm_store_objects_release(struct clm_store_objects *o)
{
	free(o->url);
	free(o->cache_dir);
	memset(o, 0, sizeof(*o));
}

int clm_store_objects_blob(const struct clm_store_objects *o, const void *data, size_t len, struct clm_strbuf *pointer)
{
	struct clm_obj_ref ref;
	int rc;

	if (!o->url || !*o->url || len <= o->threshold || len < MIN_OBJECT_BYTES)
		return 0;
	rc = clm_objstore_cache_put(&o->os, data, len, &ref);
	if (!rc)
		rc = clm_obj_pointer_format(&ref, pointer);
	return rc < 0 ? rc : 1;
}

int clm_store_objects_is_pointer(const void *blob, size_t len)
{
	struct clm_obj_ref ref;
	return clm_obj_pointer_parse(blob, len, &ref) != CLM_ENOTFOUND;
}

int clm_store_objects_load(git_repository *repo, const void *blob, size_t blob_len, const char *sha256,
			   uint64_t nbytes, void **data)
{
	struct clm_store_objects o;
	struct clm_obj_ref ref;
	int rc = clm_obj_pointer_parse(blob, blob_len, &ref);

	if (rc == CLM_ENOTFOUND)
		return clm_error_set(CLM_EINVALID, "not an object pointer");
	if (rc < 0)
		return rc;
	if (strcmp(ref.sha256, sha256) || ref.size != nbytes)
		return clm_error_set(CLM_EINVALID, "object pointer %.12s does not match the weights index", ref.sha256);
	if ((rc = clm_store_objects_open(repo, &o)) < 0)
		return rc;
	rc = clm_objstore_cache_read(&o.os, &ref, data);
	/* missing, or corrupted and just removed: get it (again) from the store */
	if ((rc == CLM_ENOTFOUND || rc == CLM_EINVALID) && o.url) {
		rc = clm_objstore_fetch(&o.os, &ref, 1, NULL);
		if (!rc)
			rc = clm_objstore_cache_read(&o.os, &ref, data);
	} else if (rc == CLM_ENOTFOUND) {
		rc = clm_error_set(CLM_ENOTFOUND, "object %.12s is in an object store, but none is configured "
				   "(git config clmodel.store.url <url>)", ref.sha256);
	}
	clm_store_objects_release(&o);
	return rc;
}

/* ---- which objects versions need ---- */

struct ref_set {
	struct clm_obj_ref *v;
	size_t n, alloc;
};

static int ref_set_add(struct ref_set *s, const struct clm_obj_ref *r)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].sha256, r->sha256))
			return 0;
	if (CLM_ALLOC_GROW(s->v, s->n + 1, s->alloc) < 0)
		return CLM_ENOMEM;
	s->v[s->n++] = *r;
	return 0;
}

/* Add the pointers among the blobs of the version `commit_id`'s weights/ to `set`. Small blobs
 * that stand for large tensors are the pointers; everything else is left unread. */
static int collect_version(git_repository *repo, const git_oid *commit_id, struct ref_set *set)
{
	git_commit *c = NULL;
	git_tree *t = NULL, *weights = NULL;
	git_tree_entry *we = NULL;
	git_odb *odb = NULL;
	int rc;

	if ((rc = git_commit_lookup(&c, repo, commit_id)) < 0 || (rc = git_commit_tree(&t, c)) < 0 ||
	    (rc = git_repository_odb(&odb, repo)) < 0) {
		rc = clm_git_error(rc, "cannot read version %.12s", git_oid_tostr_s(commit_id));
		goto cleanup;
	}
	if (git_tree_entry_bypath(&we, t, "weights") < 0 || git_tree_lookup(&weights, repo, git_tree_entry_id(we)) < 0) {
		rc = 0; /* not a version with weights: nothing to move */
		goto cleanup;
	}
	for (size_t i = 0; i < git_tree_entrycount(weights) && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(weights, i);
		size_t size;
		git_object_t type;
		git_blob *b = NULL;
		struct clm_obj_ref ref;

		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB || git_odb_read_header(&size, &type, odb, git_tree_entry_id(e)) < 0 ||
		    size > POINTER_MAX_BYTES || size < sizeof(CLM_OBJ_POINTER_HEADER) - 1)
			continue;
		if ((rc = git_blob_lookup(&b, repo, git_tree_entry_id(e))) < 0) {
			rc = clm_git_error(rc, "cannot read %s", git_tree_entry_name(e));
			break;
		}
		rc = clm_obj_pointer_parse(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), &ref);
		git_blob_free(b);
		if (rc == CLM_ENOTFOUND)
			rc = 0;
		else if (rc == 0)
			rc = ref_set_add(set, &ref);
	}
cleanup:
	git_tree_free(weights);
	git_tree_entry_free(we);
	git_tree_free(t);
	git_commit_free(c);
	git_odb_free(odb);
	return rc;
}

static int collect_glob(git_repository *repo, const char *glob, struct ref_set *set)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc = git_reference_iterator_glob_new(&it, repo, glob), next;

	if (rc < 0)
		return clm_git_error(rc, "cannot list %s", glob);
	while (rc == 0 && (next = git_reference_next(&ref, it)) == 0) {
		git_oid id;
		git_object *obj = NULL;
		if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			git_oid_cpy(&id, git_object_id(obj));
			rc = collect_version(repo, &id, set);
		}
		git_object_free(obj);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	return rc;
}

int clm_store_objects_sync(git_repository *repo, enum clm_objects_direction dir, struct clm_objstore_stats *st)
{
	struct clm_store_objects o;
	struct ref_set set = { 0 };
	int rc = collect_glob(repo, CLM_STORE_MODELS_PREFIX "*", &set);

	if (!rc)
		rc = collect_glob(repo, CLM_STORE_PINS_PREFIX "*", &set);
	if (!rc && set.n > 0 && (rc = clm_store_objects_open(repo, &o)) == 0) {
		if (!o.url)
			rc = clm_error_set(CLM_EINVALID, "%zu large tensors live in an object store, but none is "
					   "configured (git config clmodel.store.url <url>)", set.n);
		else if (dir == CLM_OBJECTS_PUSH)
			rc = clm_objstore_upload(&o.os, set.v, set.n, st);
		else
			rc = clm_objstore_fetch(&o.os, set.v, set.n, st);
		clm_store_objects_release(&o);
	}
	free(set.v);
	return rc;
}
