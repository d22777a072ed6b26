#include "suggest/remote_settings.h"
#include "git/refs.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_S 300

static int get_string(git_config *cfg, const char *key, char **out)
{
	git_buf buf = { 0 };
	int rc = git_config_get_string_buf(&buf, cfg, key);

	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return clm_git_error(rc, "git config %s", key);
	free(*out);
	*out = strdup(buf.ptr);
	git_buf_dispose(&buf);
	return *out ? 0 : clm_error_oom();
}

int clm_remote_settings_read(git_repository *repo, const char *url, int insecure, struct clm_remote_settings *out)
{
	git_config *cfg = NULL;
	int64_t timeout_s = DEFAULT_TIMEOUT_S;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = git_repository_config_snapshot(&cfg, repo)) < 0)
		return clm_git_error(rc, "cannot read the git configuration");
	rc = get_string(cfg, "clmodel.remote.url", &out->url);
	if (!rc)
		rc = get_string(cfg, "clmodel.remote.model", &out->model);
	if (!rc) {
		int grc = git_config_get_int64(&timeout_s, cfg, "clmodel.remote.timeout");
		if (grc < 0 && grc != GIT_ENOTFOUND)
			rc = clm_git_error(grc, "git config clmodel.remote.timeout");
		else if (timeout_s <= 0)
			rc = clm_error_set(CLM_EINVALID, "git config clmodel.remote.timeout must be a positive number of seconds");
	}
	git_config_free(cfg);
	if (!rc && url) {
		free(out->url);
		if (!(out->url = strdup(url)))
			rc = clm_error_oom();
	}
	if (rc < 0) {
		clm_remote_settings_release(out);
		return rc;
	}
	out->cfg.url = out->url;
	clm_http_options_default(&out->cfg.http);
	out->cfg.http.timeout_ms = timeout_s > 86400 ? 86400000L : (long)timeout_s * 1000;
	out->cfg.http.insecure = insecure;
	return 0;
}

void clm_remote_settings_release(struct clm_remote_settings *s)
{
	free(s->url);
	free(s->model);
	memset(s, 0, sizeof(*s));
}
