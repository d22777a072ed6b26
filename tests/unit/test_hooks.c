/* update/hooks: installing keeps a hook that was there (renamed, still run, restored byte for
 * byte with its mode), never touches a hook that is not ours, follows core.hooksPath; running a
 * hook queues a job exactly when the commits it is told about change a dependency manifest. */
#include "test_helpers.h"
#include "git/repo.h"
#include "git/tree.h"
#include "update/hooks.h"
#include "update/jobs.h"
#include "util/fileio.h"

#include <sys/stat.h>
#include <unistd.h>

static const char user_hook[] = "#!/bin/sh\necho user's own hook\n";

static git_repository *repo;
static char *top_hooks; /* our hooks/ templates */

static int setup(void **state)
{
	char *dir = clm_test_tmpdir();
	const char *top = getenv("CLM_TOP");
	(void)state;
	git_libgit2_init();
	assert_non_null(dir);
	assert_int_equal(git_repository_init(&repo, dir, 0), 0);
	free(dir);
	assert_true(asprintf(&top_hooks, "%s/hooks", top ? top : ".") > 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	git_repository_free(repo);
	free(top_hooks);
	git_libgit2_shutdown();
	return 0;
}

static void hook_path(const char *name, struct clm_strbuf *out)
{
	clm_strbuf_reset(out);
	assert_int_equal(clm_hooks_dir(repo, out), 0);
	clm_strbuf_addf(out, "/%s", name);
}

static void install_keeps_and_uninstall_restores(void **state)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, report = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	struct clm_strbuf dir = CLM_STRBUF_INIT;
	struct stat st;
	(void)state;

	assert_int_equal(clm_hooks_dir(repo, &dir), 0);
	assert_int_equal(clm_mkdir_p(dir.buf, 0755), 0);
	hook_path("post-merge", &path);
	assert_int_equal(clm_write_file_atomic(path.buf, user_hook, strlen(user_hook)), 0);
	assert_int_equal(chmod(path.buf, 0750), 0);
	assert_false(clm_hook_is_ours(path.buf));

	assert_int_equal(clm_hooks_install(repo, top_hooks, "/opt/bin/git-clmodel", &report), 0);
	assert_non_null(strstr(report.buf, "post-merge: installed; the existing hook is kept as post-merge.pre-clmodel"));
	for (const char *const *name = clm_hook_names(); *name; name++) {
		hook_path(*name, &path);
		assert_true(clm_hook_is_ours(path.buf));
		assert_int_equal(stat(path.buf, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0755);
		clm_strbuf_reset(&text);
		assert_int_equal(clm_read_file(path.buf, 1 << 20, &text), 0);
		assert_non_null(strstr(text.buf, "'/opt/bin/git-clmodel-hook'"));
		assert_null(strstr(text.buf, "@CLMODEL@"));
	}
	/* Installing again updates ours in place and keeps the user's hook where it is. */
	clm_strbuf_reset(&report);
	assert_int_equal(clm_hooks_install(repo, top_hooks, "/usr/bin/git-clmodel", &report), 0);
	assert_null(strstr(report.buf, "kept"));
	hook_path("post-merge.pre-clmodel", &path);
	clm_strbuf_reset(&text);
	assert_int_equal(clm_read_file(path.buf, 1 << 20, &text), 0);
	assert_string_equal(text.buf, user_hook);

	/* A hook someone else put over ours is theirs: uninstall leaves it and says so. */
	hook_path("post-rewrite", &path);
	assert_int_equal(clm_write_file_atomic(path.buf, "#!/bin/sh\n", 10), 0);
	clm_strbuf_reset(&report);
	assert_int_equal(clm_hooks_uninstall(repo, &report), 0);
	assert_non_null(strstr(report.buf, "post-rewrite: not ours, left alone"));
	assert_non_null(strstr(report.buf, "post-merge: removed; the previous hook is restored"));
	hook_path("post-merge", &path);
	clm_strbuf_reset(&text);
	assert_int_equal(clm_read_file(path.buf, 1 << 20, &text), 0);
	assert_string_equal(text.buf, user_hook);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0750);
	hook_path("post-checkout", &path);
	assert_false(clm_path_exists(path.buf));
	hook_path("post-merge.pre-clmodel", &path);
	assert_false(clm_path_exists(path.buf));
	hook_path("post-rewrite", &path);
	assert_int_equal(unlink(path.buf), 0);

	/* A binary path with a quote cannot be put in the hook's shell string. */
	assert_true(clm_hooks_install(repo, top_hooks, "/tmp/it's/git-clmodel", &report) < 0);
	clm_strbuf_release(&path);
	clm_strbuf_release(&report);
	clm_strbuf_release(&text);
	clm_strbuf_release(&dir);
}

