#include "remote/objstore.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/progress.h"
#include "util/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PARALLEL 4
#define POINTER_MAX 128
#define ERR_MAX 1024
#define WHERE_MAX 256
#define POLL_MS 100

/* ---- pointer files ---- */

int clm_obj_pointer_format(const struct clm_obj_ref *ref, struct clm_strbuf *out)
{
	return clm_strbuf_addf(out, "%ssha256 %s\nsize %llu\n", CLM_OBJ_POINTER_HEADER, ref->sha256,
			       (unsigned long long)ref->size);
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int clm_obj_pointer_parse(const void *data, size_t len, struct clm_obj_ref *out)
{
	const size_t hlen = sizeof(CLM_OBJ_POINTER_HEADER) - 1;
	char text[POINTER_MAX + 1];
	const char *p, *end;
	uint64_t size = 0;

	if (len < hlen || memcmp(data, CLM_OBJ_POINTER_HEADER, hlen))
		return CLM_ENOTFOUND;
	if (len > POINTER_MAX)
		return clm_error_set(CLM_EINVALID, "object pointer longer than %d bytes", POINTER_MAX);
	memcpy(text, data, len);
	text[len] = '\0';
	p = text + hlen;
	if (strncmp(p, "sha256 ", 7) || strlen(p + 7) < 65 || !is_hex64(p + 7) || p[71] != '\n')
		return clm_error_set(CLM_EINVALID, "object pointer: bad sha256 line");
	memcpy(out->sha256, p + 7, 64);
	out->sha256[64] = '\0';
	p += 72;
	end = text + len;
	if (strncmp(p, "size ", 5))
		return clm_error_set(CLM_EINVALID, "object pointer: no size line");
	p += 5;
	if (p >= end || *p < '0' || *p > '9' || (*p == '0' && p[1] != '\n'))
		return clm_error_set(CLM_EINVALID, "object pointer: bad size");
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (size > (UINT64_MAX - 9) / 10)
			return clm_error_set(CLM_EINVALID, "object pointer: size too large");
		size = size * 10 + (uint64_t)(*p - '0');
	}
	if (p + 1 != end || *p != '\n')
		return clm_error_set(CLM_EINVALID, "object pointer: trailing bytes after the size");
	out->size = size;
	return 0;
}

/* ---- the cache ---- */

static int object_path(const struct clm_objstore *os, const char *sha, const char *suffix, struct clm_strbuf *out)
{
	clm_strbuf_reset(out);
	return clm_strbuf_addf(out, "%s/%s%s", os->cache_dir, sha, suffix);
}

/* sha256 and size of the file at `path`; CLM_ENOTFOUND when it does not exist. */
static int hash_file(const char *path, char hex[65], uint64_t *size)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[1 << 16], digest[32];
	struct clm_sha256 c;
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return errno == ENOENT ? CLM_ENOTFOUND : clm_error_set(CLM_EIO, "%s: %s", path, strerror(errno));
	clm_sha256_init(&c);
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		clm_sha256_update(&c, buf, n);
		*size += n;
	}
	if (ferror(fp)) {
		fclose(fp);
		return clm_error_set(CLM_EIO, "%s: read failed", path);
	}
	fclose(fp);
	clm_sha256_final(&c, digest);
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* 1 when the file at `path` holds exactly `ref`, 0 when it does not exist or differs. */
static int file_matches(const char *path, const struct clm_obj_ref *ref, int *rc)
{
	char hex[65];
	uint64_t size;

	*rc = hash_file(path, hex, &size);
	if (*rc == CLM_ENOTFOUND) {
		*rc = 0;
		return 0;
	}
	return *rc == 0 && size == ref->size && !strcmp(hex, ref->sha256);
}

int clm_objstore_cache_put(const struct clm_objstore *os, const void *data, size_t len, struct clm_obj_ref *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc;

	clm_sha256_hex(data, len, out->sha256);
	out->size = len;
	rc = clm_mkdir_p(os->cache_dir, 0755);
	if (!rc)
		rc = object_path(os, out->sha256, "", &path);
	if (!rc && !clm_path_exists(path.buf))
		rc = clm_write_file_atomic(path.buf, data, len);
	clm_strbuf_release(&path);
	return rc;
}

