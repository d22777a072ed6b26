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

static int lookup_tree(git_repository *repo, const git_tree_entry *e, git_tree **out)
{
	*out = NULL;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return 0;
	int rc = git_tree_lookup(out, repo, git_tree_entry_id(e));
	return rc < 0 ? clm_git_error(rc, "tree %s", git_oid_tostr_s(git_tree_entry_id(e))) : 0;
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
static int compare_entry(git_repository *repo, struct stack *s, struct clm_strbuf *path, const char *prefix,
			 const git_tree_entry *e, git_tree *other, int e_is_new)
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
	if ((rc = lookup_tree(repo, e, &et)) < 0 || (rc = lookup_tree(repo, o, &ot)) < 0) {
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

int clm_tree_change_touches_manifest(git_repository *repo, git_tree *old_tree, git_tree *new_tree)
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
			rc = compare_entry(repo, &s, &path, p.prefix, git_tree_entry_byindex(p.new_tree, i), p.old_tree, 1);
		for (size_t i = 0; i < no && rc == 0; i++)
			rc = compare_entry(repo, &s, &path, p.prefix, git_tree_entry_byindex(p.old_tree, i), p.new_tree, 0);
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
	return rc;
}
