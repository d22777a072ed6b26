/* What git-clmodel prints on stdout passes through an escaping stream: names, summaries and
 * trailers come from repositories and servers, and a control character in them must not reach a
 * terminal (THREAT-MODEL.md). Messages are escaped where they are made (util/error, util/progress);
 * JSON by jansson; suggest's code on a pipe has its own rule. */
#include "cmd/term_out.h"
#include "util/escape.h"
#include "util/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

struct escaping {
	int fd;
	int held; /* a 0xC2 byte kept back: it may start an encoded C1 control */
};

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t escaping_write(void *cookie, const char *buf, size_t len)
{
	struct escaping *e = cookie;
	struct clm_strbuf in = CLM_STRBUF_INIT, out = CLM_STRBUF_INIT;
	int rc = e->held ? clm_strbuf_addch(&in, (char)0xc2) : 0;

	if (rc == 0)
		rc = clm_strbuf_add(&in, buf, len);
	e->held = rc == 0 && in.len && (unsigned char)in.buf[in.len - 1] == 0xc2;
	if (rc == 0)
		rc = clm_escape_controls(in.buf, in.len - (size_t)e->held, &out);
	if (rc == 0)
		rc = write_all(e->fd, out.buf, out.len);
	clm_strbuf_release(&in);
	clm_strbuf_release(&out);
	return rc < 0 ? -1 : (ssize_t)len;
}

static int escaping_close(void *cookie)
{
	struct escaping *e = cookie;
	int rc = e->held ? write_all(e->fd, "\xc2", 1) : 0;

	e->held = 0;
	return rc;
}

/* Replace `*stream` (writing to `fd`) by an escaping stream; keeps the old one when that fails. */
static void escape_stream(FILE **stream, struct escaping *e, int fd, int mode)
{
	cookie_io_functions_t io = { .write = escaping_write, .close = escaping_close };
	FILE *f;

	fflush(*stream);
	e->fd = fd;
	e->held = 0;
	if (!(f = fopencookie(e, "w", io)))
		return;
	setvbuf(f, NULL, mode, 0);
	*stream = f;
}

void clm_term_out_escape(void)
{
	static struct escaping out;

	escape_stream(&stdout, &out, STDOUT_FILENO, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
}

size_t clm_term_find_control(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (clm_control_at(s + i, len - i))
			return i;
	return len;
}
