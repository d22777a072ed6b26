#include "mine/tree_changes.h"
#include "git/repo.h"
#include "parsers/manifest.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pair of subtrees still to compare, under `prefix` (owned). */
struct pending {
	git_tree *old_tree, *new_tree; /* either may be NULL */
	char *prefix;
};

struct stack {
	struct pending *items;
	size_t n, alloc;
};

static int push(struct stack *s, git_tree *o, git_tree *n, const char *prefix, const char *name)
{
	struct pending p = { o, n, NULL };

	if (CLM_ALLOC_GROW(s->items, s->n + 1, s->alloc) < 0)
		return CLM_ENOMEM;
	if (!(p.prefix = clm_strfmt("%s%s/", prefix, name)))
		return CLM_ENOMEM;
	s->items[s->n++] = p;
	return 0;
}

void clm_tree_memo_release(struct clm_tree_memo *memo)
{
	for (size_t i = 0; i < memo->nlast; i++)
		git_tree_free(memo->last[i]);
	for (size_t i = 0; i < memo->nnext; i++)
		git_tree_free(memo->next[i]);
	memo->nlast = memo->nnext = 0;
}

/* The subtree an entry names (NULL for a non-tree entry), from the memo when the last comparison
 * read it; new-side trees are remembered for the next comparison. */
static int lookup_tree(git_repository *repo, struct clm_tree_memo *memo, const git_tree_entry *e, int new_side,
		       git_tree **out)
{
	const git_oid *id;
	int rc = 1;

	*out = NULL;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	id = git_tree_entry_id(e);
	for (size_t i = 0; memo && i < memo->nlast && rc > 0; i++)
		if (git_oid_equal(git_tree_id(memo->last[i]), id))
			rc = git_tree_dup(out, memo->last[i]);
	if (rc > 0)
		rc = git_tree_lookup(out, repo, id);
	if (rc < 0)
		return clm_git_error(rc, "tree %s", git_oid_tostr_s(id));
	if (memo && new_side && memo->nnext < CLM_TREE_MEMO_MAX && git_tree_dup(&memo->next[memo->nnext], *out) == 0)
		memo->nnext++;
	return 0;
}

static int is_manifest(struct clm_strbuf *path, const char *prefix, const char *name)
{
	clm_strbuf_reset(path);
	if (clm_strbuf_addstr(path, prefix) < 0 || clm_strbuf_addstr(path, name) < 0)
		return CLM_ENOMEM;
	return clm_manifest_for_path(path->buf) != NULL;
}

/* Compare the entries `o` (old side) and `n` (new side) of one name, either missing; queue the
 * subtrees when they differ. Returns 1 for a differing manifest, 0, or negative. */
static int compare_entry(git_repository *repo, struct clm_tree_memo *memo, struct stack *s, struct clm_strbuf *path,
			 const char *prefix, const git_tree_entry *o, const git_tree_entry *n)
{
	const char *name = git_tree_entry_name(n ? n : o);
	git_tree *ot = NULL, *nt = NULL;
	int rc;

	if (o && n && git_oid_equal(git_tree_entry_id(o), git_tree_entry_id(n)) &&
	    git_tree_entry_filemode(o) == git_tree_entry_filemode(n))
		return 0;
	if ((o && git_tree_entry_type(o) == GIT_OBJECT_BLOB) || (n && git_tree_entry_type(n) == GIT_OBJECT_BLOB)) {
		rc = is_manifest(path, prefix, name);
		if (rc != 0)
			return rc;
	}
	if ((rc = lookup_tree(repo, memo, o, 0, &ot)) < 0 || (rc = lookup_tree(repo, memo, n, 1, &nt)) < 0) {
		git_tree_free(ot);
		return rc;
	}
	if (!ot && !nt)
		return 0;
	rc = push(s, ot, nt, prefix, name);
	if (rc < 0) {
		git_tree_free(ot);
		git_tree_free(nt);
	}
	return rc;
}

int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
				     struct clm_tree_memo *memo, struct clm_strbuf *manifest)
{
	struct stack s = { 0 };
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = 0;

	/* The root trees belong to the caller: compare them without taking ownership. */
	if (push(&s, old_tree, new_tree, "", "") < 0)
		return CLM_ENOMEM;
	s.items[0].prefix[0] = '\0';
	while (s.n && rc == 0) {
		struct pending p = s.items[--s.n];
		size_t nn = p.new_tree ? git_tree_entrycount(p.new_tree) : 0;
		size_t no = p.old_tree ? git_tree_entrycount(p.old_tree) : 0;
		/* Both sides are sorted in git's order: one merged pass pairs the entries by name. */
		for (size_t i = 0, j = 0; rc == 0 && (i < no || j < nn);) {
			const git_tree_entry *o = i < no ? git_tree_entry_byindex(p.old_tree, i) : NULL;
			const git_tree_entry *n = j < nn ? git_tree_entry_byindex(p.new_tree, j) : NULL;
			int c = !o ? 1 : !n ? -1 : git_tree_entry_cmp(o, n);
			rc = compare_entry(repo, memo, &s, &path, p.prefix, c <= 0 ? o : NULL, c >= 0 ? n : NULL);
			i += c <= 0;
			j += c >= 0;
		}
		if (p.old_tree != old_tree)
			git_tree_free(p.old_tree);
		if (p.new_tree != new_tree)
			git_tree_free(p.new_tree);
		free(p.prefix);
	}
	while (s.n) {
		struct pending p = s.items[--s.n];
		if (p.old_tree != old_tree)
			git_tree_free(p.old_tree);
		if (p.new_tree != new_tree)
			git_tree_free(p.new_tree);
		free(p.prefix);
	}
	free(s.items);
	if (rc == 1 && manifest && clm_strbuf_addstr(manifest, path.buf) < 0)
		rc = CLM_ENOMEM;
	clm_strbuf_release(&path);
	if (memo) { /* what this comparison read on its new side is the next one's old side */
		for (size_t i = 0; i < memo->nlast; i++)
			git_tree_free(memo->last[i]);
		memcpy(memo->last, memo->next, memo->nnext * sizeof(memo->last[0]));
		memo->nlast = memo->nnext;
		memo->nnext = 0;
	}
	return rc;
}

static int tree_of(git_repository *repo, const git_oid *commit_id, git_tree **tree)
{
	git_commit *c = NULL;
	int rc = git_commit_lookup(&c, repo, commit_id);

	if (rc == 0)
		rc = git_commit_tree(tree, c);
	git_commit_free(c);
	return rc < 0 ? clm_git_error(rc, "cannot read commit %.12s", git_oid_tostr_s(commit_id)) : 0;
}

int clm_commits_touch_manifest(git_repository *repo, const git_oid *old_commit, const git_oid *new_commit,
			       int *touched, struct clm_strbuf *path)
{
	git_tree *a = NULL, *b = NULL;
	int rc;

	*touched = 0;
	if (git_oid_equal(old_commit, new_commit))
		return 0;
	rc = tree_of(repo, old_commit, &a);
	if (rc == 0)
		rc = tree_of(repo, new_commit, &b);
	if (rc == 0)
		rc = clm_tree_change_touches_manifest(repo, a, b, NULL, path);
	*touched = rc > 0;
	git_tree_free(a);
	git_tree_free(b);
	return rc < 0 ? rc : 0;
}
