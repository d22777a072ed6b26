/* libcore/remote: the server-sent-events parser, the completion wire format, the retry policy,
 * and the client against real local servers (tests/node/openai-server.js, skipped without node). */
#include "test_helpers.h"
#include "server_helpers.h"
#include "suggest/remote_settings.h"
#include "remote/client.h"
#include "remote/completion.h"
#include "remote/http.h"
#include "remote/sse.h"
#include "util/error.h"


/* ---- server-sent events ---- */

struct events {
	char log[2048]; /* "type=data|" per event */
	int count;
};

static int record_event(const char *event, const char *data, size_t len, void *arg)
{
	struct events *e = arg;
	size_t used = strlen(e->log);
	snprintf(e->log + used, sizeof(e->log) - used, "%s=%.*s|", event, (int)len, data);
	e->count++;
	return 0;
}

static const char sse_stream[] = ": comment\n\n"
				 "data: one\n\n"
				 "event: update\r\ndata:two\r\ndata:  lines\r\n\r\n"
				 "data: cr\r\rid: 5\nretry: 10\nunknown: x\ndata\n\n"
				 "event: empty\n\n"
				 "data: tail";

static const char sse_expected[] = "message=one|update=two\n lines|message=cr|message=|";

static void sse_whole_stream(void **state)
{
	struct clm_sse_parser p;
	struct events e = { "", 0 };
	(void)state;
	clm_sse_init(&p, 0);
	assert_int_equal(clm_sse_feed(&p, sse_stream, strlen(sse_stream), record_event, &e), 0);
	assert_string_equal(e.log, sse_expected);
	assert_true(clm_sse_pending(&p)); /* "data: tail" never ended */
	clm_sse_release(&p);
}

static void sse_byte_by_byte_gives_the_same_events(void **state)
{
	struct clm_sse_parser p;
	struct events e = { "", 0 };
	(void)state;
	clm_sse_init(&p, 0);
	for (size_t i = 0; i < strlen(sse_stream); i++) {
		/* each byte from its own heap block, so ASan catches any read past it */
		char *b = malloc(1);
		*b = sse_stream[i];
		assert_int_equal(clm_sse_feed(&p, b, 1, record_event, &e), 0);
		free(b);
	}
	assert_string_equal(e.log, sse_expected);
	clm_sse_release(&p);
}

static void sse_refuses_oversized_lines_and_events(void **state)
{
	struct clm_sse_parser p;
	struct events e = { "", 0 };
	char line[100];
	(void)state;
	memset(line, 'x', sizeof(line));
	clm_sse_init(&p, 64);
	assert_int_equal(clm_sse_feed(&p, line, sizeof(line), record_event, &e), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "longer than 64"));
	clm_sse_release(&p);

	clm_sse_init(&p, 64);
	for (int i = 0; i < 10; i++)
		if (clm_sse_feed(&p, "data: 0123456789\n", 17, record_event, &e) < 0)
			break;
	assert_non_null(strstr(clm_error(), "larger than 64"));
	assert_int_equal(e.count, 0);
	clm_sse_release(&p);
}

static int stop_at_second(const char *event, const char *data, size_t len, void *arg)
{
	(void)event, (void)data, (void)len;
	return ++*(int *)arg == 2 ? clm_error_set(CLM_EINVALID, "stop") : 0;
}

static void sse_callback_error_stops_feeding(void **state)
{
	struct clm_sse_parser p;
	int n = 0;
	const char s[] = "data: a\n\ndata: b\n\ndata: c\n\n";
	(void)state;
	clm_sse_init(&p, 0);
	assert_int_equal(clm_sse_feed(&p, s, strlen(s), stop_at_second, &n), CLM_EINVALID);
	assert_int_equal(n, 2);
	clm_sse_release(&p);
}

/* ---- completion wire format ---- */

static void completion_chunks_parse(void **state)
{
	struct clm_completion_delta d;
	const char ok[] = "{\"choices\":[{\"text\":\"h\\u00e9\",\"finish_reason\":null}]}";
	const char fin[] = "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}";
	const char usage[] = "{\"choices\":[],\"usage\":{\"completion_tokens\":3}}";
	(void)state;
	clm_completion_delta_init(&d);
	assert_int_equal(clm_completion_parse(ok, strlen(ok), &d), 0);
	assert_string_equal(d.text.buf, "h\xc3\xa9");
	assert_string_equal(d.finish_reason, "");
	assert_int_equal(clm_completion_parse(fin, strlen(fin), &d), 0);
	assert_int_equal(d.text.len, 0);
	assert_string_equal(d.finish_reason, "length");
	assert_int_equal(clm_completion_parse(usage, strlen(usage), &d), 0);
	assert_int_equal(clm_completion_parse("[DONE]", 6, &d), 0);
	assert_true(d.done);
	clm_completion_delta_release(&d);
}