int clm_objstore_cache_read(const struct clm_objstore *os, const struct clm_obj_ref *ref, void **data)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, bytes = CLM_STRBUF_INIT;
	char hex[65];
	size_t len;
	int rc = object_path(os, ref->sha256, "", &path);

	*data = NULL;
	if (!rc)
		rc = clm_read_file(path.buf, 0, &bytes);
	if (rc == CLM_ENOTFOUND)
		rc = clm_error_set(CLM_ENOTFOUND, "object %.12s is not in the local cache (git clmodel fetch gets it)",
				   ref->sha256);
	if (!rc) {
		clm_sha256_hex(bytes.buf, bytes.len, hex);
		if (bytes.len != ref->size || strcmp(hex, ref->sha256)) {
			unlink(path.buf);
			rc = clm_error_set(CLM_EINVALID, "cached object %.12s fails its sha256 check; it was removed "
					   "(git clmodel fetch gets it again)", ref->sha256);
		}
	}
	if (!rc)
		*data = clm_strbuf_detach(&bytes, &len);
	clm_strbuf_release(&bytes);
	clm_strbuf_release(&path);
	return rc;
}

/* ---- transfers ---- */

enum xfer_state { X_PENDING, X_RUNNING, X_DONE, X_FAILED };
enum xfer_phase { P_HEAD, P_PUT, P_GET };

struct xfer {
	const struct clm_obj_ref *ref;
	enum xfer_state state;
	enum xfer_phase phase;
	CURL *h;
	FILE *fp;
	struct curl_slist *headers;
	char url[1024];
	struct clm_strbuf path; /* cache file, or the partial download */
	int attempt;
	double not_before;
	uint64_t resume_from;   /* bytes of the partial file when the GET started */
	uint64_t received;      /* bytes written by this GET */
	char detail[128];       /* why the write callback stopped the transfer */
	char err[ERR_MAX];
};

struct run {
	const struct clm_objstore *os;
	struct clm_objstore_stats *st;
};

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	(void)ptr, (void)userdata;
	return size * nmemb;
}

static size_t write_part(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200 && status != 206)
		return n; /* an error page: not object bytes */
	if (x->resume_from + x->received + n > x->ref->size) {
		snprintf(x->detail, sizeof(x->detail), "sends more than the %llu bytes the object has",
			 (unsigned long long)x->ref->size);
		return 0;
	}
	if (fwrite(ptr, 1, n, x->fp) != n)
		return 0;
	x->received += n;
	return n;
}

static int set_url(struct xfer *x, const struct clm_objstore *os)
{
	size_t len = strlen(os->url);

	while (len > 0 && os->url[len - 1] == '/')
		len--;
	if ((size_t)snprintf(x->url, sizeof(x->url), "%.*s/%s", (int)len, os->url, x->ref->sha256) >= sizeof(x->url))
		return clm_error_set(CLM_EINVALID, "object store URL too long");
	return 0;
}

/* Prepare the easy handle for the transfer's current phase. */
static int start_xfer(struct xfer *x, const struct clm_objstore *os)
{
	struct stat st;
	int rc;

	curl_easy_reset(x->h);
	x->received = 0;
	if ((rc = clm_http_setup(x->h, x->url, &os->http)) < 0)
		return rc;
	curl_easy_setopt(x->h, CURLOPT_PRIVATE, x);
	switch (x->phase) {
	case P_HEAD:
		curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
		break;
	case P_PUT:
		x->fp = fopen(x->path.buf, "rb");
		if (!x->fp)
			return clm_error_set(CLM_EIO, "%s: %s", x->path.buf, strerror(errno));
		curl_slist_free_all(x->headers);
		x->headers = curl_slist_append(NULL, "Expect:");
		curl_easy_setopt(x->h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(x->h, CURLOPT_READDATA, x->fp);
		curl_easy_setopt(x->h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->ref->size);
		curl_easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers);
		curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, discard_body);
		if (os->max_send_speed > 0)
			curl_easy_setopt(x->h, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)os->max_send_speed);
		break;
	case P_GET:
		x->fp = fopen(x->path.buf, "ab");
		if (!x->fp)
			return clm_error_set(CLM_EIO, "%s: %s", x->path.buf, strerror(errno));
		x->resume_from = fstat(fileno(x->fp), &st) == 0 ? (uint64_t)st.st_size : 0;
		curl_easy_setopt(x->h, CURLOPT_WRITEFUNCTION, write_part);
		curl_easy_setopt(x->h, CURLOPT_WRITEDATA, x);
		if (x->resume_from > 0)
			curl_easy_setopt(x->h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)x->resume_from);
		break;
	}
	return 0;
}

static void close_file(struct xfer *x)
{
	if (x->fp)
		fclose(x->fp);
	x->fp = NULL;
}

static void fail_xfer(struct xfer *x, const char *msg)
{
	snprintf(x->err, sizeof(x->err), "%s", msg);
	x->state = X_FAILED;
}

