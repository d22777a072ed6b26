#include "util/udiff.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define CONTEXT_LINES 3u

/* Offsets of the line starts of `text`: starts[i] is line i+1; starts[n] == len. Caller frees. */
static size_t *line_starts(const char *text, size_t len, unsigned *nlines)
{
	size_t cap = 64, n = 0, *v = malloc(cap * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < len; n++) {
		const char *nl = memchr(text + i, '\n', len - i);
		if (n + 2 > cap) {
			size_t *p = realloc(v, (cap *= 2) * sizeof(*v));
			if (!p) {
				free(v);
				return NULL;
			}
			v = p;
		}
		v[n] = i;
		i = nl ? (size_t)(nl - text) + 1 : len;
	}
	v[n] = len;
	*nlines = (unsigned)n;
	return v;
}

/* Append lines [from, to) of text with `mark` before each; a last line without newline gets the
 * marker git uses. */
static void add_lines(struct clm_strbuf *out, const char *text, const size_t *starts, unsigned from, unsigned to,
		      char mark)
{
	for (unsigned i = from; i < to; i++) {
		size_t a = starts[i], b = starts[i + 1];
		clm_strbuf_addch(out, mark);
		clm_strbuf_add(out, text + a, b - a);
		if (b == a || text[b - 1] != '\n')
			clm_strbuf_addstr(out, "\n\\ No newline at end of file\n");
	}
}

static void add_replacement(struct clm_strbuf *out, const char *rep, size_t replen)
{
	for (size_t i = 0; i < replen;) {
		const char *nl = memchr(rep + i, '\n', replen - i);
		size_t end = nl ? (size_t)(nl - rep) : replen;
		clm_strbuf_addch(out, '+');
		clm_strbuf_add(out, rep + i, end - i);
		clm_strbuf_addch(out, '\n');
		i = end + 1;
	}
}

static unsigned count_lines(const char *s, size_t len)
{
	unsigned n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n + (len && s[len - 1] != '\n');
}

int clm_udiff_replace_lines(const char *path, const char *text, size_t len, unsigned first_line,
			    unsigned last_line, const char *replacement, struct clm_strbuf *out)
{
	unsigned nlines = 0, ctx_from, ctx_to, new_count;
	size_t replen = strlen(replacement), *starts = line_starts(text, len, &nlines);
	size_t old_from, old_to;

	if (!starts)
		return clm_error_oom();
	if (first_line < 1 || last_line < first_line || last_line > nlines) {
		free(starts);
		return clm_error_set(CLM_EINVALID, "lines %u-%u are outside %s (%u lines)", first_line, last_line, path,
				     nlines);
	}
	old_from = starts[first_line - 1];
	old_to = starts[last_line];
	/* The replacement compares with the old block as whole lines, ignoring one final newline. */
	if (old_to - old_from == replen + (replen && replacement[replen - 1] != '\n') &&
	    !strncmp(text + old_from, replacement, replen)) {
		free(starts);
		return 0;
	}
	ctx_from = first_line - 1 > CONTEXT_LINES ? first_line - 1 - CONTEXT_LINES : 0;
	ctx_to = last_line + CONTEXT_LINES < nlines ? last_line + CONTEXT_LINES : nlines;
	new_count = (first_line - 1 - ctx_from) + count_lines(replacement, replen) + (ctx_to - last_line);
	clm_strbuf_addf(out, "diff --git a/%s b/%s\n--- a/%s\n+++ b/%s\n", path, path, path, path);
	clm_strbuf_addf(out, "@@ -%u,%u +%u,%u @@\n", ctx_from + 1, ctx_to - ctx_from, ctx_from + 1, new_count);
	add_lines(out, text, starts, ctx_from, first_line - 1, ' ');
	add_lines(out, text, starts, first_line - 1, last_line, '-');
	add_replacement(out, replacement, replen);
	add_lines(out, text, starts, last_line, ctx_to, ' ');
	free(starts);
	return 0;
}