static void hooks_path_setting_is_followed(void **state)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT, want = CLM_STRBUF_INIT;
	git_config *cfg;
	(void)state;

	assert_int_equal(git_repository_config(&cfg, repo), 0);
	assert_int_equal(git_config_set_string(cfg, "core.hooksPath", "ci/hooks"), 0);
	assert_int_equal(clm_hooks_dir(repo, &dir), 0);
	clm_strbuf_addf(&want, "%sci/hooks", git_repository_workdir(repo));
	assert_string_equal(dir.buf, want.buf);
	clm_strbuf_reset(&dir);
	assert_int_equal(git_config_set_string(cfg, "core.hooksPath", "/srv/hooks"), 0);
	assert_int_equal(clm_hooks_dir(repo, &dir), 0);
	assert_string_equal(dir.buf, "/srv/hooks");
	assert_int_equal(git_config_delete_entry(cfg, "core.hooksPath"), 0);
	git_config_free(cfg);
	clm_strbuf_release(&dir);
	clm_strbuf_release(&want);
}

static void commit_files(const char *req, const char *readme, git_oid *out)
{
	struct clm_tree_plan plan = { 0 };
	git_signature *sig;
	git_tree *tree;
	git_oid tree_id;

	assert_int_equal(clm_tree_plan_add_bytes(&plan, repo, "requirements.txt", req, strlen(req)), 0);
	assert_int_equal(clm_tree_plan_add_bytes(&plan, repo, "README.md", readme, strlen(readme)), 0);
	assert_int_equal(clm_tree_plan_write(&plan, repo, &tree_id), 0);
	clm_tree_plan_release(&plan);
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&sig, "T", "t@example.com", 1700000000, 0), 0);
	assert_int_equal(git_commit_create(out, repo, NULL, sig, sig, NULL, "c\n", tree, 0, NULL), 0);
	git_signature_free(sig);
	git_tree_free(tree);
}

static size_t queued(void)
{
	size_t n;
	assert_int_equal(clm_jobs_count(repo, &n), 0);
	return n;
}

static void run_queues_only_manifest_changes(void **state)
{
	struct clm_strbuf said = CLM_STRBUF_INIT, taken = CLM_STRBUF_INIT;
	char a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1], c[GIT_OID_HEXSZ + 1], input[512];
	git_oid ia, ib, ic;
	FILE *in;
	(void)state;

	commit_files("requests==2.0\n", "one\n", &ia);
	commit_files("requests==2.0\n", "two\n", &ib);   /* README only */
	commit_files("requests==2.31\n", "two\n", &ic);  /* the bump */
	git_oid_tostr(a, sizeof(a), &ia);
	git_oid_tostr(b, sizeof(b), &ib);
	git_oid_tostr(c, sizeof(c), &ic);

	const char *no_manifest[] = { "post-checkout", a, b, "1" };
	assert_int_equal(clm_hooks_run(repo, 4, no_manifest, "/bin/true", NULL, &said), 0);
	const char *file_checkout[] = { "post-checkout", b, c, "0" };
	assert_int_equal(clm_hooks_run(repo, 4, file_checkout, "/bin/true", NULL, &said), 0);
	assert_int_equal(said.len, 0);
	assert_int_equal(queued(), 0);

	const char *branch_switch[] = { "post-checkout", b, c, "1" };
	assert_int_equal(clm_hooks_run(repo, 4, branch_switch, "/bin/true", NULL, &said), 1);
	assert_non_null(strstr(said.buf, "requirements.txt changed; model update queued"));
	assert_int_equal(queued(), 1);

	/* post-rewrite reads "old new" pairs; lines that are not pairs of ids are skipped, and one
	 * rewrite queues one job however many of its pairs touch a manifest. */
	snprintf(input, sizeof(input), "%s %s\nnot a line\n%s %s extra\n%s %s\n", a, b, a, c, b, c);
	in = fmemopen(input, strlen(input), "r");
	assert_non_null(in);
	const char *rewrite[] = { "post-rewrite", "rebase" };
	assert_int_equal(clm_hooks_run(repo, 2, rewrite, "/bin/true", in, &said), 1);
	fclose(in);
	assert_int_equal(queued(), 2);
	assert_int_equal(clm_jobs_take(repo, &taken), 0);
	assert_non_null(strstr(taken.buf, "\"reason\":\"post-rewrite\""));
	assert_non_null(strstr(taken.buf, c));

	const char *unknown[] = { "pre-push" };
	assert_true(clm_hooks_run(repo, 1, unknown, "/bin/true", NULL, &said) < 0);
	clm_strbuf_release(&said);
	clm_strbuf_release(&taken);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(install_keeps_and_uninstall_restores),
		cmocka_unit_test(hooks_path_setting_is_followed),
		cmocka_unit_test(run_queues_only_manifest_changes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
