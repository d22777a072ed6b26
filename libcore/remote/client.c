#include "remote/client.h"
#include "remote/sse.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERROR_BODY_MAX 4096u       /* what we keep of an error answer, for the message */
#define JSON_BODY_MAX CLM_COMPLETION_TEXT_MAX /* a non-streamed answer larger than this is refused */
#define SSE_EVENT_MAX (1u << 20)
#define DETAIL_MAX 200
#define HEADERS_MAX (256u << 10)   /* an answer's header lines together */
#define SECRETS_MAX 4

enum answer_kind { ANSWER_UNKNOWN, ANSWER_STREAM, ANSWER_JSON, ANSWER_ERROR };

/* State of one HTTP attempt, shared with libcurl's write callback. */
struct attempt {
	CURL *h;
	enum answer_kind kind;
	long status;
	struct clm_sse_parser sse;
	struct clm_strbuf body;          /* whole JSON answer, or the start of an error answer */
	struct clm_completion_delta delta;
	struct clm_remote_result *out;
	clm_remote_text_fn on_text;
	void *arg;
	size_t delivered;                /* bytes of text handed to on_text so far (all attempts) */
	int max_tokens;                  /* the request's: the answer is cut there (clm_completion_take) */
	int pieces;                      /* pieces of text taken so far */
	size_t header_bytes;             /* of this attempt's answer */
	int stopped;                     /* we ended the answer: it reached max_tokens or max_text */
	int done;                        /* "[DONE]" seen */
	int failure;                     /* our code when we stopped the transfer from a callback */
	int cancelled;                   /* the failure came from on_text */
};

void clm_remote_result_init(struct clm_remote_result *r)
{
	clm_strbuf_init(&r->text);
	r->finish_reason[0] = '\0';
	r->http_status = 0;
	r->attempts = 0;
}

void clm_remote_result_release(struct clm_remote_result *r)
{
	clm_strbuf_release(&r->text);
}

int clm_remote_endpoint(const char *url, struct clm_strbuf *out)
{
	size_t len = strcspn(url, "?#");
	const char *query = url + len;
	int rc;

	while (len > 0 && url[len - 1] == '/')
		len--;
	if (clm_strbuf_add(out, url, len) < 0)
		return CLM_ENOMEM;
	/* the path goes before a ?query (which may carry a token), a #fragment is never sent */
	if (len >= 12 && !memcmp(url + len - 12, "/completions", 12))
		rc = 0;
	else if (len >= 3 && !memcmp(url + len - 3, "/v1", 3))
		rc = clm_strbuf_addstr(out, "/completions");
	else
		rc = clm_strbuf_addstr(out, "/v1/completions");
	if (rc == 0 && *query == '?')
		rc = clm_strbuf_add(out, query, strcspn(query, "#"));
	return rc;
}

/* What must never appear in a message: the API key, the URL's user:password and its query. */
static size_t url_secrets(const char *url, const char *key, const char *out[SECRETS_MAX], size_t lens[SECRETS_MAX])
{
	const char *host = strstr(url, "://"), *at, *colon, *query = strchr(url, '?');
	size_t n = 0, hostlen;

	if (key && *key) {
		out[n] = key;
		lens[n++] = strlen(key);
	}
	host = host ? host + 3 : url;
	hostlen = strcspn(host, "/?#");
	at = memchr(host, '@', hostlen);
	if (at && at > host) {
		out[n] = host;
		lens[n++] = (size_t)(at - host);
		colon = memchr(host, ':', (size_t)(at - host));
		if (colon && at - colon > 1) {
			out[n] = colon + 1;
			lens[n++] = (size_t)(at - colon - 1);
		}
	}
	if (query && query[1]) {
		out[n] = query + 1;
		lens[n++] = strcspn(query + 1, "#");
	}
	return n;
}

/* Replace every secret in the current message by "***": a server may echo what it was sent
 * (a 401 quoting the bearer token), and messages end up on terminals and in logs. */
