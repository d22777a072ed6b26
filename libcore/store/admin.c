#include "store/admin.h"
#include "git/refs.h"
#include "store/child.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clm_store_rollback(struct clm_store *s, const char *model, const git_oid *target, char *attic, size_t size)
{
	char ref[256], head_hex[GIT_OID_HEXSZ + 1], target_hex[GIT_OID_HEXSZ + 1];
	git_oid head, existing;
	int rc;

	if ((rc = clm_store_model_ref(model, ref, sizeof(ref))) < 0 || (rc = clm_store_lock(s)) < 0)
		return rc;
	if ((rc = clm_store_head(s, model, &head)) < 0)
		goto cleanup;
	git_oid_tostr(head_hex, sizeof(head_hex), &head);
	git_oid_tostr(target_hex, sizeof(target_hex), target);
	if (git_oid_equal(&head, target) || git_graph_descendant_of(s->repo, &head, target) != 1) {
		rc = clm_error_set(CLM_EINVALID, "%.12s is not an earlier version of model '%s' (head %.12s)",
				   target_hex, model ? model : CLM_STORE_DEFAULT_MODEL, head_hex);
		goto cleanup;
	}
	snprintf(attic, size, "%s%s/%s", CLM_STORE_ATTIC_PREFIX, model ? model : CLM_STORE_DEFAULT_MODEL, head_hex);
	/* Keep the later versions reachable before the head moves: a crash in between loses nothing. */
	if (clm_ref_read(s->repo, attic, &existing) < 0) {
		clm_error_clear();
		if ((rc = clm_ref_cas(s->repo, attic, &head, NULL, "clmodel: rollback keeps old head")) < 0)
			goto cleanup;
	}
	rc = clm_ref_cas(s->repo, ref, target, &head, "clmodel: rollback");
cleanup:
	clm_store_unlock(s);
	return rc;
}

void clm_gc_items_free(struct clm_gc_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].ref);
		free(items[i].versions);
	}
	free(items);
}

/* A reference under refs/clmodel/ that the walk refuses, named so it can be removed. */
static int not_a_version(int rc, const char *ref)
{
	return clm_git_error(rc, "%s does not point at a model version (a commit); remove it with "
			     "'git update-ref -d %s'", ref, ref);
}

/* Hide everything that keeps versions alive besides the attic: heads, pins, other refs/clmodel. */
static int hide_keepers(git_repository *repo, git_revwalk *walk)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	int rc = git_reference_iterator_glob_new(&it, repo, "refs/clmodel/*");

	if (rc < 0)
		return clm_git_error(rc, "cannot list refs/clmodel");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		if (strncmp(git_reference_name(ref), CLM_STORE_ATTIC_PREFIX, strlen(CLM_STORE_ATTIC_PREFIX)) &&
		    git_reference_type(ref) == GIT_REFERENCE_DIRECT &&
		    (rc = git_revwalk_hide(walk, git_reference_target(ref))) < 0)
			rc = not_a_version(rc, git_reference_name(ref));
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	return rc == GIT_ITEROVER ? 0 : rc < 0 ? rc : clm_git_error(rc, "cannot walk model versions");
}

static int only_kept_by(git_repository *repo, const git_oid *tip, struct clm_gc_item *item)
{
	git_revwalk *walk = NULL;
	git_oid id;
	size_t alloc = item->nversions;
	int rc = git_revwalk_new(&walk, repo);

	if (rc < 0)
		return clm_git_error(rc, "cannot walk model versions");
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL);
	rc = hide_keepers(repo, walk);
	if (rc == 0 && (rc = git_revwalk_push(walk, tip)) < 0)
		rc = not_a_version(rc, item->ref);
	while (rc == 0 && (rc = git_revwalk_next(&id, walk)) == 0) {
		if ((rc = CLM_ALLOC_GROW(item->versions, item->nversions + 1, alloc)) < 0)
			break;
		git_oid_tostr(item->versions[item->nversions++], GIT_OID_HEXSZ + 1, &id);
	}
	git_revwalk_free(walk);
	return rc == GIT_ITEROVER ? 0 : rc;
}

int clm_store_gc_list(struct clm_store *s, struct clm_gc_item **out, size_t *n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct clm_gc_item *items = NULL;
	size_t count = 0, alloc = 0;
	int rc = git_reference_iterator_glob_new(&it, s->repo, CLM_STORE_ATTIC_PREFIX "*");

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return clm_git_error(rc, "cannot list the attic");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		if ((rc = CLM_ALLOC_GROW(items, count + 1, alloc)) < 0) {
			git_reference_free(ref);
			break;
		}
		memset(&items[count], 0, sizeof(*items));
		items[count].ref = strdup(git_reference_name(ref));
		rc = items[count].ref ? 0 : clm_error_oom();
		if (rc == 0 && git_reference_type(ref) == GIT_REFERENCE_DIRECT)
			rc = only_kept_by(s->repo, git_reference_target(ref), &items[count]);
		count++;
		git_reference_free(ref);
		if (rc < 0)
			break;
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		clm_gc_items_free(items, count);
		return rc < 0 ? rc : clm_git_error(rc, "cannot list the attic");
	}
	*out = items;
	*n = count;
	return 0;
}

