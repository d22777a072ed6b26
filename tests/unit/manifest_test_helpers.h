/* Helpers for the manifest parser tests: parse a text, render lists as lines for exact asserts. */
#ifndef CLM_MANIFEST_TEST_HELPERS_H
#define CLM_MANIFEST_TEST_HELPERS_H

#include "test_helpers.h"
#include "parsers/manifest.h"
#include "util/error.h"
#include "util/strbuf.h"

/* Files of a fake tree for -r includes: NULL-terminated pairs of path and content. */
static inline int test_tree_read(void *ctx, const char *path, const char **data, size_t *len)
{
	const char *const *files = ctx;

	for (size_t i = 0; files && files[i]; i += 2)
		if (!strcmp(files[i], path)) {
			*data = files[i + 1];
			*len = strlen(files[i + 1]);
			return 0;
		}
	return CLM_ENOTFOUND;
}

/* Dependencies as "name spec [lower] group" lines, in manifest order; Go paths appended. */
static inline char *render_deps(const struct clm_dep_list *l)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		const struct clm_dep *d = &l->items[i];
		clm_strbuf_addf(&sb, "%s %s [%s] %s", d->name, d->spec, d->lower, d->group);
		if (d->go_path)
			clm_strbuf_addf(&sb, " (%s)", d->go_path);
		clm_strbuf_addch(&sb, '\n');
	}
	return clm_strbuf_detach(&sb, NULL);
}

/* Parse `text` as the manifest at `path` (which must be recognised) and render it; fails the
 * test with the parser's message on error. `files` feeds includes (may be NULL). */
static inline char *parse_render(const char *path, const char *text, const char *const *files)
{
	const struct clm_manifest_parser *p = clm_manifest_for_path(path);
	struct clm_dep_list deps = { 0 };
	char *out;

	if (!p)
		fail_msg("%s is not recognised as a manifest", path);
	if (p->parse(path, text, strlen(text), test_tree_read, (void *)files, &deps) < 0)
		fail_msg("%s: %s", path, clm_error());
	out = render_deps(&deps);
	clm_dep_list_release(&deps);
	return out;
}

/* Assert that parsing gives exactly `expected` lines. */
static inline void assert_deps(const char *path, const char *text, const char *expected)
{
	char *got = parse_render(path, text, NULL);
	assert_string_equal(got, expected);
	free(got);
}

/* Assert that parsing fails with a message containing `needle`. */
static inline void assert_rejected(const char *path, const char *text, size_t len,
				   const char *needle)
{
	const struct clm_manifest_parser *p = clm_manifest_for_path(path);
	struct clm_dep_list deps = { 0 };
	int rc;

	assert_non_null(p);
	clm_error_clear();
	rc = p->parse(path, text, len, NULL, NULL, &deps);
	clm_dep_list_release(&deps);
	if (rc != CLM_EINVALID)
		fail_msg("%s: expected rejection, got %d", path, rc);
	if (!strstr(clm_error(), needle))
		fail_msg("message '%s' lacks '%s'", clm_error(), needle);
}

/* Changes as "kind name from -> to (lower -> lower) [level ]group" lines. */
static inline char *render_changes(const struct clm_dep_change_list *l)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++) {
		const struct clm_dep_change *c = &l->items[i];
		const char *level = clm_semver_level_name(c->level);
		clm_strbuf_addf(&sb, "%s %s %s -> %s (%s -> %s) %s%s%s\n",
				clm_dep_change_kind_name(c->kind), c->name, c->from_spec, c->to_spec,
				c->from_lower, c->to_lower, level, *level ? " " : "", c->group);
	}
	return clm_strbuf_detach(&sb, NULL);
}

/* Assert the diff between two versions of the manifest at `path`. */
static inline void assert_diff(const char *path, const char *old_text, const char *new_text,
			       const char *expected)
{
	const struct clm_manifest_parser *p = clm_manifest_for_path(path);
	struct clm_dep_list a = { 0 }, b = { 0 };
	struct clm_dep_change_list changes = { 0 };
	char *got;

	assert_non_null(p);
	if (p->parse(path, old_text, strlen(old_text), NULL, NULL, &a) < 0 ||
	    p->parse(path, new_text, strlen(new_text), NULL, NULL, &b) < 0)
		fail_msg("%s: %s", path, clm_error());
	assert_int_equal(clm_manifest_diff(&a, &b, &changes), 0);
	got = render_changes(&changes);
	assert_string_equal(got, expected);
	free(got);
	clm_dep_change_list_release(&changes);
	clm_dep_list_release(&a);
	clm_dep_list_release(&b);
}

#endif
