#include "git/tree_changes.h"
#include "git/repo.h"
#include "parsers/manifest.h"
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

	if (s->n == s->alloc) {
		size_t na = s->alloc ? 2 * s->alloc : 16;
		struct pending *ni = realloc(s->items, na * sizeof(*ni));
		if (!ni)
			return clm_error_oom();
		s->items = ni;
		s->alloc = na;
	}
	if (asprintf(&p.prefix, "%s%s/", prefix, name) < 0)
		return clm_error_oom();
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

/* Compare one entry `e` of `side` with its namesake in `other`; queue differing subtrees.
 * Returns 1 for a differing manifest, 0, or negative. */
static int compare_entry(git_repository *repo, struct clm_tree_memo *memo, struct stack *s, struct clm_strbuf *path,
			 const char *prefix, const git_tree_entry *e, git_tree *other, int e_is_new)
{
	const git_tree_entry *o = other ? git_tree_entry_byname(other, git_tree_entry_name(e)) : NULL;
	git_tree *et = NULL, *ot = NULL;
	int rc;

	if (o && !e_is_new)
		return 0; /* present on both sides: handled from the new side */
	if (o && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(o)) &&
	    git_tree_entry_filemode(e) == git_tree_entry_filemode(o))
		return 0;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB || (o && git_tree_entry_type(o) == GIT_OBJECT_BLOB)) {
		rc = is_manifest(path, prefix, git_tree_entry_name(e));
		if (rc != 0)
			return rc;
	}
	if ((rc = lookup_tree(repo, memo, e, e_is_new, &et)) < 0 || (rc = lookup_tree(repo, memo, o, !e_is_new, &ot)) < 0) {
		git_tree_free(et);
		return rc;
	}
	if (!et && !ot)
		return 0;
	rc = e_is_new ? push(s, ot, et, prefix, git_tree_entry_name(e)) : push(s, et, ot, prefix, git_tree_entry_name(e));
	if (rc < 0) {
		git_tree_free(et);
		git_tree_free(ot);
	}
	return rc;
}

int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree,
				     struct clm_tree_memo *memo)
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
		for (size_t i = 0; i < nn && rc == 0; i++)
			rc = compare_entry(repo, memo, &s, &path, p.prefix, git_tree_entry_byindex(p.new_tree, i),
					   p.old_tree, 1);
		for (size_t i = 0; i < no && rc == 0; i++)
			rc = compare_entry(repo, memo, &s, &path, p.prefix, git_tree_entry_byindex(p.old_tree, i),
					   p.new_tree, 0);
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