int clm_store_gc_prune(struct clm_store *s, const struct clm_gc_item *items, size_t n)
{
	int rc = clm_store_lock(s);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		git_oid old;
		if ((rc = clm_ref_read(s->repo, items[i].ref, &old)) == 0)
			rc = clm_ref_delete_cas(s->repo, items[i].ref, &old);
	}
	clm_store_unlock(s);
	return rc;
}

/* Add `value` to the multi-valued `key` unless it is there already; *added says whether it was.
 * Appending goes through `git config --add`: libgit2 1.5 leaks in git_config_set_multivar. */
static int add_config_value(struct clm_store *s, git_config *cfg, const char *key, const char *value, int *added)
{
	const char *args[] = { "config", "--add", key, value, NULL };
	git_config_iterator *it = NULL;
	git_config_entry *e;
	int rc, found = 0;

	if (added)
		*added = 0;
	if (git_config_multivar_iterator_new(&it, cfg, key, NULL) == 0) {
		while (git_config_next(&e, it) == 0)
			found |= !strcmp(e->value, value);
		git_config_iterator_free(it);
	}
	if (found)
		return 0;
	if ((rc = clm_store_run_git(s, args)) < 0)
		return rc;
	if (added)
		*added = 1;
	return 0;
}

static int has_values(git_config *cfg, const char *key)
{
	git_config_iterator *it = NULL;
	git_config_entry *e;
	int found = 0;

	if (git_config_multivar_iterator_new(&it, cfg, key, NULL) == 0) {
		found = git_config_next(&e, it) == 0;
		git_config_iterator_free(it);
	}
	return found;
}

int clm_store_configure(struct clm_store *s, const char *share_remote, int *added_head_push)
{
	git_config *cfg = NULL, *local = NULL;
	git_config_entry *url = NULL;
	struct clm_strbuf key = CLM_STRBUF_INIT;
	int rc = git_repository_config(&cfg, s->repo);

	*added_head_push = 0;
	if (rc == 0)
		rc = git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL);
	if (rc < 0) {
		rc = clm_git_error(rc, "cannot open the repository's config");
		goto cleanup;
	}
	/* libgit2 writes first; the appends below go through git, which re-reads the file. */
	if ((rc = git_config_set_string(local, "notes.rewriteMode", "cat_sort_uniq")) < 0) {
		rc = clm_git_error(rc, "cannot set notes.rewriteMode");
		goto cleanup;
	}
	if ((rc = add_config_value(s, local, "notes.rewriteRef", CLM_STORE_NOTES_REF, NULL)) < 0)
		goto cleanup;
	if (!share_remote)
		goto cleanup;
	/* Looked up in the config rather than with git_remote_lookup, which leaks in libgit2 1.5. */
	clm_strbuf_addf(&key, "remote.%s.url", share_remote);
	if (git_config_get_entry(&url, cfg, key.buf) < 0) {
		rc = clm_error_set(CLM_ENOTFOUND, "no remote '%s' (add it with 'git remote add')", share_remote);
		goto cleanup;
	}
	clm_strbuf_reset(&key);
	clm_strbuf_addf(&key, "remote.%s.fetch", share_remote);
	if ((rc = add_config_value(s, local, key.buf, "refs/clmodel/*:refs/clmodel/*", NULL)) < 0 ||
	    (rc = add_config_value(s, local, key.buf, CLM_STORE_NOTES_REF ":" CLM_STORE_NOTES_REF, NULL)) < 0)
		goto cleanup;
	clm_strbuf_reset(&key);
	clm_strbuf_addf(&key, "remote.%s.push", share_remote);
	/* Once a remote has push refspecs, a bare `git push` uses only them: keep the branch in. */
	if (!has_values(local, key.buf) && (rc = add_config_value(s, local, key.buf, "HEAD", added_head_push)) < 0)
		goto cleanup;
	if ((rc = add_config_value(s, local, key.buf, "refs/clmodel/*:refs/clmodel/*", NULL)) < 0)
		goto cleanup;
	rc = add_config_value(s, local, key.buf, CLM_STORE_NOTES_REF ":" CLM_STORE_NOTES_REF, NULL);
cleanup:
	clm_strbuf_release(&key);
	git_config_entry_free(url);
	git_config_free(local);
	git_config_free(cfg);
	return rc;
}
