/* git clmodel hooks install|uninstall|run: the hooks that queue updates after dependency bumps. */
#include "cmd/commands.h"
#include "update/hooks.h"
#include "update/jobs.h"
#include "git/repo.h"
#include "util/error.h"

#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const hooks_usage[] = {
	"git clmodel hooks install",
	"git clmodel hooks uninstall",
	"git clmodel hooks run <hook> [<hook-args>...]",
	NULL,
};

/* Absolute path of this binary, for the hook scripts to call. */
static int self_path(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	if (len <= 0)
		return clm_error_set(CLM_EIO, "cannot find the git-clmodel binary's path");
	buf[len] = '\0';
	return 0;
}

/* The hooks/ templates: $CLM_HOOKS_DIR, else installed beside the binary, else the source tree
 * (the binary in build/). */
static int template_dir(const char *self, struct clm_strbuf *out)
{
	const char *env = getenv("CLM_HOOKS_DIR");
	const char *rel[] = { "/../share/git-clmodel/hooks", "/../hooks" };
	size_t dirlen = (size_t)(strrchr(self, '/') - self);

	if (env && *env)
		return clm_strbuf_addstr(out, env);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		struct clm_strbuf probe = CLM_STRBUF_INIT;
		int found;
		clm_strbuf_add(&probe, self, dirlen);
		clm_strbuf_addf(&probe, "%s/post-merge", rel[i]);
		found = access(probe.buf, R_OK) == 0;
		clm_strbuf_release(&probe);
		if (found) {
			clm_strbuf_add(out, self, dirlen);
			return clm_strbuf_addstr(out, rel[i]);
		}
	}
	return clm_error_set(CLM_ENOTFOUND, "cannot find the hook templates (set CLM_HOOKS_DIR)");
}

int cmd_hooks(int argc, const char **argv, struct clm_cmd_ctx *ctx)
{
	static const struct clm_option opts[] = { { CLM_OPT_END, 0, NULL, NULL, NULL, NULL } };
	struct clm_strbuf report = CLM_STRBUF_INIT, templates = CLM_STRBUF_INIT;
	git_repository *repo = NULL;
	char self[PATH_MAX];
	int code = CLM_EXIT_OK, rc = 0, n;

	/* `run` passes the hook's own arguments through untouched, so parse options only before it. */
	if (argc >= 2 && !strcmp(argv[1], "run")) {
		n = argc - 1;
		argv++;
	} else {
		n = clm_parse_options(argc, argv, opts, hooks_usage, ctx, &code);
		if (n < 0)
			return code;
		if (n != 1 || (strcmp(argv[0], "install") && strcmp(argv[0], "uninstall")))
			return clm_usage_error(hooks_usage, opts, "expected 'install', 'uninstall' or 'run'");
	}
	rc = clm_repo_open(&repo);
	if (rc < 0)
		goto cleanup;
	rc = self_path(self, sizeof(self));
	if (rc < 0)
		goto cleanup;
	if (!strcmp(argv[0], "run")) {
		/* A hook never fails the git command that runs it: report, but exit 0. */
		if (n < 2)
			goto cleanup;
		struct clm_strbuf said = CLM_STRBUF_INIT;
		if (clm_hooks_run(repo, n - 1, argv + 1, self, stdin, &said) < 0)
			fprintf(stderr, "git-clmodel: hook: %s\n", clm_error());
		fputs(said.buf, stdout);
		clm_strbuf_release(&said);
		rc = 0;
		goto cleanup;
	}
	if (!strcmp(argv[0], "install")) {
		rc = template_dir(self, &templates);
		if (rc == 0)
			rc = clm_hooks_install(repo, templates.buf, self, &report);
	} else {
		rc = clm_hooks_uninstall(repo, &report);
	}
	if (!ctx->quiet)
		fputs(report.buf, stdout);
cleanup:
	clm_repo_close(repo);
	clm_strbuf_release(&report);
	clm_strbuf_release(&templates);
	return rc < 0 ? clm_die_error() : CLM_EXIT_OK;
}
