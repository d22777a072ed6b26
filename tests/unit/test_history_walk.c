/* mine/history_walk: the first-parent walk in segments, oldest first, limited by earlier tips on
 * or off its chain and by ranges, holding one mark per segment whatever the history's length. */
#include "test_helpers.h"
#include "mine/history_walk.h"

#define CHAIN 2100

static git_repository *repo;
static git_oid chain[CHAIN]; /* oldest first */
static git_oid side[2], merge;

static void commit(const git_oid *tree_id, const git_oid *p1, const git_oid *p2, int n, git_oid *out)
{
	git_signature *sig;
	git_tree *tree;
	const git_commit *parents[2] = { NULL, NULL };
	git_commit *pc[2] = { NULL, NULL };
	char msg[32];
	size_t np = 0;

	assert_int_equal(git_signature_new(&sig, "T", "t@example.com", 1700000000 + n, 0), 0);
	assert_int_equal(git_tree_lookup(&tree, repo, tree_id), 0);
	if (p1) {
		assert_int_equal(git_commit_lookup(&pc[np], repo, p1), 0);
		parents[np] = pc[np];
		np++;
	}
	if (p2) {
		assert_int_equal(git_commit_lookup(&pc[np], repo, p2), 0);
		parents[np] = pc[np];
		np++;
	}
	snprintf(msg, sizeof(msg), "c%d\n", n);
	assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, msg, tree, np, parents), 0);
	git_commit_free(pc[0]);
	git_commit_free(pc[1]);
	git_tree_free(tree);
	git_signature_free(sig);
}

static int setup(void **state)
{
	git_treebuilder *tb;
	git_oid empty;
	char *dir = clm_test_tmpdir();

	(void)state;
	git_libgit2_init();
	assert_non_null(dir);
	assert_int_equal(git_repository_init(&repo, dir, 1), 0);
	free(dir);
	assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
	assert_int_equal(git_treebuilder_write(&empty, tb), 0);
	git_treebuilder_free(tb);
	for (int i = 0; i < CHAIN; i++)
		commit(&empty, i ? &chain[i - 1] : NULL, NULL, i, &chain[i]);
	commit(&empty, &chain[1200], NULL, 5000, &side[0]);
	commit(&empty, &side[0], NULL, 5001, &side[1]);
	commit(&empty, &chain[CHAIN - 1], &side[1], 5002, &merge);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	git_libgit2_shutdown();
	return 0;
}

/* Walk `range` hiding `hide`; check it yields chain[first..last] in order, then `extra` (or
 * nothing when NULL). */
static void expect_walk(const char *range, const git_oid *hide, size_t nhide, int first, int last, const git_oid *extra)
{
	struct clm_history_walk w;
	git_oid tip, id;
	git_commit *c;
	size_t depth;
	int i = first;

	assert_int_equal(clm_history_walk_start(&w, repo, range, 0, hide, NULL, nhide, &tip, &depth), 0);
	for (; i <= last; i++) {
		assert_int_equal(clm_history_walk_next(&w, &id, &c), 1);
		assert_non_null(c);
		assert_true(git_oid_equal(&id, &chain[i]));
		assert_true(git_oid_equal(git_commit_id(c), &chain[i]));
		git_commit_free(c);
	}
	if (extra) {
		assert_int_equal(clm_history_walk_next(&w, &id, &c), 1);
		assert_true(git_oid_equal(&id, extra));
		git_commit_free(c);
	}
	assert_int_equal(clm_history_walk_next(&w, &id, &c), 0);
	clm_history_walk_release(&w);
}

static const char *hex(const git_oid *id)
{
	static char buf[2][GIT_OID_HEXSZ + 1];
	static int k;
	k ^= 1;
	return git_oid_tostr(buf[k], sizeof(buf[k]), id);
}

static void test_whole_chain_in_segments(void **state)
{
	struct clm_history_walk w;
	git_oid tip;
	size_t depth;

	(void)state;
	expect_walk(hex(&chain[CHAIN - 1]), NULL, 0, 0, CHAIN - 1, NULL);
	assert_int_equal(clm_history_walk_start(&w, repo, hex(&chain[CHAIN - 1]), 0, NULL, NULL, 0, &tip, &depth), 0);
	assert_int_equal(depth, CHAIN - 1);
	assert_int_equal(w.length, CHAIN);
	assert_int_equal(w.nmarks, (CHAIN + CLM_WALK_SEGMENT - 1) / CLM_WALK_SEGMENT);
	clm_history_walk_release(&w);
}

static void test_earlier_tip_on_the_chain(void **state)
{
	(void)state;
	expect_walk(hex(&chain[CHAIN - 1]), &chain[999], 1, 1000, CHAIN - 1, NULL);
	expect_walk(hex(&chain[CHAIN - 1]), &chain[CHAIN - 1], 1, 0, -1, NULL);
}

static void test_range(void **state)
{
	char range[2 * GIT_OID_HEXSZ + 3];

	(void)state;
	snprintf(range, sizeof(range), "%s..%s", hex(&chain[500]), hex(&chain[1700]));
	expect_walk(range, NULL, 0, 501, 1700, NULL);
}

static void test_earlier_tip_off_the_chain(void **state)
{
	git_oid both[2] = { side[1], chain[100] };
	git_oid gone;

	(void)state;
	/* side[1]'s first-parent chain meets the main chain at chain[1200] */
	expect_walk(hex(&chain[CHAIN - 1]), &side[1], 1, 1201, CHAIN - 1, NULL);
	/* the newest meeting point wins, whatever the order of the tips */
	expect_walk(hex(&chain[CHAIN - 1]), both, 2, 1201, CHAIN - 1, NULL);
	/* through a merge: its first parent is the main chain */
	expect_walk(hex(&merge), &side[1], 1, 1201, CHAIN - 1, &merge);
	expect_walk(hex(&merge), &chain[CHAIN - 1], 1, 0, -1, &merge);
	/* a tip that is no longer in the repository does not limit the walk */
	memset(&gone, 0xab, sizeof(gone));
	expect_walk(hex(&chain[CHAIN - 1]), &gone, 1, 0, CHAIN - 1, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_chain_in_segments),
		cmocka_unit_test(test_earlier_tip_on_the_chain),
		cmocka_unit_test(test_range),
		cmocka_unit_test(test_earlier_tip_off_the_chain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
