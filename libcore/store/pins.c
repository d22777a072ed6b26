#include "store/pins.h"
#include "store/notes.h"
#include "git/refs.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int pin_ref(const char *tag, char *out, size_t size)
{
	char check[512];
	int valid = 0;

	snprintf(check, sizeof(check), "refs/tags/%s", tag);
	if (!*tag || git_reference_name_is_valid(&valid, check) < 0 || !valid)
		return clm_error_set(CLM_EINVALID, "'%s' is not a valid tag name", tag);
	if ((size_t)snprintf(out, size, "%s%s", CLM_STORE_PINS_PREFIX, tag) >= size)
		return clm_error_set(CLM_EINVALID, "tag name '%s' is too long", tag);
	return 0;
}

int clm_tag_commit(struct clm_store *s, const char *tag, git_oid *out)
{
	char name[512];
	git_object *obj = NULL, *c = NULL;
	int rc;

	snprintf(name, sizeof(name), "refs/tags/%s", tag);
	rc = git_revparse_single(&obj, s->repo, name);
	if (rc < 0)
		return clm_error_set(CLM_ENOTFOUND, "no tag '%s' in this repository", tag);
	rc = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);
	if (rc == 0)
		git_oid_cpy(out, git_object_id(c));
	git_object_free(c);
	git_object_free(obj);
	return rc < 0 ? clm_error_set(CLM_EINVALID, "tag '%s' does not point at a commit", tag) : 0;
}

/* Record a pin event in the note of the tag's commit. */
static int pin_note(struct clm_store *s, const git_oid *tag_commit, const char *kind, const char *tag,
		    const git_oid *version)
{
	char hex[GIT_OID_HEXSZ + 1];
	json_t *f = json_pack("{ss}", "tag", tag);
	int rc;

	if (!f)
		return clm_error_oom();
	if (version) {
		git_oid_tostr(hex, sizeof(hex), version);
		json_object_set_new(f, "version", json_string(hex));
	}
	rc = clm_notes_add(s, tag_commit, kind, f);
	json_decref(f);
	return rc;
}

int clm_pin_set(struct clm_store *s, const char *tag, const git_oid *version, int force)
{
	char ref[512], hex[GIT_OID_HEXSZ + 1];
	git_oid tag_commit, old, checked;
	int rc, have_old;

	git_oid_tostr(hex, sizeof(hex), version);
	if ((rc = pin_ref(tag, ref, sizeof(ref))) < 0 || (rc = clm_tag_commit(s, tag, &tag_commit)) < 0 ||
	    (rc = clm_store_resolve(s, NULL, hex, &checked)) < 0)
		return rc;
	if ((rc = clm_store_lock(s)) < 0)
		return rc;
	rc = clm_ref_read(s->repo, ref, &old);
	have_old = rc == 0;
	if (rc == CLM_ENOTFOUND)
		rc = 0;
	if (rc == 0 && have_old && git_oid_equal(&old, version))
		goto cleanup;
	if (rc == 0 && have_old && !force) {
		char old_hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(old_hex, sizeof(old_hex), &old);
		rc = clm_error_set(CLM_ECONFLICT, "tag '%s' is already pinned to %.12s; use --force to re-pin", tag,
				   old_hex);
		goto cleanup;
	}
	if (rc == 0)
		rc = clm_ref_cas(s->repo, ref, version, have_old ? &old : NULL, "clmodel: pin");
	if (rc == 0)
		rc = pin_note(s, &tag_commit, "pin", tag, version);
cleanup:
	clm_store_unlock(s);
	return rc;
}

int clm_pin_get(struct clm_store *s, const char *tag, git_oid *out)
{
	char ref[512];
	int rc = pin_ref(tag, ref, sizeof(ref));

	if (rc < 0)
		return rc;
	rc = clm_ref_read(s->repo, ref, out);
	return rc == CLM_ENOTFOUND ? clm_error_set(CLM_ENOTFOUND, "tag '%s' is not pinned", tag) : rc;
}

int clm_pin_remove(struct clm_store *s, const char *tag)
{
	char ref[512];
	git_oid old, tag_commit;
	int have_tag, rc = pin_ref(tag, ref, sizeof(ref));

	if (rc < 0 || (rc = clm_store_lock(s)) < 0)
		return rc;
	rc = clm_pin_get(s, tag, &old);
	if (rc == 0)
		rc = clm_ref_delete_cas(s->repo, ref, &old);
	/* The tag may be gone already; the pin reference is what matters then. */
	have_tag = rc == 0 && clm_tag_commit(s, tag, &tag_commit) == 0;
	if (rc == 0 && have_tag)
		rc = pin_note(s, &tag_commit, "unpin", tag, &old);
	clm_store_unlock(s);
	return rc;
}

static int cmp_pin(const void *a, const void *b)
{
	return strcmp(((const struct clm_pin *)a)->tag, ((const struct clm_pin *)b)->tag);
}

int clm_pins_list(struct clm_store *s, struct clm_pin **out, size_t *n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct clm_pin *pins = NULL;
	size_t count = 0, alloc = 0;
	int rc = git_reference_iterator_glob_new(&it, s->repo, CLM_STORE_PINS_PREFIX "*");

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return clm_git_error(rc, "cannot list pins");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		if (git_reference_type(ref) != GIT_REFERENCE_DIRECT) {
			git_reference_free(ref);
			continue;
		}
		if ((rc = CLM_ALLOC_GROW(pins, count + 1, alloc)) < 0) {
			git_reference_free(ref);
			break;
		}
		pins[count].tag = strdup(git_reference_name(ref) + strlen(CLM_STORE_PINS_PREFIX));
		git_oid_tostr(pins[count].version, sizeof(pins[count].version), git_reference_target(ref));
		git_reference_free(ref);
		if (!pins[count++].tag) {
			rc = clm_error_oom();
			break;
		}
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		clm_pins_free(pins, count);
		return rc < 0 && rc != CLM_ENOMEM ? clm_git_error(rc, "cannot list pins") : rc;
	}
	if (count)
		qsort(pins, count, sizeof(*pins), cmp_pin);
	*out = pins;
	*n = count;
	return 0;
}

void clm_pins_free(struct clm_pin *p, size_t n)
{
	for (size_t i = 0; p && i < n; i++)
		free(p[i].tag);
	free(p);
}
