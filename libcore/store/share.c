#include "store/share.h"
#include "store/notes.h"
#include "store/pins.h"
#include "git/refs.h"
#include "store/child.h"
#include "store/objects.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define INCOMING "refs/clmodel-incoming/"
#define INCOMING_REFS INCOMING "clmodel/"
#define INCOMING_NOTES INCOMING "notes/clmodel"

/* Remove every staging reference (left from an interrupted fetch, or ours when done). */
static void clear_incoming(struct clm_store *s)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;

	if (git_reference_iterator_glob_new(&it, s->repo, INCOMING "*") < 0)
		return;
	while (git_reference_next(&ref, it) == 0) {
		git_reference_delete(ref);
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
}

/* One incoming reference and what to do with it. */
struct incoming {
	char *local;  /* refs/clmodel/... */
	git_oid theirs, ours;
	int have_ours;
	enum { TAKE_CREATE, TAKE_FORWARD, KEEP, SKIP_UNPINNED } action;
};

static void incoming_free(struct incoming *in, size_t n)
{
	for (size_t i = 0; in && i < n; i++)
		free(in[i].local);
	free(in);
}

static int diverged_error(struct clm_store *s, const struct incoming *in)
{
	git_oid base;
	char hint[128] = "", ours[GIT_OID_HEXSZ + 1], theirs[GIT_OID_HEXSZ + 1], base_hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(ours, sizeof(ours), &in->ours);
	git_oid_tostr(theirs, sizeof(theirs), &in->theirs);
	if (git_merge_base(&base, s->repo, &in->ours, &in->theirs) == 0) {
		git_oid_tostr(base_hex, sizeof(base_hex), &base);
		snprintf(hint, sizeof(hint), " since version %.12s", base_hex);
	}
	clm_error_clear();
	return clm_error_set(CLM_ECONFLICT, "refusing to fetch: %s diverged%s (here %.12s, there %.12s); taking "
			     "theirs would lose the local version(s) up to %.12s. Nothing was changed. Keep yours "
			     "under another model name or roll back, then fetch again.", in->local, hint, ours, theirs,
			     ours);
}

/* The commit a staged reference names; anything else under refs/clmodel/ (a tree, a blob, a tag)
 * is refused with the reference named, so it never reaches gc, pins or which. */
static int incoming_commit(struct clm_store *s, git_reference *ref, const char *local, git_oid *out)
{
	git_odb *odb = NULL;
	git_object_t type = GIT_OBJECT_INVALID;
	size_t len;

	if (git_reference_type(ref) == GIT_REFERENCE_DIRECT && git_repository_odb(&odb, s->repo) == 0 &&
	    git_odb_read_header(&len, &type, odb, git_reference_target(ref)) == 0 && type == GIT_OBJECT_COMMIT)
		git_oid_cpy(out, git_reference_target(ref));
	git_odb_free(odb);
	clm_error_clear();
	if (type != GIT_OBJECT_COMMIT)
		return clm_error_set(CLM_EINVALID, "refusing to fetch: the remote's %s is %s %s, not a model version "
				     "(a commit). Nothing was changed.", local,
				     type == GIT_OBJECT_INVALID ? "not" : "a", type == GIT_OBJECT_INVALID ? "readable"
				     : git_object_type2string(type));
	return 0;
}

/* Read the staged references and decide, refusing on any divergence. */
static int plan_incoming(struct clm_store *s, struct incoming **out, size_t *n)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	struct incoming *in = NULL, *e;
	size_t count = 0, alloc = 0;
	int rc = git_reference_iterator_glob_new(&it, s->repo, INCOMING_REFS "*");

	if (rc < 0)
		return clm_git_error(rc, "cannot read fetched references");
	while ((rc = git_reference_next(&ref, it)) == 0) {
		if ((rc = CLM_ALLOC_GROW(in, count + 1, alloc)) < 0) {
			git_reference_free(ref);
			break;
		}
		e = &in[count++];
		memset(e, 0, sizeof(*e));
		e->local = clm_strfmt("refs/clmodel/%s", git_reference_name(ref) + strlen(INCOMING_REFS));
		if (!e->local) {
			git_reference_free(ref);
			rc = CLM_ENOMEM;
			break;
		}
		rc = incoming_commit(s, ref, e->local, &e->theirs);
		git_reference_free(ref);
		if (rc < 0)
			break;
		e->have_ours = clm_ref_read(s->repo, e->local, &e->ours) == 0;
		clm_error_clear();
		if (!e->have_ours)
			e->action = TAKE_CREATE;
		else if (git_oid_equal(&e->ours, &e->theirs) || git_graph_descendant_of(s->repo, &e->ours, &e->theirs) == 1)
			e->action = KEEP;
		else if (git_graph_descendant_of(s->repo, &e->theirs, &e->ours) == 1)
			e->action = TAKE_FORWARD;
		else {
			rc = diverged_error(s, e);
			break;
		}
	}
	git_reference_iterator_free(it);
	if (rc != GIT_ITEROVER) {
		incoming_free(in, count);
		return rc < 0 ? rc : clm_git_error(rc, "cannot read fetched references");
	}
	*out = in;
	*n = count;
	return 0;
}

