/* Client for OpenAI-compatible completion servers (vLLM, llama.cpp's server, Ollama, ...):
 * POST <url>/v1/completions, streamed as server-sent events so text shows as it arrives. */
#ifndef CLM_REMOTE_CLIENT_H
#define CLM_REMOTE_CLIENT_H

#include <stddef.h>
#include "remote/completion.h"
#include "remote/http.h"
#include "util/strbuf.h"

/* Environment variable holding the API key; its value is never printed or logged. */
#define CLM_REMOTE_API_KEY_ENV "CLMODEL_API_KEY"

struct clm_remote_config {
	const char *url;     /* server base ("http://host:8000"), ".../v1", or the full endpoint */
	const char *api_key; /* bearer token; NULL: CLMODEL_API_KEY from the environment when set */
	struct clm_http_options http;
};

/* Receives each piece of text as it arrives; return 0 to go on, negative to cancel (that code is
 * then returned by clm_remote_complete). */
typedef int (*clm_remote_text_fn)(const char *text, size_t len, void *arg);

struct clm_remote_result {
	struct clm_strbuf text;  /* the whole completion; owned */
	char finish_reason[32];  /* as the server said ("stop", "length"), "" if it said nothing */
	long http_status;        /* status of the last attempt */
	int attempts;            /* requests made, retries included */
};

/* Initialise a result. */
void clm_remote_result_init(struct clm_remote_result *r);

/* Free a result's memory. */
void clm_remote_result_release(struct clm_remote_result *r);

/* The endpoint for a configured base URL, appended to `out`: ".../v1/completions", with the
 * URL's ?query kept after the path. */
int clm_remote_endpoint(const char *url, struct clm_strbuf *out);

/* Send `req` and collect the completion in `out` (initialised by the caller), calling `on_text`
 * (may be NULL) for each piece. Retries 429/5xx and dropped connections with backoff while no
 * text has been delivered. The text is cut at req->max_tokens (clm_completion_take),
 * finish_reason then "length". Returns 0 or a negative code; the message names the URL and the
 * HTTP status, never the API key, the URL's password or its query (scrubbed even when the server
 * echoes them). */
int clm_remote_complete(const struct clm_remote_config *cfg, const struct clm_completion_request *req,
			clm_remote_text_fn on_text, void *arg, struct clm_remote_result *out);

#endif
