#include "eval/lines.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define CLM_LINES_MAX_BYTES ((size_t)1 << 30)

int clm_lines_split(const char *text, size_t len, struct clm_lines *out)
{
	size_t count = 0, i, start;
	char *buf;
	const char **line;

	for (i = 0; i < len; i++)
		if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n')))
			count++;
	if (len && text[len - 1] != '\n' && text[len - 1] != '\r')
		count++;
	buf = malloc(len + 1);
	line = malloc((count ? count : 1) * sizeof(*line));
	if (!buf || !line) {
		free(buf);
		free(line);
		return clm_error_oom();
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	count = 0;
	for (i = 0, start = 0; i < len; i++) {
		if (buf[i] != '\n' && buf[i] != '\r')
			continue;
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			buf[i++] = '\0';
		buf[i] = '\0';
		line[count++] = buf + start;
		start = i + 1;
	}
	if (start < len)
		line[count++] = buf + start;
	clm_lines_release(out);
	out->buf = buf;
	out->line = line;
	out->n = count;
	return 0;
}

int clm_lines_read(const char *path, struct clm_lines *out)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = clm_read_file(path, CLM_LINES_MAX_BYTES, &sb);

	if (rc == 0)
		rc = clm_lines_split(sb.buf, sb.len, out);
	clm_strbuf_release(&sb);
	return rc;
}

void clm_lines_release(struct clm_lines *l)
{
	free(l->buf);
	free(l->line);
	l->buf = NULL;
	l->line = NULL;
	l->n = 0;
}
