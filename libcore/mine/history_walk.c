#include "mine/history_walk.h"
#include "git/repo.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* The first parent of `id`: 1 with *parent set, 0 at a root commit, CLM_ENOTFOUND when the
 * commit or its parent is not in the clone (a shallow boundary or a missing object). */
static int first_parent(git_repository *repo, git_odb *odb, const git_oid *id, git_oid *parent)
{
	git_commit *c;
	int rc = 0;

	if (git_commit_lookup(&c, repo, id) < 0) {
		git_error_clear();
		return CLM_ENOTFOUND;
	}
	if (git_commit_parentcount(c) > 0) {
		*parent = *git_commit_parent_id(c, 0);
		rc = git_odb_exists(odb, parent) ? 1 : CLM_ENOTFOUND;
	}
	git_commit_free(c);
	return rc;
}

/* Follow `steps` first parents down from *id; 0, or CLM_ENOTFOUND when the chain ends first. */
static int chain_down(git_repository *repo, git_odb *odb, git_oid *id, size_t steps)
{
	for (; steps > 0; steps--) {
		git_oid p;
		int rc = first_parent(repo, odb, id, &p);
		if (rc != 1)
			return CLM_ENOTFOUND;
		*id = p;
	}
	return 0;
}

/* The number of commits below `id` on its first-parent chain: `hint` when an earlier walk
 * recorded it (a commit id fixes its ancestry, so only a shallow clone's boundary can move it),
 * else counted by walking the chain to its root. */
static size_t chain_depth(const struct clm_history_walk *w, git_odb *odb, const git_oid *id, size_t hint)
{
	git_oid x = *id, p;
	size_t depth = 0;

	if (hint != CLM_DEPTH_UNKNOWN && !w->shallow)
		return hint;
	while (first_parent(w->repo, odb, &x, &p) == 1) {
		x = p;
		depth++;
	}
	return depth;
}

static int add_mark(struct clm_history_walk *w, const git_oid *id)
{
	if (CLM_ALLOC_GROW(w->marks, w->nmarks + 1, w->marks_alloc) < 0)
		return CLM_ENOMEM;
	w->marks[w->nmarks++] = *id;
	return 0;
}

/* Walk the first-parent chain down from `tip` once, counting its commits and keeping a mark every
 * CLM_WALK_SEGMENT commits, until a root, the clone's boundary or one of `hide` (*hit = its index;
 * nhide when none was met). */
static int scan_chain(struct clm_history_walk *w, git_odb *odb, const git_oid *tip, const git_oid *hide,
		      size_t nhide, size_t *hit)
{
	git_oid x = *tip, p;
	int rc;

	*hit = nhide;
	for (;;) {
		for (size_t i = 0; i < nhide; i++) {
			if (git_oid_equal(&x, &hide[i])) {
				*hit = i;
				return 0;
			}
		}
		if (w->length % CLM_WALK_SEGMENT == 0 && (rc = add_mark(w, &x)) < 0)
			return rc;
		w->length++;
		rc = first_parent(w->repo, odb, &x, &p);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			w->boundary = 1;
			return 0;
		}
		x = p;
	}
}

/* Shorten the walk to the commits above the newest one it shares with the first-parent chain of
 * `h`. Chains that meet stay together down to the root, so the two are aligned by depth and then
 * followed in step: memory stays constant and the steps are the commits above the meeting point. */
static int stop_at_chain(struct clm_history_walk *w, git_odb *odb, const git_oid *tip, size_t tip_depth,
			 const git_oid *h, size_t h_depth)
{
	size_t i = 0;
	git_oid a = *tip, b = *h;

	if (h_depth > tip_depth) {
		if (chain_down(w->repo, odb, &b, h_depth - tip_depth) < 0)
			return 0;
	} else {
		i = tip_depth - h_depth;
		if (i >= w->length)
			return 0;
		a = w->marks[i / CLM_WALK_SEGMENT];
		if (chain_down(w->repo, odb, &a, i % CLM_WALK_SEGMENT) < 0)
			return 0;
	}
	for (; i < w->length; i++) {
		if (git_oid_equal(&a, &b)) {
			w->length = i;
			w->nmarks = (i + CLM_WALK_SEGMENT - 1) / CLM_WALK_SEGMENT;
			return 0;
		}
		if (chain_down(w->repo, odb, &a, 1) < 0 || chain_down(w->repo, odb, &b, 1) < 0)
			return 0;
	}
	return 0;
}

static int start_first_parent(struct clm_history_walk *w, const git_oid *tip, const git_oid *hide,
			      size_t *hide_depths, size_t nhide, size_t *tip_depth)
{
	git_odb *odb;
	size_t hit;
	int rc;

	if (git_repository_odb(&odb, w->repo) < 0)
		return clm_git_error(GIT_ERROR, "object database");
	rc = scan_chain(w, odb, tip, hide, nhide, &hit);
	if (hit == nhide)
		*tip_depth = w->length - 1;
	else if (hide_depths[hit] != CLM_DEPTH_UNKNOWN || nhide > 1)
		*tip_depth = (hide_depths[hit] = chain_depth(w, odb, &hide[hit], hide_depths[hit])) + w->length;
	for (size_t i = 0; rc == 0 && i < nhide && w->length; i++) {
		if (i == hit || !git_odb_exists(odb, &hide[i]))
			continue;
		hide_depths[i] = chain_depth(w, odb, &hide[i], hide_depths[i]);
		rc = stop_at_chain(w, odb, tip, *tip_depth, &hide[i], hide_depths[i]);
	}
	git_odb_free(odb);
	if (w->shallow)
		*tip_depth = CLM_DEPTH_UNKNOWN;
	if (rc == 0 && !(w->segment = calloc(CLM_WALK_SEGMENT, sizeof(*w->segment))))
		rc = clm_error_oom();
	w->segment_at = w->nmarks;
	return rc;
}