/* A finished GET: the partial file must now be the object; verify and move it into place. */
static void finish_download(struct xfer *x, struct run *r)
{
	struct clm_strbuf final = CLM_STRBUF_INIT;
	char where[WHERE_MAX];
	int rc;

	clm_http_redact_url(x->url, where, sizeof(where));
	if (!file_matches(x->path.buf, x->ref, &rc)) {
		unlink(x->path.buf);
		fail_xfer(x, rc ? clm_error() : "");
		if (!rc)
			snprintf(x->err, sizeof(x->err), "%s: object fails its sha256 check (corrupted on the server); "
				 "nothing was kept", where);
		return;
	}
	object_path(r->os, x->ref->sha256, "", &final);
	if (rename(x->path.buf, final.buf) < 0) {
		snprintf(x->err, sizeof(x->err), "%s: %s", final.buf, strerror(errno));
		x->state = X_FAILED;
	} else {
		x->state = X_DONE;
		if (r->st) {
			r->st->downloaded++;
			r->st->bytes_down += x->received;
			r->st->resumed += x->resume_from > 0;
		}
	}
	clm_strbuf_release(&final);
}

/* Decide what a finished attempt means: done, the next phase, a retry later, or failure. */
static void after_attempt(struct xfer *x, CURLcode cc, struct run *r)
{
	const struct clm_objstore *os = r->os;
	long status = 0;
	curl_off_t retry_after = 0, length = -1;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	close_file(x);
	if (cc == CURLE_OK && x->phase == P_HEAD && status == 200) {
		curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
		if (length == (curl_off_t)x->ref->size) {
			x->state = X_DONE;
			if (r->st)
				r->st->present++;
			return;
		}
		status = 404; /* a partial or different object: replace it */
	}
	if (cc == CURLE_OK && x->phase == P_HEAD && status == 404) {
		x->phase = P_PUT;
		x->state = X_PENDING;
		return;
	}
	if (cc == CURLE_OK && x->phase == P_PUT && status >= 200 && status <= 299) {
		x->state = X_DONE;
		if (r->st) {
			r->st->uploaded++;
			r->st->bytes_up += x->ref->size;
		}
		return;
	}
	if (x->phase == P_GET && cc == CURLE_OK && (status == 200 || status == 206)) {
		finish_download(x, r);
		return;
	}
	if (x->phase == P_GET && cc == CURLE_RANGE_ERROR && x->resume_from > 0) {
		/* the server cannot resume: start the download over */
		unlink(x->path.buf);
		x->state = X_PENDING;
		return;
	}
	if (x->phase == P_GET && cc == CURLE_OK && status == 416) {
		/* the partial file is already whole (or longer than the object): check it */
		finish_download(x, r);
		return;
	}
	if (x->detail[0] && cc == CURLE_WRITE_ERROR) {
		char where[WHERE_MAX];
		clm_http_redact_url(x->url, where, sizeof(where));
		if (x->phase == P_GET)
			unlink(x->path.buf);
		snprintf(x->err, sizeof(x->err), "%s: %s", where, x->detail);
		x->state = X_FAILED;
		return;
	}
	clm_http_fail(x->url, x->h, cc, status, NULL, &os->http);
	if (x->phase == P_GET && x->resume_from == 0 && x->received == 0)
		unlink(x->path.buf); /* no empty partial files left behind */
	if (clm_http_retryable(cc, status) && x->attempt <= os->http.max_retries) {
		curl_easy_getinfo(x->h, CURLINFO_RETRY_AFTER, &retry_after);
		long wait_ms = clm_http_backoff_ms(&os->http, x->attempt, retry_after > 0 ? (long)retry_after : -1);
		x->not_before = clm_now() + wait_ms / 1000.0;
		x->attempt++;
		x->state = X_PENDING;
		return;
	}
	fail_xfer(x, clm_error());
}

