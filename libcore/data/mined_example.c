#include "data/mined_example.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

int clm_mined_example_id(const struct clm_mined_example *ex, char out[41])
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	git_oid oid;
	int rc = 0;

	/* NUL separators keep ("ab","c") and ("a","bc") apart. */
	if (clm_strbuf_addstr(&sb, ex->kind) < 0 || clm_strbuf_addch(&sb, '\0') < 0 ||
	    clm_strbuf_addstr(&sb, ex->lang) < 0 || clm_strbuf_addch(&sb, '\0') < 0 ||
	    clm_strbuf_add(&sb, ex->source, ex->source_len) < 0 || clm_strbuf_addch(&sb, '\0') < 0 ||
	    clm_strbuf_add(&sb, ex->target, ex->target_len) < 0)
		rc = clm_error_oom();
	else if (git_odb_hash(&oid, sb.buf, sb.len, GIT_OBJECT_BLOB) < 0)
		rc = clm_error_set(CLM_EGENERIC, "cannot hash example");
	else
		git_oid_tostr(out, 41, &oid);
	clm_strbuf_release(&sb);
	return rc;
}

static int set_string(json_t *obj, const char *key, const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	if (!v)
		return clm_error_set(CLM_EINVALID, "%s is not valid UTF-8", key);
	return json_object_set_new(obj, key, v) < 0 ? clm_error_oom() : 0;
}

json_t *clm_mined_example_to_json(const struct clm_mined_example *ex, const char *id)
{
	json_t *obj = json_object(), *prov = json_object();
	int rc;

	if (!obj || !prov)
		goto fail;
	rc = set_string(obj, "id", id, strlen(id));
	rc = rc ? rc : set_string(obj, "task", ex->task, strlen(ex->task));
	rc = rc ? rc : set_string(obj, "kind", ex->kind, strlen(ex->kind));
	rc = rc ? rc : set_string(obj, "lang", ex->lang, strlen(ex->lang));
	rc = rc ? rc : set_string(obj, "source", ex->source, ex->source_len);
	rc = rc ? rc : set_string(obj, "target", ex->target, ex->target_len);
	rc = rc ? rc : set_string(prov, "path", ex->path, strlen(ex->path));
	if (!rc && ex->name)
		rc = set_string(obj, "name", ex->name, strlen(ex->name));
	if (!rc && ex->commit)
		rc = set_string(prov, "commit", ex->commit, strlen(ex->commit));
	if (!rc && ex->grammar)
		rc = set_string(prov, "grammar", ex->grammar, strlen(ex->grammar));
	if (rc)
		goto fail;
	if (json_object_set_new(prov, "lines", json_pack("[II]", (json_int_t)ex->line_start,
							     (json_int_t)ex->line_end)) < 0 ||
	    (ex->uses_dep >= 0 && json_object_set_new(obj, "uses_dep", json_boolean(ex->uses_dep)) < 0) ||
	    json_object_set_new(obj, "prov", prov) < 0) {
		prov = NULL;
		clm_error_oom();
		goto fail;
	}
	return obj;
fail:
	json_decref(prov);
	json_decref(obj);
	return NULL;
}