static int start_revwalk(struct clm_history_walk *w, const git_oid *tip, const git_oid *hide, size_t nhide)
{
	int rc = git_revwalk_new(&w->revwalk, w->repo);

	if (rc == 0)
		rc = git_revwalk_sorting(w->revwalk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
	if (rc == 0)
		rc = git_revwalk_push(w->revwalk, tip);
	for (size_t i = 0; rc == 0 && i < nhide; i++)
		if (git_revwalk_hide(w->revwalk, &hide[i]) < 0)
			git_error_clear(); /* a remembered tip that is gone no longer limits the walk */
	return rc < 0 ? clm_git_error(rc, "history walk") : 0;
}

int clm_history_walk_start(struct clm_history_walk *w, git_repository *repo, const char *range, int all_parents,
			   const git_oid *hide, size_t *hide_depths, size_t nhide, git_oid *tip,
			   size_t *tip_depth)
{
	git_revspec spec;
	git_oid *hidden;
	size_t *depths, nhidden = nhide;
	int rc;

	memset(w, 0, sizeof(*w));
	w->repo = repo;
	w->shallow = git_repository_is_shallow(repo) == 1;
	*tip_depth = CLM_DEPTH_UNKNOWN;
	if (!range)
		range = "HEAD";
	if (git_revparse(&spec, repo, range) < 0)
		return clm_git_error(GIT_EINVALIDSPEC, "%s", range);
	if (spec.flags & GIT_REVSPEC_MERGE_BASE) {
		git_object_free(spec.from);
		git_object_free(spec.to);
		return clm_error_set(CLM_EINVALID, "%s: symmetric ranges (A...B) are not supported", range);
	}
	hidden = malloc((nhide + 1) * sizeof(*hidden));
	depths = malloc((nhide + 1) * sizeof(*depths));
	if (!hidden || !depths) {
		free(hidden);
		free(depths);
		git_object_free(spec.from);
		git_object_free(spec.to);
		return clm_error_oom();
	}
	for (size_t i = 0; i < nhide; i++) {
		hidden[i] = hide[i];
		depths[i] = hide_depths ? hide_depths[i] : CLM_DEPTH_UNKNOWN;
	}
	if (spec.flags & GIT_REVSPEC_RANGE) {
		depths[nhidden] = CLM_DEPTH_UNKNOWN;
		hidden[nhidden++] = *git_object_id(spec.from);
		*tip = *git_object_id(spec.to);
	} else {
		*tip = *git_object_id(spec.from);
	}
	git_object_free(spec.from);
	git_object_free(spec.to);
	if (all_parents && !w->shallow) {
		rc = start_revwalk(w, tip, hidden, nhidden);
	} else {
		w->first_parent_only = all_parents; /* revwalk fails on a shallow clone's missing parents */
		rc = start_first_parent(w, tip, hidden, depths, nhidden, tip_depth);
	}
	for (size_t i = 0; hide_depths && !w->shallow && i < nhide; i++)
		hide_depths[i] = depths[i]; /* what was counted need not be counted again */
	free(hidden);
	free(depths);
	if (rc < 0)
		clm_history_walk_release(w);
	return rc;
}

/* Read the segment that starts at marks[w->segment_at]: the first-parent walk reads each commit
 * once to find the chain and once here, and hands the commit itself to the caller. */
static int load_segment(struct clm_history_walk *w)
{
	size_t start = w->segment_at * CLM_WALK_SEGMENT;
	size_t n = w->length - start < CLM_WALK_SEGMENT ? w->length - start : CLM_WALK_SEGMENT;
	git_oid id = w->marks[w->segment_at];
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			if (git_commit_parentcount(w->segment[i - 1]) == 0)
				break;
			id = *git_commit_parent_id(w->segment[i - 1], 0);
		}
		if (git_commit_lookup(&w->segment[i], w->repo, &id) < 0) {
			git_error_clear();
			break;
		}
		w->left = i + 1;
	}
	if (w->left < n) {
		rc = clm_error_set(CLM_EGENERIC, "history changed during the walk");
		while (w->left)
			git_commit_free(w->segment[--w->left]);
	}
	return rc;
}

int clm_history_walk_next(struct clm_history_walk *w, git_oid *oid, git_commit **commit)
{
	int rc;

	*commit = NULL;
	if (w->revwalk) {
		rc = git_revwalk_next(oid, w->revwalk);
		if (rc == GIT_ITEROVER)
			return 0;
		if (rc < 0)
			return clm_git_error(GIT_ERROR, "history walk");
		if (git_commit_lookup(commit, w->repo, oid) < 0)
			git_error_clear();
		return 1;
	}
	if (!w->left) {
		if (w->segment_at == 0)
			return 0;
		w->segment_at--;
		if ((rc = load_segment(w)) < 0)
			return rc;
	}
	*commit = w->segment[--w->left];
	*oid = *git_commit_id(*commit);
	return 1;
}

void clm_history_walk_release(struct clm_history_walk *w)
{
	while (w->left)
		git_commit_free(w->segment[--w->left]);
	git_revwalk_free(w->revwalk);
	free(w->marks);
	free(w->segment);
	memset(w, 0, sizeof(*w));
}
