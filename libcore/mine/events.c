#include "mine/events.h"
#include "git/blob.h"
#include "git/repo.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/treepath.h"

#include <stdlib.h>
#include <string.h>

/* Context for a manifest's `-r other.txt` includes: files of the same tree. */
struct tree_reader {
	git_repository *repo;
	git_tree *tree;
	git_blob *last; /* the blob handed out last; freed on the next call */
};

static int read_from_tree(void *ctx, const char *path, const char **data, size_t *len)
{
	struct tree_reader *r = ctx;
	git_tree_entry *e;
	int rc;

	git_blob_free(r->last);
	r->last = NULL;
	if (!r->tree || git_tree_entry_bypath(&e, r->tree, path) < 0)
		return clm_error_set(CLM_ENOTFOUND, "%s: not in the tree", path);
	/* A symbolic link's blob is its target's name, not a manifest: read as absent. */
	rc = git_tree_entry_type(e) == GIT_OBJECT_BLOB && git_tree_entry_filemode(e) != GIT_FILEMODE_LINK ?
		     clm_blob_read_capped(r->repo, git_tree_entry_id(e), CLM_BLOB_MAX_BYTES, &r->last) : CLM_ENOTFOUND;
	git_tree_entry_free(e);
	if (rc != 0)
		return rc > 0 ? clm_error_set(CLM_EINVALID, "%s: over 1 MB", path) : rc;
	*data = git_blob_rawcontent(r->last);
	*len = (size_t)git_blob_rawsize(r->last);
	return 0;
}

/* Parse one side of a manifest change; an absent side (added or deleted file) is empty. A
 * symbolic link is read through its target in the same tree (a link's text is not a manifest);
 * a link that leaves the tree, dangles or points at another link reads as empty. */
static int parse_side(git_repository *repo, const struct clm_manifest_parser *mp, const git_diff_file *f,
		      git_tree *tree, struct clm_dep_list *deps)
{
	struct tree_reader reader = { repo, tree, NULL }, target = { repo, tree, NULL };
	struct clm_strbuf path = CLM_STRBUF_INIT;
	git_blob *blob;
	const char *data;
	size_t len;
	int rc;

	if (git_oid_is_zero(&f->id) || f->mode == 0)
		return 0;
	if (f->mode == GIT_FILEMODE_COMMIT)
		return 0;
	rc = clm_blob_read_capped(repo, &f->id, CLM_BLOB_MAX_BYTES, &blob);
	if (rc > 0)
		return clm_error_set(CLM_EINVALID, "%s is over 1 MB", f->path);
	if (rc < 0)
		return rc;
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if (f->mode == GIT_FILEMODE_LINK) {
		rc = clm_tree_path_resolve(f->path, data, len, &path);
		if (rc == 0)
			rc = 1; /* out of the tree: an empty manifest */
		else if (rc > 0 && (rc = read_from_tree(&target, path.buf, &data, &len)) == CLM_ENOTFOUND)
			rc = 1; /* dangling, or a link to a link */
	}
	if (rc == 0)
		rc = mp->parse(f->path, data, len, read_from_tree, &reader, deps);
	git_blob_free(target.last);
	git_blob_free(reader.last);
	git_blob_free(blob);
	clm_strbuf_release(&path);
	return rc > 0 ? 0 : rc;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static int add_event(struct clm_dep_event_list *out, const char *ecosystem, const char *manifest,
		     const git_oid *commit, const struct clm_dep_change *c)
{
	struct clm_dep_event e = { 0 };

	if (CLM_ALLOC_GROW(out->items, out->n + 1, out->alloc) < 0)
		return CLM_ENOMEM;
	e.ecosystem = strdup(ecosystem);
	e.package = dup_or_empty(c->name);
	e.from_spec = dup_or_empty(c->from_spec);
	e.to_spec = dup_or_empty(c->to_spec);
	e.from = dup_or_empty(c->from_lower && *c->from_lower ? c->from_lower : c->from_spec);
	e.to = dup_or_empty(c->to_lower && *c->to_lower ? c->to_lower : c->to_spec);
	e.manifest = strdup(manifest);
	e.group = dup_or_empty(c->group);
	e.kind = c->kind;
	e.level = c->level;
	e.commit = *commit;
	out->items[out->n++] = e;
	if (!e.ecosystem || !e.package || !e.from_spec || !e.to_spec || !e.from || !e.to || !e.manifest || !e.group)
		return clm_error_oom();
	return 0;
}

static void warn_hostile(clm_warn_fn warn, void *warn_ctx, const char *path, const char *hex)
{
	struct clm_strbuf msg = CLM_STRBUF_INIT;

	if (clm_strbuf_addf(&msg, "skipping %s at %.12s: a path git refuses to check out", path, hex) == 0)
		warn(warn_ctx, msg.buf);
	clm_strbuf_release(&msg);
}

int clm_events_from_diff(git_repository *repo, git_diff *diff, git_tree *old_tree, git_tree *new_tree,
			 const git_oid *commit, clm_warn_fn warn, void *warn_ctx, struct clm_dep_event_list *out)
{
	size_t n = git_diff_num_deltas(diff);
	char hex[GIT_OID_HEXSZ + 1];

	git_oid_tostr(hex, sizeof(hex), commit);
	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *path = d->status == GIT_DELTA_DELETED ? d->old_file.path : d->new_file.path;
		const struct clm_manifest_parser *mp = clm_manifest_for_path(path);
		struct clm_dep_list old_deps = { 0 }, new_deps = { 0 };
		struct clm_dep_change_list changes = { 0 };
		int rc;

		if (!mp)
			continue;
		if (clm_path_is_hostile(path)) {
			if (warn)
				warn_hostile(warn, warn_ctx, path, hex);
			continue;
		}
		rc = parse_side(repo, mp, &d->old_file, old_tree, &old_deps);
		if (rc == 0)
			rc = parse_side(repo, mp, &d->new_file, new_tree, &new_deps);
		if (rc == 0)
			rc = clm_manifest_diff(&old_deps, &new_deps, &changes);
		for (size_t k = 0; rc == 0 && k < changes.n; k++)
			rc = add_event(out, mp->ecosystem, path, commit, &changes.items[k]);
		clm_dep_list_release(&old_deps);
		clm_dep_list_release(&new_deps);
		clm_dep_change_list_release(&changes);
		if (rc == CLM_ENOMEM)
			return rc;
		if (rc < 0 && warn) {
			struct clm_strbuf msg = CLM_STRBUF_INIT;
			if (clm_strbuf_addf(&msg, "skipping %s at %.12s: %s", path, hex, clm_error()) < 0)
				return CLM_ENOMEM;
			warn(warn_ctx, msg.buf);
			clm_strbuf_release(&msg);
		}
	}
	return 0;
}

