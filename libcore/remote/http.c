#include "remote/http.h"
#include "util/error.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_BACKOFF_MS 500L
#define DEFAULT_BACKOFF_MAX_MS 8000L

void clm_http_options_default(struct clm_http_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_retries = 3;
}

int clm_http_setup(CURL *h, const char *url, const struct clm_http_options *o)
{
	char where[512];

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
		clm_http_redact_url(url, where, sizeof(where));
		return clm_error_set(CLM_EINVALID, "%s: only http:// and https:// URLs are supported", where);
	}
	/* No redirects: they could carry the Authorization header elsewhere, and the servers we
	 * talk to need none. Credentials for object stores may come from ~/.netrc. */
	if (curl_easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			     o->connect_timeout_ms > 0 ? o->connect_timeout_ms : DEFAULT_CONNECT_MS) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_USERAGENT, "git-clmodel") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL) != CURLE_OK)
		return clm_error_set(CLM_EGENERIC, "libcurl refused a transfer option");
	return 0;
}

void clm_http_redact_url(const char *url, char *out, size_t size)
{
	const char *scheme_end = strstr(url, "://");
	const char *host = scheme_end ? scheme_end + 3 : url;
	const char *at = memchr(host, '@', strcspn(host, "/?#"));
	size_t n = 0;

	if (size == 0)
		return;
	/* Keep scheme://, drop user:password@, keep host and path, drop ?query and #fragment. */
	for (const char *c = url; c < host && n + 1 < size; c++)
		out[n++] = *c;
	for (const char *c = at ? at + 1 : host; *c && *c != '?' && *c != '#' && n + 1 < size; c++)
		out[n++] = *c;
	out[n] = '\0';
}

int clm_http_retryable(CURLcode cc, long status)
{
	switch (cc) {
	case CURLE_OK:
		return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
	case CURLE_COULDNT_CONNECT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

long clm_http_backoff_ms(const struct clm_http_options *o, int attempt, long retry_after_s)
{
	long base = o->backoff_ms > 0 ? o->backoff_ms : DEFAULT_BACKOFF_MS;
	long cap = o->backoff_max_ms > 0 ? o->backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
	long wait = base;

	for (int i = 1; i < attempt && wait < cap; i++)
		wait *= 2;
	if (retry_after_s >= 0 && retry_after_s <= cap / 1000 && retry_after_s * 1000 > wait)
		wait = retry_after_s * 1000;
	else if (retry_after_s > cap / 1000)
		wait = cap;
	return wait < cap ? wait : cap;
}

void clm_http_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const char *status_text(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized (check CLMODEL_API_KEY)";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "";
	}
}

int clm_http_fail(const char *url, CURL *h, CURLcode cc, long status, const char *detail,
		  const struct clm_http_options *o)
{
	char where[512];
	curl_off_t connect_us = 0;

	clm_http_redact_url(url, where, sizeof(where));
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		if (h)
			curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us == 0)
			return clm_error_set(CLM_EIO, "%s: could not connect within %ld ms (connect timeout)",
					     where, o->connect_timeout_ms > 0 ? o->connect_timeout_ms
									      : DEFAULT_CONNECT_MS);
		return clm_error_set(CLM_EIO, "%s: no complete answer within %ld ms (timeout)", where,
				     o->timeout_ms);
	}
	if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
		return clm_error_set(CLM_EIO, "%s: TLS certificate not trusted (%s); --insecure "
				     "(clmodel.store.insecure for object stores) skips the check",
				     where, curl_easy_strerror(cc));
	if (cc == CURLE_GOT_NOTHING)
		return clm_error_set(CLM_EIO, "%s: the server closed the connection without answering", where);
	if (cc == CURLE_PARTIAL_FILE || cc == CURLE_RECV_ERROR)
		return clm_error_set(CLM_EIO, "%s: connection dropped before the answer was complete (%s)",
				     where, curl_easy_strerror(cc));
	if (cc == CURLE_WEIRD_SERVER_REPLY || cc == CURLE_UNSUPPORTED_PROTOCOL)
		return clm_error_set(CLM_EIO, "%s: the server's answer is not HTTP (%s)", where,
				     curl_easy_strerror(cc));
	if (cc != CURLE_OK)
		return clm_error_set(CLM_EIO, "%s: %s", where, curl_easy_strerror(cc));
	return clm_error_set(CLM_EIO, "%s: HTTP %ld%s%s%s%s", where, status, *status_text(status) ? " " : "",
			     status_text(status), detail && *detail ? ": " : "", detail ? detail : "");
}
