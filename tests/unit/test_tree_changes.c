/* mine/tree_changes against libgit2's own answer: on random sequences of trees (nested folders,
 * manifests at several depths, files that become folders), "does the change touch a manifest"
 * must be what a git_diff of the two trees says, with and without the memo, from an empty tree,
 * and for two commits (the hooks' question); the manifest it names must be one the diff lists. */
#include "test_helpers.h"
#include "git/tree.h"
#include "mine/tree_changes.h"
#include "parsers/manifest.h"
#include "util/strbuf.h"

#define STEPS 300

/* Paths a tree may hold; "pkg" and "pkg/..." never appear together. */
static const char *const paths[] = {
	"README.md", "requirements.txt", "go.mod", "setup.py", "src/a.py", "src/b.py", "src/package.json",
	"src/lib/Cargo.toml", "src/lib/x.rs", "src/lib/deep/pom.xml", "src/lib/deep/y.java", "web/package.json",
	"web/app.js", "web/vendor/Gemfile", "docs/guide.md", "a.b/c.txt", "a/go.mod", "a-b/requirements.txt",
	"pkg", "pkg/requirements.txt", "pkg/z.py",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static git_repository *repo;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int setup(void **state)
{
	char *dir = clm_test_tmpdir();
	(void)state;
	git_libgit2_init();
	assert_non_null(dir);
	assert_int_equal(git_repository_init(&repo, dir, 1), 0);
	free(dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}

/* Change a few paths of `present`/`content` at random and write the tree. */
static git_tree *random_tree(uint64_t *rng, int *present, int *content)
{
	struct clm_tree_plan plan = { 0 };
	git_tree *tree;
	git_oid id;
	int changes = 1 + (int)(next(rng) % 3);

	for (int k = 0; k < changes; k++) {
		size_t i = next(rng) % NPATHS;
		present[i] = !present[i] || next(rng) % 2;
		content[i] = (int)(next(rng) % 3);
	}
	for (size_t i = 0; i < NPATHS; i++) {
		char text[64];
		if (!present[i])
			continue;
		if (!strcmp(paths[i], "pkg") && (present[NPATHS - 1] || present[NPATHS - 2]))
			continue; /* the folder wins */
		snprintf(text, sizeof(text), "%s %d\n", paths[i], content[i]);
		assert_int_equal(clm_tree_plan_add_bytes(&plan, repo, paths[i], text, strlen(text)), 0);
	}
	assert_int_equal(clm_tree_plan_write(&plan, repo, &id), 0);
	clm_tree_plan_release(&plan);
	assert_int_equal(git_tree_lookup(&tree, repo, &id), 0);
	return tree;
}

/* libgit2's answer: the manifests among the changed paths, one per line. */
static void reference(git_tree *a, git_tree *b, struct clm_strbuf *manifests)
{
	git_diff *diff;

	assert_int_equal(git_diff_tree_to_tree(&diff, repo, a, b, NULL), 0);
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *p[2] = { d->old_file.path, d->new_file.path };
		for (int k = 0; k < 2; k++)
			if (p[k] && clm_manifest_for_path(p[k]))
				clm_strbuf_addf(manifests, "\n%s\n", p[k]);
	}
	git_diff_free(diff);
}

static void expect_same(git_tree *a, git_tree *b, struct clm_tree_memo *memo, size_t *hits)
{
	struct clm_strbuf want = CLM_STRBUF_INIT, got = CLM_STRBUF_INIT, line = CLM_STRBUF_INIT;
	int rc;

	reference(a, b, &want);
	rc = clm_tree_change_touches_manifest(repo, a, b, memo, &got);
	assert_int_equal(rc, want.len > 0);
	if (rc == 1) {
		clm_strbuf_addf(&line, "\n%s\n", got.buf);
		assert_non_null(strstr(want.buf, line.buf));
		(*hits)++;
	} else {
		assert_int_equal(got.len, 0);
	}
	clm_strbuf_release(&want);
	clm_strbuf_release(&got);
	clm_strbuf_release(&line);
}

static void agrees_with_git_diff(void **state)
{
	int present[NPATHS] = { 0 }, content[NPATHS] = { 0 };
	struct clm_tree_memo memo = { 0 };
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	git_tree *prev = random_tree(&rng, present, content);
	size_t hits = 0, misses = 0;
	(void)state;

	expect_same(NULL, prev, NULL, &hits);
	for (int step = 0; step < STEPS; step++) {
		git_tree *cur = random_tree(&rng, present, content);
		size_t before = hits;
		expect_same(prev, cur, &memo, &hits); /* the miner's first-parent order, memo on */
		expect_same(prev, cur, NULL, &hits);
		expect_same(cur, prev, NULL, &hits);  /* and backwards */
		misses += hits == before;
		git_tree_free(prev);
		prev = cur;
	}
	clm_tree_memo_release(&memo);
	git_tree_free(prev);
	/* Both answers must have occurred for the comparison to mean anything. */
	assert_true(hits > 0);
	assert_true(misses > 0);
}

static void commit_of(git_tree *tree, git_oid *out)
{
	git_signature *sig;

	assert_int_equal(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, "c\n", tree, 0, NULL), 0);
	git_signature_free(sig);
}

/* The hooks' question over commits: same answers, the same commit twice is no change, and a
 * commit that does not exist is an error with a message. */
static void commits_touch_manifest(void **state)
{
	int present[NPATHS] = { 0 }, content[NPATHS] = { 0 };
	uint64_t rng = 42;
	git_tree *prev = random_tree(&rng, present, content);
	git_oid prev_id, cur_id, missing;
	int touched, seen[2] = { 0, 0 };
	(void)state;

	commit_of(prev, &prev_id);
	for (int step = 0; step < 60; step++) {
		struct clm_strbuf want = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT;
		git_tree *cur = random_tree(&rng, present, content);
		commit_of(cur, &cur_id);
		reference(prev, cur, &want);
		assert_int_equal(clm_commits_touch_manifest(repo, &prev_id, &cur_id, &touched, &path), 0);
		assert_int_equal(touched != 0, want.len > 0);
		assert_int_equal(path.len > 0, want.len > 0);
		seen[touched != 0] = 1;
		assert_int_equal(clm_commits_touch_manifest(repo, &cur_id, &cur_id, &touched, NULL), 0);
		assert_int_equal(touched, 0);
		clm_strbuf_release(&want);
		clm_strbuf_release(&path);
		git_tree_free(prev);
		prev = cur;
		prev_id = cur_id;
	}
	git_tree_free(prev);
	assert_true(seen[0] && seen[1]);
	memset(&missing, 0x5a, sizeof(missing));
	assert_true(clm_commits_touch_manifest(repo, &prev_id, &missing, &touched, NULL) < 0);
	assert_int_equal(touched, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agrees_with_git_diff),
		cmocka_unit_test(commits_touch_manifest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