static void completion_rejects_malformed_chunks(void **state)
{
	const char *bad[] = { "", "{", "[1,2]", "\"text\"", "{\"choices\":5}", "{\"choices\":[7]}",
			      "{\"choices\":[{\"text\":3}]}", "{\"choices\":[{\"finish_reason\":1}]}",
			      "[DONE", "{\"choices\":[{\"text\":\"a\"}]} trailing" };
	struct clm_completion_delta d;
	(void)state;
	clm_completion_delta_init(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(clm_completion_parse(bad[i], strlen(bad[i]), &d), CLM_EINVALID);
		assert_non_null(strstr(clm_error(), "malformed completion"));
	}
	clm_completion_delta_release(&d);
}

static void completion_reports_server_errors(void **state)
{
	const char err[] = "{\"error\":{\"message\":\"model\\nnot found\"}}";
	struct clm_completion_delta d;
	(void)state;
	clm_completion_delta_init(&d);
	assert_int_equal(clm_completion_parse(err, strlen(err), &d), CLM_EGENERIC);
	assert_string_equal(clm_error(), "server error: model not found");
	clm_completion_delta_release(&d);
}

static void completion_request_body(void **state)
{
	const char *stop[] = { "\n\n", NULL };
	struct clm_completion_request req = { "tiny", "def f(", 16, 0.0, stop, 1 };
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	(void)state;
	assert_int_equal(clm_completion_request_json(&req, &sb), 0);
	assert_string_equal(sb.buf, "{\"max_tokens\":16,\"model\":\"tiny\",\"prompt\":\"def f(\","
				    "\"stop\":[\"\\n\\n\"],\"stream\":true,\"temperature\":0.0}");
	req.prompt = NULL;
	assert_int_equal(clm_completion_request_json(&req, &sb), CLM_EINVALID);
	clm_strbuf_release(&sb);
}

/* ---- URLs and retry policy ---- */

static void endpoint_and_redaction(void **state)
{
	const char *in[][2] = { { "http://h:8000", "http://h:8000/v1/completions" },
				{ "http://h:8000/", "http://h:8000/v1/completions" },
				{ "http://h/v1", "http://h/v1/completions" },
				{ "https://h/api/v1/completions", "https://h/api/v1/completions" } };
	char out[128];
	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		assert_int_equal(clm_remote_endpoint(in[i][0], &sb), 0);
		assert_string_equal(sb.buf, in[i][1]);
		clm_strbuf_release(&sb);
	}
	clm_http_redact_url("https://user:pw@host:1/a/b?token=x#f", out, sizeof(out));
	assert_string_equal(out, "https://host:1/a/b");
	clm_http_redact_url("http://host/p@q", out, sizeof(out));
	assert_string_equal(out, "http://host/p@q");
	clm_http_redact_url("http://u@host/abcdef", out, 12);
	assert_string_equal(out, "http://host");
}

static void backoff_doubles_and_is_capped(void **state)
{
	struct clm_http_options o;
	(void)state;
	clm_http_options_default(&o);
	o.backoff_ms = 100;
	o.backoff_max_ms = 1000;
	assert_int_equal(clm_http_backoff_ms(&o, 1, -1), 100);
	assert_int_equal(clm_http_backoff_ms(&o, 2, -1), 200);
	assert_int_equal(clm_http_backoff_ms(&o, 4, -1), 800);
	assert_int_equal(clm_http_backoff_ms(&o, 9, -1), 1000);
	assert_int_equal(clm_http_backoff_ms(&o, 1, 0), 100);
	assert_int_equal(clm_http_backoff_ms(&o, 1, 1), 1000);
	assert_int_equal(clm_http_backoff_ms(&o, 1, 99999), 1000);
	assert_true(clm_http_retryable(CURLE_OK, 429) && clm_http_retryable(CURLE_OK, 503));
	assert_false(clm_http_retryable(CURLE_OK, 404) || clm_http_retryable(CURLE_OPERATION_TIMEDOUT, 0));
}