/* Run every transfer to its end, `parallel` at a time. */
static int run_all(struct xfer *xs, size_t n, struct run *r)
{
	int parallel = r->os->parallel > 0 ? r->os->parallel : DEFAULT_PARALLEL;
	CURLM *m = curl_multi_init();
	size_t open = n, failed = 0, first_failed = 0;
	int active = 0;

	if (!m)
		return clm_error_set(CLM_EGENERIC, "cannot start libcurl");
	for (size_t i = 0; i < n; i++)
		if (xs[i].state != X_PENDING)
			open--;
	while (open > 0) {
		int running = 0;
		CURLMsg *msg;
		int left;
		double now = clm_now();

		for (size_t i = 0; i < n && active < parallel; i++) {
			if (xs[i].state != X_PENDING || xs[i].not_before > now)
				continue;
			if (start_xfer(&xs[i], r->os) < 0) {
				fail_xfer(&xs[i], clm_error());
				close_file(&xs[i]);
				open--;
				continue;
			}
			xs[i].state = X_RUNNING;
			curl_multi_add_handle(m, xs[i].h);
			active++;
		}
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct xfer *x = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			curl_multi_remove_handle(m, x->h);
			active--;
			after_attempt(x, msg->data.result, r);
			if (x->state == X_DONE || x->state == X_FAILED)
				open--;
		}
		if (open > 0)
			curl_multi_poll(m, NULL, 0, POLL_MS, NULL);
	}
	curl_multi_cleanup(m);
	for (size_t i = 0; i < n; i++)
		if (xs[i].state == X_FAILED && failed++ == 0)
			first_failed = i;
	if (!failed)
		return 0;
	if (failed == 1)
		return clm_error_set(CLM_EIO, "%s", xs[first_failed].err);
	return clm_error_set(CLM_EIO, "%s (and %zu more transfers failed)", xs[first_failed].err, failed - 1);
}

static void release_xfers(struct xfer *xs, size_t n)
{
	for (size_t i = 0; xs && i < n; i++) {
		close_file(&xs[i]);
		if (xs[i].h)
			curl_easy_cleanup(xs[i].h);
		curl_slist_free_all(xs[i].headers);
		clm_strbuf_release(&xs[i].path);
	}
	free(xs);
}

static struct xfer *new_xfers(const struct clm_objstore *os, const struct clm_obj_ref *refs, size_t n, int *rc)
{
	struct xfer *xs = calloc(n ? n : 1, sizeof(*xs));

	*rc = xs ? 0 : clm_error_oom();
	for (size_t i = 0; i < n && !*rc; i++) {
		xs[i].ref = &refs[i];
		xs[i].attempt = 1;
		clm_strbuf_init(&xs[i].path);
		if (!(xs[i].h = curl_easy_init()))
			*rc = clm_error_set(CLM_EGENERIC, "cannot start libcurl");
		if (!*rc)
			*rc = set_url(&xs[i], os);
	}
	if (*rc < 0) {
		release_xfers(xs, n);
		return NULL;
	}
	return xs;
}

static int check_config(const struct clm_objstore *os)
{
	if (!os->url || !*os->url)
		return clm_error_set(CLM_EINVALID, "no object store configured (git config clmodel.store.url <url>)");
	if (!os->cache_dir)
		return clm_error_set(CLM_EINVALID, "no object cache directory");
	return 0;
}

int clm_objstore_upload(const struct clm_objstore *os, const struct clm_obj_ref *refs, size_t n,
			struct clm_objstore_stats *st)
{
	struct run r = { os, st };
	struct xfer *xs;
	int rc = check_config(os);

	if (rc < 0)
		return rc;
	xs = new_xfers(os, refs, n, &rc);
	for (size_t i = 0; i < n && !rc; i++) {
		/* never send bytes that are not what the pointer promises */
		if ((rc = object_path(os, refs[i].sha256, "", &xs[i].path)) < 0)
			break;
		if (!file_matches(xs[i].path.buf, &refs[i], &rc) && !rc)
			rc = clm_error_set(CLM_EINVALID, "object %.12s is missing from the local cache or corrupted; "
					   "cannot upload it", refs[i].sha256);
		xs[i].phase = P_HEAD;
	}
	if (!rc)
		rc = run_all(xs, n, &r);
	if (xs)
		release_xfers(xs, n);
	return rc;
}

int clm_objstore_fetch(const struct clm_objstore *os, const struct clm_obj_ref *refs, size_t n,
		       struct clm_objstore_stats *st)
{
	struct clm_strbuf final = CLM_STRBUF_INIT;
	struct run r = { os, st };
	struct xfer *xs;
	int rc = check_config(os);

	if (!rc)
		rc = clm_mkdir_p(os->cache_dir, 0755);
	if (rc < 0)
		return rc;
	xs = new_xfers(os, refs, n, &rc);
	for (size_t i = 0; i < n && !rc; i++) {
		xs[i].phase = P_GET;
		if ((rc = object_path(os, refs[i].sha256, "", &final)) < 0)
			break;
		if (file_matches(final.buf, &refs[i], &rc)) {
			xs[i].state = X_DONE;
			if (st)
				st->present++;
		} else if (!rc) {
			unlink(final.buf); /* a corrupted cached copy */
			rc = object_path(os, refs[i].sha256, ".part", &xs[i].path);
		}
	}
	if (!rc)
		rc = run_all(xs, n, &r);
	if (xs)
		release_xfers(xs, n);
	clm_strbuf_release(&final);
	return rc;
}
