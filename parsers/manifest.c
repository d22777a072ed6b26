/* Manifest registry, dependency list helpers and the dependency diff. */
#include "parsers/manifest.h"
#include "parsers/manifests/common.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct clm_manifest_parser *const parsers[] = {
	&clm_manifest_pypi,  &clm_manifest_npm,    &clm_manifest_go,       &clm_manifest_cargo,
	&clm_manifest_maven, &clm_manifest_gradle, &clm_manifest_rubygems, &clm_manifest_nuget,
	NULL,
};

const struct clm_manifest_parser *const *clm_manifest_parsers(void)
{
	return parsers;
}

const struct clm_manifest_parser *clm_manifest_for_path(const char *path)
{
	for (const struct clm_manifest_parser *const *p = parsers; *p; p++)
		if ((*p)->matches(path))
			return *p;
	return NULL;
}

int clm_dep_list_add(struct clm_dep_list *l, const char *name, const char *spec, const char *lower,
		     const char *group, const char *go_path)
{
	struct clm_dep *d;

	if (CLM_ALLOC_GROW(l->items, l->n + 1, l->alloc) < 0)
		return CLM_ENOMEM;
	d = &l->items[l->n];
	memset(d, 0, sizeof(*d));
	d->name = strdup(name);
	d->spec = strdup(spec ? spec : "");
	d->lower = strdup(lower ? lower : "");
	d->group = strdup(group ? group : "runtime");
	d->go_path = go_path ? strdup(go_path) : NULL;
	if (!d->name || !d->spec || !d->lower || !d->group || (go_path && !d->go_path)) {
		free(d->name);
		free(d->spec);
		free(d->lower);
		free(d->group);
		free(d->go_path);
		return clm_error_oom();
	}
	l->n++;
	return 0;
}

void clm_dep_list_release(struct clm_dep_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].spec);
		free(l->items[i].lower);
		free(l->items[i].group);
		free(l->items[i].go_path);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

void clm_dep_change_list_release(struct clm_dep_change_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct clm_dep_change *c = &l->items[i];
		free(c->name);
		free(c->from_spec);
		free(c->to_spec);
		free(c->from_lower);
		free(c->to_lower);
		free(c->group);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const char *clm_dep_change_kind_name(enum clm_dep_change_kind kind)
{
	switch (kind) {
	case CLM_DEP_ADDED:
		return "added";
	case CLM_DEP_REMOVED:
		return "removed";
	case CLM_DEP_BUMPED:
		break;
	}
	return "bumped";
}

static int add_change(struct clm_dep_change_list *out, enum clm_dep_change_kind kind,
		      const struct clm_dep *from, const struct clm_dep *to)
{
	struct clm_dep_change *c;

	if (CLM_ALLOC_GROW(out->items, out->n + 1, out->alloc) < 0)
		return CLM_ENOMEM;
	c = &out->items[out->n];
	c->kind = kind;
	c->name = strdup((to ? to : from)->name);
	c->group = strdup((to ? to : from)->group);
	c->from_spec = strdup(from ? from->spec : "");
	c->from_lower = strdup(from ? from->lower : "");
	c->to_spec = strdup(to ? to->spec : "");
	c->to_lower = strdup(to ? to->lower : "");
	c->level = from && to ? clm_semver_classify(from->lower, to->lower) : CLM_SEMVER_NONE;
	if (!c->name || !c->group || !c->from_spec || !c->from_lower || !c->to_spec ||
	    !c->to_lower) {
		free(c->name);
		free(c->group);
		free(c->from_spec);
		free(c->from_lower);
		free(c->to_spec);
		free(c->to_lower);
		return clm_error_oom();
	}
	out->n++;
	return 0;
}

/* NULL before any path, then by bytes. */
static int compare_paths(const char *a, const char *b)
{
	return !a || !b ? (a != NULL) - (b != NULL) : strcmp(a, b);
}

static int compare_deps(const void *a, const void *b)
{
	const struct clm_dep *x = *(const struct clm_dep *const *)a;
	const struct clm_dep *y = *(const struct clm_dep *const *)b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->group, y->group);
	if (!c)
		c = strcmp(x->spec, y->spec);
	return c ? c : compare_paths(x->go_path, y->go_path);
}

