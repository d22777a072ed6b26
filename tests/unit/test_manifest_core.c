/* parsers/manifest: registry, version lower bounds, semver classification, the diff. */
#include "manifest_test_helpers.h"

static void registry_maps_paths(void **state)
{
	static const struct { const char *path, *ecosystem; } cases[] = {
		{ "requirements.txt", "pypi" },
		{ "requirements-dev.txt", "pypi" },
		{ "ci/dev-requirements.in", "pypi" },
		{ "requirements/base.txt", "pypi" },
		{ "svc/pyproject.toml", "pypi" },
		{ "setup.py", "pypi" },
		{ "setup.cfg", "pypi" },
		{ "Pipfile", "pypi" },
		{ "web/package.json", "npm" },
		{ "go.mod", "go" },
		{ "tools/go.mod", "go" },
	};
	static const char *const not_manifests[] = {
		"README.md", "notes.txt", "node_modules/x/package.json", "src/setup.pyc",
		"go.sum", "package-lock.json", "docs/requirements.md", "Pipfile.lock",
	};
	const struct clm_manifest_parser *const *all = clm_manifest_parsers();
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct clm_manifest_parser *p = clm_manifest_for_path(cases[i].path);
		if (!p)
			fail_msg("%s not recognised", cases[i].path);
		assert_string_equal(p->ecosystem, cases[i].ecosystem);
	}
	for (size_t i = 0; i < sizeof(not_manifests) / sizeof(not_manifests[0]); i++)
		if (clm_manifest_for_path(not_manifests[i]))
			fail_msg("%s wrongly recognised", not_manifests[i]);
	while (all[n])
		n++;
	assert_true(n >= 3);
}

static void lower_bounds(void **state)
{
	static const struct { const char *spec, *lower; } cases[] = {
		{ ">=2.31,<3", "2.31.0" },
		{ ">= 2.31, < 3", "2.31.0" },
		{ "==2.31.0", "2.31.0" },
		{ "~=1.4.2", "1.4.2" },
		{ "==2.*", "2.0.0" },
		{ "<3", "" },
		{ "!=1.5", "" },
		{ "", "" },
		{ "*", "" },
		{ "^1.2", "1.2.0" },
		{ "~1.2.3", "1.2.3" },
		{ "1.2.x", "1.2.0" },
		{ ">=1.0.0 <2.0.0", "1.0.0" },
		{ "1.2.3 - 2.0.0", "1.2.3" },
		{ "^2.0.0 || ^1.4.0", "1.4.0" },
		{ "^2.0.0 || *", "" },
		{ "npm:lodash-es@^4.17.21", "4.17.21" },
		{ "workspace:^1.2", "1.2.0" },
		{ "git+https://github.com/a/b.git#v1.0.0", "" },
		{ "file:../lib", "" },
		{ "user/repo#v2", "" },
		{ "~> 3.1", "3.1.0" },
		{ "~> 3.1, >= 3.1.2", "3.1.2" },
		{ "[1.0,2.0)", "1.0.0" },
		{ "[1.5]", "1.5.0" },
		{ "(,1.0]", "" },
		{ "v1.2.3", "1.2.3" },
		{ "v2.0.0+incompatible", "2.0.0" },
		{ "v0.0.0-20210101000000-abcdef123456", "0.0.0-20210101000000-abcdef123456" },
		{ "1.0-SNAPSHOT", "1.0.0-SNAPSHOT" },
		{ "31.1-jre", "31.1.0-jre" },
		{ "1.2.3.4", "1.2.3.4" },
		{ "2.0rc1", "2.0.0rc1" },
		{ "1.2", "1.2.0" },
		{ "@ https://example.com/x.whl", "" },
	};
	char out[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		clm_version_lower_bound(cases[i].spec, out, sizeof(out));
		if (strcmp(out, cases[i].lower))
			fail_msg("'%s': got '%s', want '%s'", cases[i].spec, out, cases[i].lower);
	}
	clm_version_lower_bound("12345678901234567890.1", out, 4);
	assert_int_equal(strlen(out), 3);
}

static void classification(void **state)
{
	(void)state;
	assert_int_equal(clm_semver_classify("2.31.0", "3.0.0"), CLM_SEMVER_MAJOR);
	assert_int_equal(clm_semver_classify("2.31.0", "2.32.0"), CLM_SEMVER_MINOR);
	assert_int_equal(clm_semver_classify("2.31.0", "2.31.1"), CLM_SEMVER_PATCH);
	assert_int_equal(clm_semver_classify("3.0.0", "2.9.0"), CLM_SEMVER_MAJOR);
	assert_int_equal(clm_semver_classify("1.0.0-rc.1", "1.0.0"), CLM_SEMVER_OTHER);
	assert_int_equal(clm_semver_classify("1.2.3.4", "1.2.3.5"), CLM_SEMVER_OTHER);
	assert_int_equal(clm_semver_classify("1.2.3", "1.2.3"), CLM_SEMVER_NONE);
	assert_int_equal(clm_semver_classify("", "1.2.3"), CLM_SEMVER_NONE);
	assert_int_equal(clm_semver_classify("latest", "1.2.3"), CLM_SEMVER_NONE);
	assert_string_equal(clm_semver_level_name(CLM_SEMVER_MAJOR), "major");
	assert_string_equal(clm_semver_level_name(CLM_SEMVER_NONE), "");
}

static void add(struct clm_dep_list *l, const char *name, const char *spec, const char *group,
		const char *go_path)
{
	char lower[64];
	clm_version_lower_bound(spec, lower, sizeof(lower));
	assert_int_equal(clm_dep_list_add(l, name, spec, lower, group, go_path), 0);
}