static void scrub_error(const char *url, const char *key)
{
	const char *secrets[SECRETS_MAX];
	size_t lens[SECRETS_MAX], n = url_secrets(url, key, secrets, lens);
	struct clm_strbuf msg = CLM_STRBUF_INIT;
	const char *p = clm_error();

	if (!n)
		return;
	while (*p) {
		size_t i = 0;
		while (i < n && strncmp(p, secrets[i], lens[i]))
			i++;
		if (i < n ? clm_strbuf_addstr(&msg, "***") < 0 : clm_strbuf_addch(&msg, *p) < 0)
			break;
		p += i < n ? lens[i] : 1;
	}
	if (!*p)
		clm_error_set(CLM_EGENERIC, "%s", msg.buf);
	explicit_bzero(msg.buf, msg.len);
	clm_strbuf_release(&msg);
}


/* Hand the text of the parsed chunk to the result and the caller, up to the request's max_tokens
 * (clm_completion_take): a server that ignores it is cut there, as if it had said "length". */
static int deliver(struct attempt *a)
{
	const struct clm_completion_delta *d = &a->delta;
	size_t len = d->text.len;
	int cut = 0;

	if (d->finish_reason[0])
		memcpy(a->out->finish_reason, d->finish_reason, sizeof(a->out->finish_reason));
	if (len == 0)
		return 0;
	len = clm_completion_take(d->text.buf, len, a->out->text.len, a->pieces, a->max_tokens, &cut);
	if (cut) {
		a->stopped = 1;
		snprintf(a->out->finish_reason, sizeof(a->out->finish_reason), "length");
	}
	if (len == 0)
		return 0;
	a->pieces++;
	if (clm_strbuf_add(&a->out->text, d->text.buf, len) < 0)
		return CLM_ENOMEM;
	a->delivered += len;
	if (a->on_text) {
		int rc = a->on_text(d->text.buf, len, a->arg);
		if (rc < 0) {
			a->cancelled = 1;
			return rc;
		}
	}
	return 0;
}

static int on_event(const char *event, const char *data, size_t len, void *arg)
{
	struct attempt *a = arg;
	int rc;

	(void)event; /* an "error" event carries an error object, which the parser reports */
	if (a->done || a->stopped)
		return 0;
	rc = clm_completion_parse(data, len, &a->delta);
	if (rc < 0)
		return rc;
	if (a->delta.done) {
		a->done = 1;
		return 0;
	}
	return deliver(a);
}

static void decide_kind(struct attempt *a)
{
	const char *type = NULL;

	curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &a->status);
	curl_easy_getinfo(a->h, CURLINFO_CONTENT_TYPE, &type);
	if (a->status < 200 || a->status > 299)
		a->kind = ANSWER_ERROR;
	else if (type && strstr(type, "text/event-stream"))
		a->kind = ANSWER_STREAM;
	else
		a->kind = ANSWER_JSON; /* a server may ignore "stream" and answer in one piece */
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct attempt *a = userdata;
	size_t n = size * nmemb;
	int rc = 0;

	if (a->kind == ANSWER_UNKNOWN)
		decide_kind(a);
	switch (a->kind) {
	case ANSWER_STREAM:
		rc = clm_sse_feed(&a->sse, ptr, n, on_event, a);
		if (rc == 0 && a->stopped)
			return 0; /* enough text: stop reading (CURLE_WRITE_ERROR, then success) */
		break;
	case ANSWER_JSON:
		if (a->body.len + n > JSON_BODY_MAX)
			rc = clm_error_set(CLM_EINVALID, "answer larger than %u bytes", JSON_BODY_MAX);
		else
			rc = clm_strbuf_add(&a->body, ptr, n);
		break;
	default:
		if (a->body.len < ERROR_BODY_MAX)
			rc = clm_strbuf_add(&a->body, ptr, n < ERROR_BODY_MAX - a->body.len ? n : ERROR_BODY_MAX - a->body.len);
		break;
	}
	if (rc < 0) {
		a->failure = rc;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	return n;
}

