#include "git/tree.h"
#include "git/refs.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

int clm_tree_path_is_clean(const char *path)
{
	const char *p = path;

	if (!*path || *path == '/')
		return 0;
	while (*p) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.') ||
		    (len == 4 && !strncmp(p, ".git", 4)))
			return 0;
		p += len;
		if (*p == '/' && !*++p)
			return 0;
	}
	return 1;
}

/* Position of `path` in the plan, or -1: a hash lookup, so planning n paths is linear. The index
 * is rebuilt after clm_tree_plan_write sorted the items. */
static long plan_find(struct clm_tree_plan *p, const char *path)
{
	uint32_t id;

	if (p->index.count != p->n) {
		clm_symtab_release(&p->index);
		for (size_t i = 0; i < p->n; i++)
			if (clm_symtab_intern(&p->index, p->items[i].path, strlen(p->items[i].path), &id) < 0)
				return clm_error_oom();
	}
	id = clm_symtab_find(&p->index, path, strlen(path));
	return id == UINT32_MAX ? -1 : (long)id;
}

int clm_tree_plan_add(struct clm_tree_plan *p, const char *path, const git_oid *blob)
{
	struct clm_tree_entry *e;
	uint32_t id;
	long at;

	if (!clm_tree_path_is_clean(path))
		return clm_error_set(CLM_EINVALID, "'%s' is not a clean relative path", path);
	if ((at = plan_find(p, path)) == CLM_ENOMEM)
		return CLM_ENOMEM;
	if (at >= 0) {
		git_oid_cpy(&p->items[at].blob, blob);
		return 0;
	}
	if (CLM_ALLOC_GROW(p->items, p->n + 1, p->alloc) < 0)
		return CLM_ENOMEM;
	e = &p->items[p->n];
	e->path = strdup(path);
	if (!e->path || clm_symtab_intern(&p->index, path, strlen(path), &id) < 0) {
		free(e->path);
		return clm_error_oom();
	}
	git_oid_cpy(&e->blob, blob);
	p->n++;
	return 0;
}

int clm_tree_plan_add_bytes(struct clm_tree_plan *p, git_repository *repo, const char *path,
			    const void *data, size_t len)
{
	git_odb *odb = NULL;
	git_oid id;
	int rc = git_repository_odb(&odb, repo);

	/* git_odb_write hashes first and skips objects that exist; git_blob_create_from_buffer
	 * would compress every unchanged tensor again before finding out. */
	if (rc == 0)
		rc = git_odb_write(&id, odb, len ? data : "", len, GIT_OBJECT_BLOB);
	git_odb_free(odb);
	if (rc < 0)
		return clm_git_error(rc, "cannot write blob for '%s'", path);
	return clm_tree_plan_add(p, path, &id);
}

struct inherit_ctx {
	struct clm_tree_plan *plan;
	const char *dir;
	int rc;
};

static int inherit_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct inherit_ctx *c = payload;
	struct clm_strbuf path = CLM_STRBUF_INIT;
	long found;

	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	if (clm_strbuf_addf(&path, "%s/%s%s", c->dir, root, git_tree_entry_name(e)) < 0) {
		c->rc = CLM_ENOMEM;
		return -1;
	}
	found = plan_find(c->plan, path.buf);
	if (found == CLM_ENOMEM)
		c->rc = CLM_ENOMEM;
	else if (found < 0)
		c->rc = clm_tree_plan_add(c->plan, path.buf, git_tree_entry_id(e));
	clm_strbuf_release(&path);
	return c->rc < 0 ? -1 : 0;
}

int clm_tree_plan_inherit(struct clm_tree_plan *p, git_repository *repo, const git_tree *tree, const char *dir)
{
	git_tree_entry *e = NULL;
	git_tree *sub = NULL;
	struct inherit_ctx c = { p, dir, 0 };
	int rc = git_tree_entry_bypath(&e, tree, dir);

	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return clm_git_error(rc, "cannot read '%s'", dir);
	rc = git_tree_lookup(&sub, repo, git_tree_entry_id(e));
	git_tree_entry_free(e);
	if (rc < 0)
		return clm_git_error(rc, "cannot read tree '%s'", dir);
	rc = git_tree_walk(sub, GIT_TREEWALK_PRE, inherit_cb, &c);
	git_tree_free(sub);
	if (c.rc < 0)
		return c.rc;
	return rc < 0 ? clm_git_error(rc, "cannot walk '%s'", dir) : 0;
}