static void diff_of_lists(void **state)
{
	struct clm_dep_list a = { 0 }, b = { 0 };
	struct clm_dep_change_list c = { 0 };
	char *got;

	(void)state;
	add(&a, "zeta", "1.0.0", "runtime", NULL);
	add(&a, "alpha", "^1.2.0", "runtime", NULL);
	add(&a, "gone", "2.0", "dev", NULL);
	add(&a, "same", "1.0", "runtime", NULL);
	add(&a, "mover", "1.0", "dev", NULL);
	add(&a, "dup", "1.0", "runtime", NULL);
	add(&a, "dup", "2.0", "runtime", NULL);
	add(&b, "same", "1.0", "runtime", NULL);
	add(&b, "alpha", "^2.0.0", "runtime", NULL);
	add(&b, "zeta", "1.0.1", "runtime", NULL);
	add(&b, "new", ">=0.3", "runtime", NULL);
	add(&b, "mover", "1.0", "runtime", NULL);
	add(&b, "dup", "2.0", "runtime", NULL);
	add(&b, "dup", "1.1", "runtime", NULL);
	assert_int_equal(clm_manifest_diff(&a, &b, &c), 0);
	got = render_changes(&c);
	assert_string_equal(got,
			    "bumped alpha ^1.2.0 -> ^2.0.0 (1.2.0 -> 2.0.0) major runtime\n"
			    "bumped dup 1.0 -> 1.1 (1.0.0 -> 1.1.0) minor runtime\n"
			    "removed gone 2.0 ->  (2.0.0 -> ) dev\n"
			    "added new  -> >=0.3 ( -> 0.3.0) runtime\n"
			    "bumped zeta 1.0.0 -> 1.0.1 (1.0.0 -> 1.0.1) patch runtime\n");
	free(got);
	clm_dep_change_list_release(&c);

	/* an empty side: everything added, sorted by name */
	assert_int_equal(clm_manifest_diff(NULL, &a, &c), 0);
	assert_int_equal(c.n, a.n);
	assert_string_equal(c.items[0].name, "alpha");
	assert_int_equal(c.items[0].kind, CLM_DEP_ADDED);
	clm_dep_change_list_release(&c);
	assert_int_equal(clm_manifest_diff(&a, &a, &c), 0);
	assert_int_equal(c.n, 0);
	clm_dep_change_list_release(&c);
	clm_dep_list_release(&a);
	clm_dep_list_release(&b);
}

/* Thousands of dependencies: the diff sorts, so this must stay quick (checked by not timing
 * out under the sanitizers, and by exact counts). */
static void diff_of_large_lists(void **state)
{
	struct clm_dep_list a = { 0 }, b = { 0 };
	struct clm_dep_change_list c = { 0 };
	char name[32];

	(void)state;
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "pkg%05d", i);
		add(&a, name, "1.0.0", "runtime", NULL);
		add(&b, name, i % 100 ? "1.0.0" : "1.1.0", "runtime", NULL);
	}
	assert_int_equal(clm_manifest_diff(&a, &b, &c), 0);
	assert_int_equal(c.n, 200);
	assert_string_equal(c.items[1].name, "pkg00100");
	clm_dep_change_list_release(&c);
	clm_dep_list_release(&a);
	clm_dep_list_release(&b);
}

/* Thousands of entries of one name (a hostile manifest, found by fuzzing): paired in one pass
 * per rule, with the same pairs as the rules say: unchanged first, then within a group, then
 * across groups. */
static void diff_of_one_name_repeated(void **state)
{
	struct clm_dep_list a = { 0 }, b = { 0 };
	struct clm_dep_change_list c = { 0 };
	size_t bumped = 0, added = 0, removed = 0;

	(void)state;
	for (int i = 0; i < 40000; i++) {
		add(&a, "dup", "1.0", i % 2 ? "runtime" : "dev", NULL);
		add(&b, "dup", i % 4 ? "1.0" : "2.0", i < 30000 ? "runtime" : "test", NULL);
	}
	add(&b, "dup", "3.0", "dev", NULL);
	assert_int_equal(clm_manifest_diff(&a, &b, &c), 0);
	for (size_t i = 0; i < c.n; i++) {
		bumped += c.items[i].kind == CLM_DEP_BUMPED;
		added += c.items[i].kind == CLM_DEP_ADDED;
		removed += c.items[i].kind == CLM_DEP_REMOVED;
	}
	/* old: 20000 dev 1.0, 20000 runtime 1.0; new: 22500 runtime 1.0, 7500 runtime 2.0, 7500 test
	 * 1.0, 2500 test 2.0, one dev 3.0. Unchanged: 20000 runtime 1.0. Same group: dev 1.0 -> 3.0.
	 * Across groups the other 19999 dev entries take the rest in sorted order: 2500 runtime 1.0
	 * (moves), 7500 runtime 2.0 (bumps), 7500 test 1.0 (moves), 2499 test 2.0 (bumps); one test
	 * 2.0 is left: added. */
	assert_int_equal(bumped, 1 + 7500 + 2499);
	assert_int_equal(added, 1);
	assert_int_equal(removed, 0);
	assert_string_equal(c.items[0].from_spec, "1.0");
	assert_string_equal(c.items[0].to_spec, "3.0");
	clm_dep_change_list_release(&c);
	clm_dep_list_release(&a);
	clm_dep_list_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registry_maps_paths),
		cmocka_unit_test(lower_bounds),
		cmocka_unit_test(classification),
		cmocka_unit_test(diff_of_lists),
		cmocka_unit_test(diff_of_large_lists),
		cmocka_unit_test(diff_of_one_name_repeated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
