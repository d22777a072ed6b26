#include "update/hooks.h"
#include "update/jobs.h"
#include "git/repo.h"
#include "mine/tree_changes.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every hook we write carries this line, so we never mistake a user's hook for ours. */
static const char hook_marker[] = "installed by `git clmodel hooks install`";
static const char kept_suffix[] = ".pre-clmodel";

static const char *const hook_names[] = { "post-merge", "post-checkout", "post-rewrite", "post-commit", NULL };

const char *const *clm_hook_names(void)
{
	return hook_names;
}

int clm_hooks_dir(git_repository *repo, struct clm_strbuf *out)
{
	git_config *cfg = NULL;
	git_buf value = { 0 };
	int rc;

	rc = git_repository_config_snapshot(&cfg, repo);
	if (rc < 0)
		return clm_git_error(rc, "cannot read git config");
	rc = git_config_get_path(&value, cfg, "core.hooksPath");
	git_config_free(cfg);
	if (rc == 0 && value.size) {
		if (value.ptr[0] != '/') {
			const char *base = git_repository_is_bare(repo) ? git_repository_path(repo)
									 : git_repository_workdir(repo);
			clm_strbuf_addstr(out, base);
			if (out->len && out->buf[out->len - 1] != '/')
				clm_strbuf_addch(out, '/');
		}
		clm_strbuf_addstr(out, value.ptr);
		git_buf_dispose(&value);
		return 0;
	}
	git_buf_dispose(&value);
	clm_strbuf_addstr(out, git_repository_commondir(repo));
	if (out->len && out->buf[out->len - 1] != '/')
		clm_strbuf_addch(out, '/');
	return clm_strbuf_addstr(out, "hooks");
}

int clm_hook_is_ours(const char *path)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int ours = clm_read_file(path, 1 << 20, &sb) == 0 && strstr(sb.buf, hook_marker) != NULL;

	clm_strbuf_release(&sb);
	return ours;
}

/* The template with @CLMODEL@ replaced by the binary's path, quoted for a single-quoted
 * shell string. */
static int render_hook(const char *template_path, const char *binary, struct clm_strbuf *out)
{
	struct clm_strbuf tpl = CLM_STRBUF_INIT;
	const char *p, *at;
	int rc = clm_read_file(template_path, 1 << 20, &tpl);

	if (rc < 0)
		return clm_error_wrap(rc, "hook template");
	if (strchr(binary, '\'')) {
		clm_strbuf_release(&tpl);
		return clm_error_set(CLM_EINVALID, "binary path '%s' contains a quote", binary);
	}
	for (p = tpl.buf; (at = strstr(p, "@CLMODEL@")); p = at + 9) {
		clm_strbuf_add(out, p, (size_t)(at - p));
		clm_strbuf_addstr(out, binary);
	}
	rc = clm_strbuf_addstr(out, p);
	clm_strbuf_release(&tpl);
	return rc;
}

int clm_hooks_install(git_repository *repo, const char *template_dir, const char *binary,
		      struct clm_strbuf *report)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT, kept = CLM_STRBUF_INIT;
	struct clm_strbuf tpl = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	int rc = clm_hooks_dir(repo, &dir);

	if (rc == 0)
		rc = clm_mkdir_p(dir.buf, 0755);
	for (const char *const *name = hook_names; rc == 0 && *name; name++) {
		clm_strbuf_reset(&path);
		clm_strbuf_reset(&kept);
		clm_strbuf_reset(&tpl);
		clm_strbuf_reset(&text);
		clm_strbuf_addf(&path, "%s/%s", dir.buf, *name);
		clm_strbuf_addf(&kept, "%s%s", path.buf, kept_suffix);
		clm_strbuf_addf(&tpl, "%s/%s", template_dir, *name);
		rc = render_hook(tpl.buf, binary, &text);
		if (rc < 0)
			break;
		if (clm_path_exists(path.buf) && !clm_hook_is_ours(path.buf)) {
			if (clm_path_exists(kept.buf)) {
				rc = clm_error_set(CLM_ECONFLICT, "both %s and %s exist; move one away first",
						   path.buf, kept.buf);
				break;
			}
			if (rename(path.buf, kept.buf) < 0) {
				rc = clm_error_set(CLM_EIO, "cannot keep existing hook %s: %s", path.buf,
						   strerror(errno));
				break;
			}
			clm_strbuf_addf(report, "%s: installed; the existing hook is kept as %s%s and still runs\n",
					*name, *name, kept_suffix);
		} else {
			clm_strbuf_addf(report, "%s: installed\n", *name);
		}
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
		if (rc == 0 && chmod(path.buf, 0755) < 0)
			rc = clm_error_set(CLM_EIO, "cannot make %s executable: %s", path.buf, strerror(errno));
	}
	clm_strbuf_release(&dir);
	clm_strbuf_release(&path);
	clm_strbuf_release(&kept);
	clm_strbuf_release(&tpl);
	clm_strbuf_release(&text);
	return rc;
}

