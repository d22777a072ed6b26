#include "util/jsonl.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

void clm_jsonl_reader_init(struct clm_jsonl_reader *r, FILE *fp, const char *name, size_t max_line)
{
	r->fp = fp;
	r->name = name ? name : "<input>";
	r->max_line = max_line ? max_line : (size_t)64 << 20;
	r->lineno = 0;
	clm_strbuf_init(&r->line);
}

/* Read past the rest of a line (unless `at_end`: its newline was read already). */
static void skip_rest(FILE *fp, int at_end)
{
	int c = at_end ? '\n' : getc(fp);

	while (c != '\n' && c != EOF)
		c = getc(fp);
}

/* Read one line into r->line without its newline; 1 read, 0 at EOF, <0 too long (the whole line
 * is then passed over, so the next call reads the next line). */
static int read_line(struct clm_jsonl_reader *r)
{
	char chunk[8192];
	int got = 0;

	clm_strbuf_reset(&r->line);
	while (fgets(chunk, sizeof(chunk), r->fp)) {
		size_t n = strlen(chunk);
		int end = n && chunk[n - 1] == '\n';
		got = 1;
		if (end)
			n--;
		if (r->line.len + n > r->max_line) {
			skip_rest(r->fp, end);
			return clm_error_set(CLM_EINVALID, "%s:%zu: line longer than %zu bytes", r->name,
					     ++r->lineno, r->max_line);
		}
		if (clm_strbuf_add(&r->line, chunk, n) < 0)
			return CLM_ENOMEM;
		if (end)
			break;
	}
	if (ferror(r->fp))
		return clm_error_set(CLM_EIO, "%s: read error", r->name);
	if (got)
		r->lineno++;
	return got;
}

int clm_jsonl_next(struct clm_jsonl_reader *r, json_t **out)
{
	char what[256];
	int rc;

	*out = NULL;
	for (;;) {
		rc = read_line(r);
		if (rc <= 0)
			return rc;
		clm_strbuf_rtrim(&r->line);
		if (r->line.len)
			break;
	}
	snprintf(what, sizeof(what), "%s:%zu", r->name, r->lineno);
	*out = clm_json_parse(r->line.buf, r->line.len, what);
	if (!*out)
		return CLM_EINVALID;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return clm_error_set(CLM_EINVALID, "%s: expected a JSON object", what);
	}
	return 1;
}

void clm_jsonl_reader_release(struct clm_jsonl_reader *r)
{
	clm_strbuf_release(&r->line);
}

int clm_jsonl_write(FILE *fp, const json_t *obj)
{
	if (json_dumpf(obj, fp, JSON_COMPACT | JSON_SORT_KEYS) < 0 || fputc('\n', fp) == EOF)
		return clm_error_set(CLM_EIO, "cannot write JSON line");
	return 0;
}