/* ---- the client against real servers on 127.0.0.1 ---- */

/* Start tests/node/openai-server.js in `mode`; 0 or -1 when node cannot run it. */
static int start_server(struct clm_test_server *s, const char *mode, const char *key)
{
	char script[4096];
	const char *top = getenv("CLM_TOP");
	char *argv[] = { "node", script, (char *)mode, (char *)key, NULL };

	snprintf(script, sizeof(script), "%s/tests/node/openai-server.js", top ? top : ".");
	return clm_test_server_start(s, argv);
}

/* Skip the calling test, with a message, when node cannot run the test server. */
static void need_node(void)
{
	if (system("node --version > /dev/null 2>&1") != 0) {
		print_message("# node is not available: server test skipped\n");
		skip();
	}
}

static void fast_config(struct clm_remote_config *cfg, const char *url)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->url = url;
	clm_http_options_default(&cfg->http);
	cfg->http.connect_timeout_ms = 2000;
	cfg->http.timeout_ms = 10000;
	cfg->http.backoff_ms = 10;
	cfg->http.backoff_max_ms = 50;
}

struct pieces {
	char text[4096];
	int calls;
	int cancel_after;
};

static int collect(const char *text, size_t len, void *arg)
{
	struct pieces *p = arg;
	size_t used = strlen(p->text);
	snprintf(p->text + used, sizeof(p->text) - used, "%.*s", (int)len, text);
	p->calls++;
	return p->cancel_after && p->calls >= p->cancel_after ? CLM_EINTERRUPT : 0;
}

static const char prompt[] = "def h\xc3\xa9llo(w\xc3\xb6rld):  # \xe2\x9c\x93 a prompt long enough to need many events";

static int complete(struct clm_remote_config *cfg, int stream, struct pieces *p, struct clm_remote_result *r)
{
	struct clm_completion_request req = { "test", prompt, 32, 0.0, NULL, stream };
	clm_remote_result_init(r);
	return clm_remote_complete(cfg, &req, collect, p, r);
}

static void client_streams_and_sends_the_key(void **state)
{
	struct clm_test_server s;
	struct clm_remote_config cfg;
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	char want[256];
	(void)state;
	need_node();
	assert_int_equal(start_server(&s, "ok", "sekret-key-123"), 0);
	fast_config(&cfg, s.url);
	cfg.api_key = "sekret-key-123";
	snprintf(want, sizeof(want), "You said: %s", prompt);
	assert_int_equal(complete(&cfg, 1, &p, &r), 0);
	assert_string_equal(r.text.buf, want);
	assert_string_equal(p.text, want);
	assert_true(p.calls > 10); /* arrived piece by piece */
	assert_string_equal(r.finish_reason, "stop");
	assert_int_equal(r.attempts, 1);
	clm_remote_result_release(&r);

	/* the same server answers a non-streamed request in one JSON object */
	memset(&p, 0, sizeof(p));
	assert_int_equal(complete(&cfg, 0, &p, &r), 0);
	assert_string_equal(r.text.buf, want);
	assert_int_equal(p.calls, 1);
	assert_string_equal(r.finish_reason, "length");
	clm_remote_result_release(&r);

	/* a wrong key from the environment: 401, and the key appears nowhere in the message */
	setenv(CLM_REMOTE_API_KEY_ENV, "wrong-key-456", 1);
	cfg.api_key = NULL;
	assert_int_equal(complete(&cfg, 1, &p, &r), CLM_EIO);
	assert_non_null(strstr(clm_error(), s.url));
	assert_non_null(strstr(clm_error(), "HTTP 401"));
	assert_null(strstr(clm_error(), "wrong-key"));
	assert_int_equal(r.attempts, 1); /* 401 is not retried */
	unsetenv(CLM_REMOTE_API_KEY_ENV);
	clm_remote_result_release(&r);
	clm_test_server_stop(&s);
}

/* Run one request against a fresh server in `mode`; returns the code (message in clm_error())
 * and the URL the client used in `url`. */
static int against(const char *mode, long timeout_ms, int retries, struct clm_remote_result *r,
		   struct pieces *p, char *url, size_t url_size)
{
	struct clm_test_server s;
	struct clm_remote_config cfg;
	int rc;