int clm_hooks_uninstall(git_repository *repo, struct clm_strbuf *report)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT, kept = CLM_STRBUF_INIT;
	int rc = clm_hooks_dir(repo, &dir);

	for (const char *const *name = hook_names; rc == 0 && *name; name++) {
		clm_strbuf_reset(&path);
		clm_strbuf_reset(&kept);
		clm_strbuf_addf(&path, "%s/%s", dir.buf, *name);
		clm_strbuf_addf(&kept, "%s%s", path.buf, kept_suffix);
		if (!clm_path_exists(path.buf)) {
			clm_strbuf_addf(report, "%s: not installed\n", *name);
			continue;
		}
		if (!clm_hook_is_ours(path.buf)) {
			clm_strbuf_addf(report, "%s: not ours, left alone\n", *name);
			continue;
		}
		if (clm_path_exists(kept.buf)) {
			/* rename keeps the original file itself: content, mode and owner. */
			if (rename(kept.buf, path.buf) < 0)
				rc = clm_error_set(CLM_EIO, "cannot restore %s: %s", kept.buf, strerror(errno));
			else
				clm_strbuf_addf(report, "%s: removed; the previous hook is restored\n", *name);
		} else if (unlink(path.buf) < 0) {
			rc = clm_error_set(CLM_EIO, "cannot remove %s: %s", path.buf, strerror(errno));
		} else {
			clm_strbuf_addf(report, "%s: removed\n", *name);
		}
	}
	clm_strbuf_release(&dir);
	clm_strbuf_release(&path);
	clm_strbuf_release(&kept);
	return rc;
}

static int check_pair(git_repository *repo, const char *reason, const git_oid *old_id,
		      const git_oid *new_id, const char *binary, struct clm_strbuf *said)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	const char *argv[] = { binary, "update", "--queued", NULL };
	int touched = 0, rc = clm_commits_touch_manifest(repo, old_id, new_id, &touched, &path);

	if (rc == 0 && touched) {
		rc = clm_jobs_enqueue(repo, reason, old_id, new_id);
		if (rc == 0)
			rc = clm_jobs_spawn(repo, argv);
		if (rc == 0)
			clm_strbuf_addf(said, "git-clmodel: %s changed; model update queued (see git clmodel status)\n",
					path.buf);
	}
	clm_strbuf_release(&path);
	return rc < 0 ? rc : touched;
}

int clm_hooks_run(git_repository *repo, int argc, const char **argv, const char *binary, FILE *input,
		  struct clm_strbuf *said)
{
	git_oid old_id, new_id;
	const char *hook = argv[0];

	if (!strcmp(hook, "post-checkout")) {
		/* args: previous HEAD, new HEAD, 1 for a branch switch (0 for a file checkout) */
		if (argc < 4 || strcmp(argv[3], "1") || git_oid_fromstr(&old_id, argv[1]) < 0 ||
		    git_oid_fromstr(&new_id, argv[2]) < 0 || git_oid_is_zero(&old_id))
			return 0;
		return check_pair(repo, hook, &old_id, &new_id, binary, said);
	}
	if (!strcmp(hook, "post-merge")) {
		if (git_reference_name_to_id(&old_id, repo, "ORIG_HEAD") < 0 ||
		    git_reference_name_to_id(&new_id, repo, "HEAD") < 0)
			return 0;
		return check_pair(repo, hook, &old_id, &new_id, binary, said);
	}
	if (!strcmp(hook, "post-rewrite")) {
		char line[256], a[GIT_OID_HEXSZ + 1], b[GIT_OID_HEXSZ + 1];
		while (fgets(line, sizeof(line), input)) {
			int rc;
			if (sscanf(line, "%40s %40s", a, b) != 2 || git_oid_fromstr(&old_id, a) < 0 ||
			    git_oid_fromstr(&new_id, b) < 0)
				continue;
			rc = check_pair(repo, hook, &old_id, &new_id, binary, said);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (!strcmp(hook, "post-commit"))
		return 0; /* only monitoring runs after a commit (git-clmodel-hook does it) */
	return clm_error_set(CLM_EINVALID, "unknown hook '%s'", hook);
}