/* Count the answer's header lines: libcurl keeps them in memory and fails a huge header with a
 * bare "Out of memory"; past HEADERS_MAX we stop with a message saying what happened. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct attempt *a = userdata;
	size_t n = size * nmemb;

	(void)ptr;
	a->header_bytes += n;
	if (a->header_bytes > HEADERS_MAX) {
		a->failure = clm_error_set(CLM_EINVALID, "the server's answer headers are larger than %u KB",
					   HEADERS_MAX >> 10);
		return 0;
	}
	return n;
}

/* The server's own words about an error answer: its JSON error message, else the raw start. */
static void error_detail(const struct clm_strbuf *body, char *out, size_t size)
{
	struct clm_completion_delta d;
	size_t n = 0;

	out[0] = '\0';
	if (body->len == 0)
		return;
	clm_completion_delta_init(&d);
	if (clm_completion_parse(body->buf, body->len, &d) == CLM_EGENERIC) {
		snprintf(out, size, "%s", clm_error());
	} else {
		for (size_t i = 0; i < body->len && n + 1 < size && n < DETAIL_MAX; i++)
			out[n++] = (unsigned char)body->buf[i] < 0x20 ? ' ' : body->buf[i];
		out[n] = '\0';
	}
	clm_completion_delta_release(&d);
}

static int build_headers(const struct clm_remote_config *cfg, int stream, struct curl_slist **out)
{
	const char *key = cfg->api_key ? cfg->api_key : getenv(CLM_REMOTE_API_KEY_ENV);
	struct curl_slist *h = NULL, *next;
	struct clm_strbuf auth = CLM_STRBUF_INIT;
	int rc = 0;

	/* Expect: would add a round trip for large prompts; servers answer without it. */
	const char *fixed[] = { "Content-Type: application/json", "Expect:",
				stream ? "Accept: text/event-stream" : "Accept: application/json" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		next = curl_slist_append(h, fixed[i]);
		if (!next)
			goto oom;
		h = next;
	}
	if (key && *key) {
		if (strpbrk(key, "\r\n")) {
			curl_slist_free_all(h);
			return clm_error_set(CLM_EINVALID, "the API key (%s) contains a line break",
					     cfg->api_key ? "configured" : CLM_REMOTE_API_KEY_ENV);
		}
		rc = clm_strbuf_addf(&auth, "Authorization: Bearer %s", key);
		next = rc ? NULL : curl_slist_append(h, auth.buf);
		explicit_bzero(auth.buf, auth.len);
		clm_strbuf_release(&auth);
		if (!next)
			goto oom;
		h = next;
	}
	*out = h;
	return 0;
oom:
	curl_slist_free_all(h);
	return clm_error_oom();
}

/* Check a finished attempt's answer; 0 when it holds a completion. */
static int finish_attempt(struct attempt *a, const char *endpoint, const struct clm_http_options *o)
{
	char where[512], detail[DETAIL_MAX + 64];
	int rc;

	clm_http_redact_url(endpoint, where, sizeof(where));
	switch (a->kind) {
	case ANSWER_ERROR:
		error_detail(&a->body, detail, sizeof(detail));
		return clm_http_fail(endpoint, a->h, CURLE_OK, a->status, detail, o);
	case ANSWER_JSON:
		rc = clm_completion_parse(a->body.buf, a->body.len, &a->delta);
		if (rc == 0)
			rc = deliver(a);
		if (rc == 0 && a->out->text.len == 0 && !a->out->finish_reason[0])
			rc = clm_error_set(CLM_EINVALID, "answer holds no completion");
		break;
	case ANSWER_STREAM:
		rc = a->done || a->out->finish_reason[0]
			     ? 0
			     : clm_error_set(CLM_EIO, "the event stream ended before the completion did "
						      "(no [DONE] and no finish_reason)");
		break;
	default:
		rc = clm_error_set(CLM_EINVALID, "empty answer (HTTP %ld)", a->status);
		break;
	}
	return rc < 0 && !a->cancelled ? clm_error_wrap(rc, "%s", where) : rc;
}

