/* Where `suggest --remote` sends prompts, as a repository configures it: `clmodel.remote.url`
 * (an OpenAI-compatible server: vLLM, llama.cpp's server, Ollama), `clmodel.remote.model` (the
 * model name the server knows), `clmodel.remote.timeout` (seconds for a whole answer, default
 * 300). The API key comes from CLMODEL_API_KEY (remote/client.h), never from git config, so it
 * is never stored in a repository. TLS checks are skipped only by the caller's explicit flag. */
#ifndef CLM_SUGGEST_REMOTE_SETTINGS_H
#define CLM_SUGGEST_REMOTE_SETTINGS_H

#include <git2.h>
#include "remote/client.h"

struct clm_remote_settings {
	char *url;                     /* owned; NULL when none is configured or given */
	char *model;                   /* owned; NULL when not configured */
	struct clm_remote_config cfg;  /* points at url; api_key NULL (read from the environment) */
};

/* Read the settings; `url` (a --remote argument, may be NULL) wins over clmodel.remote.url and
 * `insecure` (an explicit --insecure) turns TLS checks off. 0 or a negative code. */
int clm_remote_settings_read(git_repository *repo, const char *url, int insecure, struct clm_remote_settings *out);

/* Free what the settings own. */
void clm_remote_settings_release(struct clm_remote_settings *s);

#endif
