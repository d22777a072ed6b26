#include "git/history_walk.h"
#include "git/repo.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int oid_cmp(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

struct oid_vec {
	git_oid *v;
	size_t n, cap;
};

static int vec_push(struct oid_vec *o, const git_oid *id)
{
	if (o->n == o->cap) {
		size_t nc = o->cap ? 2 * o->cap : 256;
		git_oid *nv = realloc(o->v, nc * sizeof(*nv));
		if (!nv)
			return clm_error_oom();
		o->v = nv;
		o->cap = nc;
	}
	o->v[o->n++] = *id;
	return 0;
}

/* Append the first-parent chain from `start` (newest first) until a commit in the sorted
 * `stop` set, a root, or a parent missing from the clone (sets *boundary). */
static int first_parent_chain(git_repository *repo, const git_oid *start, const struct oid_vec *stop,
			      struct oid_vec *out, int *boundary)
{
	git_oid id = *start;
	git_odb *odb;
	int rc = 0;

	if (git_repository_odb(&odb, repo) < 0)
		return clm_git_error(GIT_ERROR, "object database");
	for (;;) {
		git_commit *c;
		if (stop && stop->n && bsearch(&id, stop->v, stop->n, sizeof(git_oid), oid_cmp))
			break;
		if (git_commit_lookup(&c, repo, &id) < 0) {
			*boundary = 1;
			break;
		}
		rc = vec_push(out, &id);
		if (rc < 0 || git_commit_parentcount(c) == 0) {
			git_commit_free(c);
			break;
		}
		id = *git_commit_parent_id(c, 0);
		git_commit_free(c);
		if (!git_odb_exists(odb, &id)) {
			*boundary = 1;
			break;
		}
	}
	git_odb_free(odb);
	return rc;
}

static int start_shallow(struct clm_history_walk *w, git_repository *repo, const git_oid *tip,
			 const git_oid *from, const git_oid *hide, size_t nhide)
{
	struct oid_vec stop = { 0 }, chain = { 0 };
	int ignored = 0, rc = 0;

	for (size_t i = 0; rc == 0 && i <= nhide; i++) {
		const git_oid *h = i < nhide ? &hide[i] : from;
		if (h)
			rc = first_parent_chain(repo, h, NULL, &stop, &ignored);
	}
	if (rc == 0 && stop.n)
		qsort(stop.v, stop.n, sizeof(git_oid), oid_cmp);
	if (rc == 0)
		rc = first_parent_chain(repo, tip, &stop, &chain, &w->boundary);
	free(stop.v);
	if (rc < 0) {
		free(chain.v);
		return rc;
	}
	w->list = chain.v;
	w->n = w->left = chain.n;
	return 0;
}

int clm_history_walk_start(struct clm_history_walk *w, git_repository *repo, const char *range, int all_parents,
			   const git_oid *hide, size_t nhide, git_oid *tip)
{
	git_revspec spec;
	git_oid from;
	int has_from, rc;

	memset(w, 0, sizeof(*w));
	if (!range)
		range = "HEAD";
	if (git_revparse(&spec, repo, range) < 0)
		return clm_git_error(GIT_EINVALIDSPEC, "%s", range);
	if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		git_object_free(spec.from);
		git_object_free(spec.to);
		return clm_error_set(CLM_EINVALID, "%s: symmetric ranges (A...B) are not supported", range);
	}
	has_from = (spec.flags & GIT_REVSPEC_RANGE) != 0;
	*tip = *git_object_id(has_from ? spec.to : spec.from);
	if (has_from)
		from = *git_object_id(spec.from);
	git_object_free(spec.from);
	git_object_free(spec.to);
	if (git_repository_is_shallow(repo)) {
		w->first_parent_only = all_parents;
		return start_shallow(w, repo, tip, has_from ? &from : NULL, hide, nhide);
	}
	rc = git_revwalk_new(&w->revwalk, repo);
	if (rc == 0)
		rc = git_revwalk_sorting(w->revwalk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (rc == 0 && !all_parents)
		rc = git_revwalk_simplify_first_parent(w->revwalk);
	if (rc == 0)
		rc = git_revwalk_push(w->revwalk, tip);
	if (rc == 0 && has_from)
		rc = git_revwalk_hide(w->revwalk, &from);
	for (size_t i = 0; rc == 0 && i < nhide; i++)
		if (git_revwalk_hide(w->revwalk, &hide[i]) < 0)
			git_error_clear(); /* a remembered tip that is gone no longer limits the walk */
	if (rc < 0) {
		rc = clm_git_error(GIT_EINVALIDSPEC, "%s", range);
		clm_history_walk_release(w);
	}
	return rc;
}

int clm_history_walk_next(struct clm_history_walk *w, git_oid *oid)
{
	int rc;

	if (!w->revwalk) {
		if (!w->left)
			return 0;
		*oid = w->list[--w->left];
		return 1;
	}
	rc = git_revwalk_next(oid, w->revwalk);
	if (rc == GIT_ITEROVER)
		return 0;
	return rc < 0 ? clm_git_error(GIT_ERROR, "history walk") : 1;
}

void clm_history_walk_release(struct clm_history_walk *w)
{
	git_revwalk_free(w->revwalk);
	free(w->list);
	memset(w, 0, sizeof(*w));
}