/* One request. Sets *retry when the failure is worth another attempt. */
static int run_attempt(struct attempt *a, const char *endpoint, const char *body,
		       struct curl_slist *headers, const struct clm_http_options *o, int *retry,
		       long *retry_after_s)
{
	curl_off_t retry_after = 0;
	char where[512];
	CURLcode cc;
	int rc;

	*retry = 0;
	*retry_after_s = -1;
	a->kind = ANSWER_UNKNOWN;
	a->status = 0;
	a->done = 0;
	a->stopped = 0;
	a->header_bytes = 0;
	a->failure = 0;
	clm_strbuf_reset(&a->body);
	clm_sse_release(&a->sse);
	clm_sse_init(&a->sse, SSE_EVENT_MAX);
	curl_easy_reset(a->h);
	rc = clm_http_setup(a->h, endpoint, o);
	if (rc < 0)
		return rc;
	if (curl_easy_setopt(a->h, CURLOPT_POSTFIELDS, body) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body)) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_WRITEDATA, a) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
	    curl_easy_setopt(a->h, CURLOPT_HEADERDATA, a) != CURLE_OK)
		return clm_error_set(CLM_EGENERIC, "libcurl refused a transfer option");
	cc = curl_easy_perform(a->h);
	curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &a->status);
	a->out->http_status = a->status;
	if (a->stopped && cc == CURLE_WRITE_ERROR)
		cc = CURLE_OK;
	if (a->failure) {
		clm_http_redact_url(endpoint, where, sizeof(where));
		return a->cancelled ? a->failure : clm_error_wrap(a->failure, "%s", where);
	}
	if (cc != CURLE_OK) {
		*retry = clm_http_retryable(cc, 0) && a->delivered == 0;
		return clm_http_fail(endpoint, a->h, cc, a->status, NULL, o);
	}
	if (a->kind == ANSWER_UNKNOWN && (a->status < 200 || a->status > 299))
		a->kind = ANSWER_ERROR; /* an error status with an empty body */
	if (a->kind == ANSWER_ERROR && clm_http_retryable(CURLE_OK, a->status)) {
		*retry = 1;
		if (curl_easy_getinfo(a->h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
			*retry_after_s = retry_after > 3600 ? 3600 : (long)retry_after;
	}
	return finish_attempt(a, endpoint, o);
}

int clm_remote_complete(const struct clm_remote_config *cfg, const struct clm_completion_request *req,
			clm_remote_text_fn on_text, void *arg, struct clm_remote_result *out)
{
	struct clm_strbuf endpoint = CLM_STRBUF_INIT, body = CLM_STRBUF_INIT;
	struct curl_slist *headers = NULL;
	struct attempt a;
	int rc, retry = 0;
	long retry_after_s = -1;

	if (!cfg->url || !*cfg->url)
		return clm_error_set(CLM_EINVALID, "no remote URL configured");
	memset(&a, 0, sizeof(a));
	a.out = out;
	a.on_text = on_text;
	a.arg = arg;
	a.max_tokens = req->max_tokens;
	clm_strbuf_init(&a.body);
	clm_sse_init(&a.sse, SSE_EVENT_MAX);
	clm_completion_delta_init(&a.delta);
	rc = clm_remote_endpoint(cfg->url, &endpoint);
	if (!rc)
		rc = clm_completion_request_json(req, &body);
	if (!rc)
		rc = build_headers(cfg, req->stream, &headers);
	if (!rc && !(a.h = curl_easy_init()))
		rc = clm_error_set(CLM_EGENERIC, "cannot start libcurl");
	for (int attempt = 1; !rc; attempt++) {
		out->attempts = attempt;
		rc = run_attempt(&a, endpoint.buf, body.buf, headers, &cfg->http, &retry, &retry_after_s);
		if (!rc || !retry || attempt > cfg->http.max_retries)
			break;
		clm_http_sleep_ms(clm_http_backoff_ms(&cfg->http, attempt, retry_after_s));
		rc = 0;
	}
	if (rc < 0 && out->attempts > 1 && !a.cancelled)
		clm_error_wrap(rc, "after %d attempts", out->attempts);
	if (rc < 0 && !a.cancelled)
		scrub_error(cfg->url, cfg->api_key ? cfg->api_key : getenv(CLM_REMOTE_API_KEY_ENV));
	if (a.h)
		curl_easy_cleanup(a.h);
	curl_slist_free_all(headers);
	clm_completion_delta_release(&a.delta);
	clm_sse_release(&a.sse);
	clm_strbuf_release(&a.body);
	clm_strbuf_release(&body);
	clm_strbuf_release(&endpoint);
	return rc;
}