static const char *version_or_none(const char *v)
{
	return v && *v ? v : "none";
}

char *clm_events_task_id(const struct clm_dep_event_list *l)
{
	const struct clm_dep_event *primary = NULL;

	if (!l->n)
		return NULL;
	for (size_t i = 0; i < l->n && !primary; i++)
		if (l->items[i].kind == CLM_DEP_BUMPED)
			primary = &l->items[i];
	if (!primary)
		primary = &l->items[0];
	if (l->n > 1)
		return clm_strfmt("%s/%s/%s..%s+%zu", primary->ecosystem, primary->package,
				  version_or_none(primary->from), version_or_none(primary->to), l->n - 1);
	return clm_strfmt("%s/%s/%s..%s", primary->ecosystem, primary->package, version_or_none(primary->from),
			  version_or_none(primary->to));
}

json_t *clm_event_to_json(const struct clm_dep_event *e)
{
	static const char *const kinds[] = { "added", "removed", "bumped" };
	static const char *const levels[] = { NULL, "major", "minor", "patch", "other" };
	char hex[GIT_OID_HEXSZ + 1];
	json_t *level = e->level > CLM_SEMVER_NONE && e->level <= CLM_SEMVER_OTHER ? json_string(levels[e->level])
										  : json_null();

	git_oid_tostr(hex, sizeof(hex), &e->commit);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "ecosystem", e->ecosystem, "package",
			 e->package, "kind", kinds[e->kind], "from", e->from, "to", e->to, "from_spec", e->from_spec,
			 "to_spec", e->to_spec, "manifest", e->manifest, "group", e->group, "commit", hex, "level",
			 level);
}

void clm_dep_event_list_release(struct clm_dep_event_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct clm_dep_event *e = &l->items[i];
		free(e->ecosystem), free(e->package), free(e->from), free(e->to);
		free(e->from_spec), free(e->to_spec), free(e->manifest), free(e->group);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
