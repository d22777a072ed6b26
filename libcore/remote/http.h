/* What every libcurl transfer of ours shares: TLS and protocol settings, timeouts, the retry
 * policy (bounded exponential backoff on 429, 5xx and dropped connections) and error messages
 * that name the URL (without credentials) and the HTTP status. */
#ifndef CLM_REMOTE_HTTP_H
#define CLM_REMOTE_HTTP_H

#include <stddef.h>
#include <curl/curl.h>

struct clm_http_options {
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* whole transfer, per attempt; 0: no limit */
	int insecure;            /* skip TLS certificate and host checks: only by explicit request */
	int max_retries;         /* further attempts after a retryable failure; < 0: none */
	long backoff_ms;         /* wait before the first retry; 0: 500 ms; doubles each time */
	long backoff_max_ms;     /* cap for one wait, also for Retry-After; 0: 8 s */
};

/* Defaults: 10 s connect, no total limit, TLS verified, 3 retries from 500 ms up to 8 s. */
void clm_http_options_default(struct clm_http_options *o);

/* Put the shared settings on an easy handle: URL, http/https only, no redirects, TLS checks,
 * timeouts, credentials from ~/.netrc when it has the host. Returns 0 or a negative code. */
int clm_http_setup(CURL *h, const char *url, const struct clm_http_options *o);

/* Copy `url` into `out` (size bytes) without user info and query string, for messages. */
void clm_http_redact_url(const char *url, char *out, size_t size);

/* Non-zero when an attempt that ended with `cc` and HTTP `status` may succeed if repeated. */
int clm_http_retryable(CURLcode cc, long status);

/* Milliseconds to wait before retry number `attempt` (1 = first retry); a server's Retry-After
 * (seconds, < 0 when absent) wins when larger, both capped by backoff_max_ms. */
long clm_http_backoff_ms(const struct clm_http_options *o, int attempt, long retry_after_s);

/* Sleep for `ms` milliseconds (restarting after signals). */
void clm_http_sleep_ms(long ms);

/* Set a message "<url>: <what went wrong>" for a failed attempt: a curl failure (timeouts say
 * which limit), or the HTTP status with `detail` (server text, may be NULL). Returns CLM_EIO. */
int clm_http_fail(const char *url, CURL *h, CURLcode cc, long status, const char *detail,
		  const struct clm_http_options *o);

#endif