static const struct clm_dep **sorted_pointers(const struct clm_dep_list *l)
{
	const struct clm_dep **v = malloc((l && l->n ? l->n : 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; l && i < l->n; i++)
		v[i] = &l->items[i];
	if (l && l->n)
		qsort(v, l->n, sizeof(*v), compare_deps);
	return v;
}

enum match_rule { SAME_ENTRY, SAME_GROUP, ANY };

/* Compare two entries of one name on what `rule` matches: nothing (ANY), the group, or group,
 * spec and Go path (SAME_ENTRY). Each is a prefix of the sort order, so the entries that match
 * one key are contiguous. */
static int compare_key(enum match_rule rule, const struct clm_dep *a, const struct clm_dep *b)
{
	int c;

	if (rule == ANY)
		return 0;
	if ((c = strcmp(a->group, b->group)) || rule == SAME_GROUP)
		return c;
	if ((c = strcmp(a->spec, b->spec)))
		return c;
	return compare_paths(a->go_path, b->go_path);
}

/* Pair each unpaired old entry, in order, with the first unpaired new entry of the same key.
 * Both sides are sorted, so one cursor per key makes this linear: thousands of entries of one
 * name (a hostile manifest) cost no more than thousands of names. */
static int pair_by_key(enum match_rule rule, const struct clm_dep **old, size_t nold, char *old_used,
		       const struct clm_dep **new, size_t nnew, char *new_used, struct clm_dep_change_list *out)
{
	const struct clm_dep *key = NULL;
	size_t lo = 0, cur = 0;
	int rc = 0;

	for (size_t i = 0; i < nold && !rc; i++) {
		if (old_used[i])
			continue;
		if (!key || compare_key(rule, key, old[i])) {
			key = old[i];
			while (lo < nnew && compare_key(rule, new[lo], key) < 0)
				lo++;
			cur = lo;
		}
		while (cur < nnew && new_used[cur] && !compare_key(rule, new[cur], key))
			cur++;
		if (cur == nnew || compare_key(rule, new[cur], key))
			continue;
		old_used[i] = new_used[cur] = 1;
		if (strcmp(old[i]->spec, new[cur]->spec) || compare_paths(old[i]->go_path, new[cur]->go_path))
			rc = add_change(out, CLM_DEP_BUMPED, old[i], new[cur]);
		cur++;
	}
	return rc;
}

/* Diff the entries of one package name. Unchanged entries are paired first, then entries of the
 * same group (bumps), then whatever is left in order (a move between groups, a bump only when
 * the version changed); the rest are removals and additions. */
static int diff_one_name(const struct clm_dep **old, size_t nold, const struct clm_dep **new,
			 size_t nnew, struct clm_dep_change_list *out)
{
	static const enum match_rule rules[] = { SAME_ENTRY, SAME_GROUP, ANY };
	char *old_used = calloc(nold + 1, 1), *new_used = calloc(nnew + 1, 1);
	int rc = old_used && new_used ? 0 : clm_error_oom();

	for (size_t r = 0; r < 3 && !rc; r++)
		rc = pair_by_key(rules[r], old, nold, old_used, new, nnew, new_used, out);
	for (size_t i = 0; i < nold && !rc; i++)
		if (!old_used[i])
			rc = add_change(out, CLM_DEP_REMOVED, old[i], NULL);
	for (size_t j = 0; j < nnew && !rc; j++)
		if (!new_used[j])
			rc = add_change(out, CLM_DEP_ADDED, NULL, new[j]);
	free(old_used);
	free(new_used);
	return rc;
}

int clm_manifest_diff(const struct clm_dep_list *old_deps, const struct clm_dep_list *new_deps,
		      struct clm_dep_change_list *out)
{
	size_t nold = old_deps ? old_deps->n : 0, nnew = new_deps ? new_deps->n : 0, i = 0, j = 0;
	const struct clm_dep **old = sorted_pointers(old_deps), **new = sorted_pointers(new_deps);
	int rc = old && new ? 0 : clm_error_oom();

	while (!rc && (i < nold || j < nnew)) {
		const char *name;
		size_t i_end = i, j_end = j;

		if (i < nold && (j >= nnew || strcmp(old[i]->name, new[j]->name) <= 0))
			name = old[i]->name;
		else
			name = new[j]->name;
		while (i_end < nold && !strcmp(old[i_end]->name, name))
			i_end++;
		while (j_end < nnew && !strcmp(new[j_end]->name, name))
			j_end++;
		rc = diff_one_name(old + i, i_end - i, new + j, j_end - j, out);
		i = i_end;
		j = j_end;
	}
	free(old);
	free(new);
	return rc;
}