	assert_int_equal(start_server(&s, mode, ""), 0);
	fast_config(&cfg, s.url);
	if (timeout_ms)
		cfg.http.timeout_ms = timeout_ms;
	cfg.http.max_retries = retries;
	rc = complete(&cfg, 1, p, r);
	snprintf(url, url_size, "%s/v1/completions", s.url);
	clm_test_server_stop(&s);
	return rc;
}

static void client_refuses_garbage(void **state)
{
	const char *modes[] = { "garbage-body", "garbage-json", "garbage-raw" };
	const char *says[] = { "malformed completion", "malformed completion", "not HTTP" };
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	char url[128];
	int rc;
	(void)state;
	need_node();
	for (int i = 0; i < 3; i++) {
		rc = against(modes[i], 0, 0, &r, &p, url, sizeof(url));
		assert_true(rc < 0);
		assert_non_null(strstr(clm_error(), url));
		assert_non_null(strstr(clm_error(), says[i]));
		assert_int_equal(r.text.len, 0);
		clm_remote_result_release(&r);
	}
}

static void client_times_out_on_a_slow_server(void **state)
{
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	char url[128];
	int rc;
	(void)state;
	need_node();
	rc = against("slow", 300, 2, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EIO);
	assert_non_null(strstr(clm_error(), url));
	assert_non_null(strstr(clm_error(), "within 300 ms (timeout)"));
	assert_int_equal(r.attempts, 1); /* a timeout is not retried: the wait was long enough */
	clm_remote_result_release(&r);
}

static void client_reports_a_dropped_stream_without_retrying(void **state)
{
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	char url[128];
	int rc;
	(void)state;
	need_node();
	rc = against("drop", 0, 3, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EIO);
	assert_non_null(strstr(clm_error(), url));
	assert_true(p.calls > 0 && r.text.len > 0); /* text arrived before the drop ... */
	assert_int_equal(r.attempts, 1);             /* ... so a retry would repeat it */
	clm_remote_result_release(&r);

	rc = against("hangup", 0, 2, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EIO);
	assert_non_null(strstr(clm_error(), "without answering"));
	assert_non_null(strstr(clm_error(), "after 3 attempts"));
	assert_int_equal(r.attempts, 3);
	clm_remote_result_release(&r);
}

static void client_retries_429_then_succeeds(void **state)
{
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	char url[128];
	int rc;
	(void)state;
	need_node();
	rc = against("flaky", 0, 3, &r, &p, url, sizeof(url));
	assert_int_equal(rc, 0);
	assert_int_equal(r.attempts, 3); /* two 429s, then the answer */
	assert_int_equal(strncmp(r.text.buf, "You said: ", 10), 0);
	clm_remote_result_release(&r);

	rc = against("flaky", 0, 1, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EIO);
	assert_non_null(strstr(clm_error(), "HTTP 429 Too Many Requests: server error: slow down"));
	clm_remote_result_release(&r);

	rc = against("failing", 0, 1, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EIO);
	assert_int_equal(r.attempts, 2);
	assert_non_null(strstr(clm_error(), url));
	assert_non_null(strstr(clm_error(), "HTTP 503 Service Unavailable: server error: model is loading"));
	clm_remote_result_release(&r);
}

static void client_callback_can_cancel(void **state)
{
	struct clm_remote_result r;
	struct pieces p = { "", 0, 3 };
	char url[128];
	int rc;
	(void)state;
	need_node();
	rc = against("ok", 0, 3, &r, &p, url, sizeof(url));
	assert_int_equal(rc, CLM_EINTERRUPT);
	assert_int_equal(p.calls, 3);
	assert_int_equal(r.attempts, 1);
	clm_remote_result_release(&r);
}

static void client_refuses_bad_urls_and_unreachable_servers(void **state)
{
	struct clm_remote_config cfg;
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	(void)state;
	fast_config(&cfg, "ftp://user:secret@example.com/x");
	assert_int_equal(complete(&cfg, 1, &p, &r), CLM_EINVALID);
	assert_null(strstr(clm_error(), "secret"));
	clm_remote_result_release(&r);
	fast_config(&cfg, "http://127.0.0.1:1"); /* nothing listens on port 1 */
	cfg.http.max_retries = 0;
	assert_int_equal(complete(&cfg, 1, &p, &r), CLM_EIO);
	assert_non_null(strstr(clm_error(), "http://127.0.0.1:1/v1/completions: "));
	clm_remote_result_release(&r);
}