/* Non-zero when the newest pin/unpin line for `tag` in the note of its commit is an unpin. */
static int unpinned_here(struct clm_store *s, const char *tag)
{
	git_oid commit;
	json_t *events, *ev;
	size_t i;
	int unpinned = 0;

	if (clm_tag_commit(s, tag, &commit) < 0 || clm_notes_events(s, &commit, &events) < 0) {
		clm_error_clear();
		return 0;
	}
	/* Lines are sorted by time, so the last matching one is the newest. */
	json_array_foreach(events, i, ev) {
		const char *kind = json_string_value(json_object_get(ev, "kind"));
		const char *t = json_string_value(json_object_get(ev, "tag"));
		if (kind && t && !strcmp(t, tag) && (!strcmp(kind, "pin") || !strcmp(kind, "unpin")))
			unpinned = !strcmp(kind, "unpin");
	}
	json_decref(events);
	return unpinned;
}

static int apply_incoming(struct clm_store *s, struct incoming *in, size_t n, struct clm_share_result *res)
{
	size_t pins_len = strlen(CLM_STORE_PINS_PREFIX), alloc = res->nunpinned;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct incoming *e = &in[i];
		if (e->action == TAKE_CREATE && !strncmp(e->local, CLM_STORE_PINS_PREFIX, pins_len) &&
		    unpinned_here(s, e->local + pins_len)) {
			if (CLM_ALLOC_GROW(res->unpinned, res->nunpinned + 1, alloc) < 0)
				return CLM_ENOMEM;
			if (!(res->unpinned[res->nunpinned] = strdup(e->local + pins_len)))
				return clm_error_oom();
			res->nunpinned++;
			continue;
		}
		if (e->action == KEEP) {
			res->unchanged++;
			continue;
		}
		rc = clm_ref_cas(s->repo, e->local, &e->theirs, e->have_ours ? &e->ours : NULL, "clmodel: fetch");
		if (rc == 0 && e->action == TAKE_CREATE)
			res->created++;
		else if (rc == 0)
			res->updated++;
	}
	return rc;
}

int clm_store_fetch(struct clm_store *s, const char *remote, struct clm_share_result *res)
{
	const char *args[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
			       "+refs/clmodel/*:" INCOMING_REFS "*",
			       "+" CLM_STORE_NOTES_REF "*:" INCOMING "notes/clmodel*", NULL };
	struct incoming *in = NULL;
	size_t n = 0;
	git_oid notes;
	int rc;

	memset(res, 0, sizeof(*res));
	if (!*remote || *remote == '-')
		return clm_error_set(CLM_EINVALID, "'%s' is not a remote name or URL", remote);
	if ((rc = clm_store_lock(s)) < 0)
		return rc;
	clear_incoming(s);
	rc = clm_store_run_git(s, args);
	if (rc == 0)
		rc = plan_incoming(s, &in, &n);
	/* Notes first: merging them loses nothing, and the unpin check reads them. */
	if (rc == 0 && git_reference_name_to_id(&notes, s->repo, INCOMING_NOTES) == 0)
		rc = clm_notes_merge(s, &notes, &res->notes_changed);
	if (rc == 0)
		rc = apply_incoming(s, in, n, res);
	/* the large tensors of the heads and pins we now have, from the object store */
	if (rc == 0)
		rc = clm_store_objects_sync(s->repo, CLM_OBJECTS_FETCH, NULL);
	incoming_free(in, n);
	clear_incoming(s);
	clm_store_unlock(s);
	return rc;
}

int clm_store_push(struct clm_store *s, const char *remote, struct clm_share_result *res)
{
	const char **args = NULL;
	char **deletions = NULL;
	size_t nargs = 0;
	git_oid notes;
	int rc = clm_store_lock(s);

	memset(res, 0, sizeof(*res));
	if (rc < 0)
		return rc;
	if ((rc = clm_store_fetch(s, remote, res)) < 0)
		goto cleanup;
	args = calloc(6 + res->nunpinned, sizeof(*args));
	deletions = calloc(res->nunpinned + 1, sizeof(*deletions));
	if (!args || !deletions) {
		rc = clm_error_oom();
		goto cleanup;
	}
	args[nargs++] = "push";
	args[nargs++] = "--quiet";
	args[nargs++] = remote;
	args[nargs++] = "refs/clmodel/*:refs/clmodel/*";
	if (git_reference_name_to_id(&notes, s->repo, CLM_STORE_NOTES_REF) == 0)
		args[nargs++] = CLM_STORE_NOTES_REF ":" CLM_STORE_NOTES_REF;
	/* A pin removed here goes away there too; the unpin line in the notes says why. */
	for (size_t i = 0; i < res->nunpinned; i++) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		if (clm_strbuf_addf(&sb, ":%s%s", CLM_STORE_PINS_PREFIX, res->unpinned[i]) < 0) {
			rc = clm_error_oom();
			goto cleanup;
		}
		args[nargs++] = deletions[i] = clm_strbuf_detach(&sb, NULL);
	}
	/* bytes before references: whoever sees the new versions can download their tensors */
	rc = clm_store_objects_sync(s->repo, CLM_OBJECTS_PUSH, NULL);
	if (rc == 0)
		rc = clm_store_run_git(s, args);
cleanup:
	for (size_t i = 0; deletions && i < res->nunpinned; i++)
		free(deletions[i]);
	free(deletions);
	free(args);
	clm_store_unlock(s);
	return rc;
}

void clm_share_result_release(struct clm_share_result *res)
{
	for (size_t i = 0; i < res->nunpinned; i++)
		free(res->unpinned[i]);
	free(res->unpinned);
	memset(res, 0, sizeof(*res));
}