int clm_tree_plan_inherit_file(struct clm_tree_plan *p, const git_tree *tree, const char *name)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, name);
	long at = plan_find(p, name);

	if (at != -1)
		return at < 0 ? (int)at : 0;
	if (!e || git_tree_entry_type(e) != GIT_OBJECT_BLOB)
		return 0;
	return clm_tree_plan_add(p, name, git_tree_entry_id(e));
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct clm_tree_entry *)a)->path, ((const struct clm_tree_entry *)b)->path);
}

/* Write the tree for entries[lo, hi), all sharing the first `skip` bytes of their paths. */
static int write_level(git_repository *repo, struct clm_tree_entry *items, size_t lo, size_t hi, size_t skip,
		       git_oid *out)
{
	git_treebuilder *tb = NULL;
	int rc = git_treebuilder_new(&tb, repo, NULL);
	size_t i = lo;

	if (rc < 0)
		return clm_git_error(rc, "cannot build tree");
	while (i < hi && rc == 0) {
		const char *rest = items[i].path + skip;
		size_t name_len = strcspn(rest, "/");
		char *name = strndup(rest, name_len);
		if (!name) {
			rc = clm_error_oom();
			break;
		}
		if (git_treebuilder_get(tb, name)) {
			rc = clm_error_set(CLM_EINVALID, "'%.*s' is both a file and a directory", (int)(skip + name_len),
					   items[i].path);
		} else if (!rest[name_len]) {
			rc = git_treebuilder_insert(NULL, tb, name, &items[i].blob, GIT_FILEMODE_BLOB);
			if (rc < 0)
				rc = clm_git_error(rc, "cannot add '%s' to a tree", items[i].path);
			i++;
		} else {
			/* Everything starting with "<name>/" is one subtree (sorted, so contiguous). */
			size_t j = i;
			git_oid sub;
			while (j < hi && !strncmp(items[j].path + skip, rest, name_len + 1))
				j++;
			rc = write_level(repo, items, i, j, skip + name_len + 1, &sub);
			if (rc == 0 && (rc = git_treebuilder_insert(NULL, tb, name, &sub, GIT_FILEMODE_TREE)) < 0)
				rc = clm_git_error(rc, "cannot add '%s' to a tree", name);
			i = j;
		}
		free(name);
	}
	if (rc == 0 && (rc = git_treebuilder_write(out, tb)) < 0)
		rc = clm_git_error(rc, "cannot write tree");
	git_treebuilder_free(tb);
	return rc;
}

int clm_tree_plan_write(struct clm_tree_plan *p, git_repository *repo, git_oid *out)
{
	if (p->n)	/* qsort's pointer must not be NULL, even for no items */
		qsort(p->items, p->n, sizeof(*p->items), by_path);
	clm_symtab_release(&p->index); /* positions moved: plan_find rebuilds it */
	return write_level(repo, p->items, 0, p->n, 0, out);
}

void clm_tree_plan_release(struct clm_tree_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].path);
	free(p->items);
	clm_symtab_release(&p->index);
	p->items = NULL;
	p->n = p->alloc = 0;
}

int clm_tree_read_blob(git_repository *repo, const git_tree *tree, const char *path, struct clm_strbuf *out)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	int rc = git_tree_entry_bypath(&e, tree, path);

	if (rc == GIT_ENOTFOUND)
		return clm_error_set(CLM_ENOTFOUND, "'%s' is missing", path);
	if (rc < 0)
		return clm_git_error(rc, "cannot read '%s'", path);
	rc = git_tree_entry_type(e) == GIT_OBJECT_BLOB ? git_blob_lookup(&b, repo, git_tree_entry_id(e)) : -1;
	git_tree_entry_free(e);
	if (rc < 0)
		return clm_git_error(rc, "cannot read '%s' (missing or corrupted object)", path);
	rc = clm_strbuf_add(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return rc;
}