/* A self-signed certificate is refused unless TLS checks are turned off explicitly. */
static void client_verifies_tls_unless_told_not_to(void **state)
{
	char script[4096], url[96];
	const char *top = getenv("CLM_TOP");
	char *argv[] = { "node", script, "ok", "", "key.pem", "cert.pem", NULL };
	struct clm_test_server s;
	struct clm_remote_config cfg;
	struct clm_remote_result r;
	struct pieces p = { "", 0, 0 };
	(void)state;
	need_node();
	if (system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout key.pem "
		   "-out cert.pem -subj /CN=127.0.0.1 -days 1 > /dev/null 2>&1") != 0) {
		print_message("# openssl cannot make a test certificate: TLS test skipped\n");
		skip();
	}
	snprintf(script, sizeof(script), "%s/tests/node/openai-server.js", top ? top : ".");
	assert_int_equal(clm_test_server_start(&s, argv), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d", s.port);
	fast_config(&cfg, url);
	cfg.http.max_retries = 0;
	assert_int_equal(complete(&cfg, 1, &p, &r), CLM_EIO);
	assert_non_null(strstr(clm_error(), url));
	assert_non_null(strstr(clm_error(), "TLS certificate not trusted"));
	assert_int_equal(r.text.len, 0);
	clm_remote_result_release(&r);
	cfg.http.insecure = 1;
	assert_int_equal(complete(&cfg, 1, &p, &r), 0);
	assert_int_equal(strncmp(r.text.buf, "You said: ", 10), 0);
	clm_remote_result_release(&r);
	clm_test_server_stop(&s);
}

/* ---- settings from git config ---- */

static void settings_come_from_git_config(void **state)
{
	char *dir = clm_test_tmpdir(), cmd[512];
	git_repository *repo = NULL;
	struct clm_remote_settings st;
	(void)state;
	git_libgit2_init();
	snprintf(cmd, sizeof(cmd), "git init -q %s && git -C %s config clmodel.remote.url http://gpu-box:8000/v1 && "
		 "git -C %s config clmodel.remote.model my-coder && git -C %s config clmodel.remote.timeout 42",
		 dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(git_repository_open(&repo, dir), 0);
	assert_int_equal(clm_remote_settings_read(repo, NULL, 0, &st), 0);
	assert_string_equal(st.cfg.url, "http://gpu-box:8000/v1");
	assert_string_equal(st.model, "my-coder");
	assert_int_equal(st.cfg.http.timeout_ms, 42000);
	assert_int_equal(st.cfg.http.insecure, 0);
	assert_null(st.cfg.api_key); /* from the environment only */
	clm_remote_settings_release(&st);
	assert_int_equal(clm_remote_settings_read(repo, "https://other/", 1, &st), 0);
	assert_string_equal(st.cfg.url, "https://other/");
	assert_int_equal(st.cfg.http.insecure, 1);
	clm_remote_settings_release(&st);
	snprintf(cmd, sizeof(cmd), "git -C %s config clmodel.remote.timeout -5", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(clm_remote_settings_read(repo, NULL, 0, &st), CLM_EINVALID);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sse_whole_stream),
		cmocka_unit_test(sse_byte_by_byte_gives_the_same_events),
		cmocka_unit_test(sse_refuses_oversized_lines_and_events),
		cmocka_unit_test(sse_callback_error_stops_feeding),
		cmocka_unit_test(completion_chunks_parse),
		cmocka_unit_test(completion_rejects_malformed_chunks),
		cmocka_unit_test(completion_reports_server_errors),
		cmocka_unit_test(completion_request_body),
		cmocka_unit_test(endpoint_and_redaction),
		cmocka_unit_test(backoff_doubles_and_is_capped),
		cmocka_unit_test(client_streams_and_sends_the_key),
		cmocka_unit_test(client_refuses_garbage),
		cmocka_unit_test(client_times_out_on_a_slow_server),
		cmocka_unit_test(client_reports_a_dropped_stream_without_retrying),
		cmocka_unit_test(client_retries_429_then_succeeds),
		cmocka_unit_test(client_callback_can_cancel),
		cmocka_unit_test(client_refuses_bad_urls_and_unreachable_servers),
		cmocka_unit_test(client_verifies_tls_unless_told_not_to),
		cmocka_unit_test(settings_come_from_git_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
