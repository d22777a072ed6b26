#include "suggest/check.h"
#include "parsers/languages.h"
#include "util/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNIT 16
#define MIN_SPAN 8

/* A token: offset and length in the text. */
struct tok {
	size_t at, len;
};

/* Words (runs of letters and digits) and single other characters; whitespace is skipped. */
static int tokenize(const char *s, struct tok **out, size_t *n)
{
	size_t cap = 64, len = strlen(s);

	*n = 0;
	*out = malloc(cap * sizeof(**out));
	if (!*out)
		return clm_error_oom();
	for (size_t i = 0; i < len;) {
		size_t j = i + 1;
		if (isspace((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (isalnum((unsigned char)s[i]))
			while (j < len && isalnum((unsigned char)s[j]))
				j++;
		if (*n == cap) {
			struct tok *g = realloc(*out, (cap *= 2) * sizeof(*g));
			if (!g)
				return clm_error_oom();
			*out = g;
		}
		(*out)[(*n)++] = (struct tok){ i, j - i };
		i = j;
	}
	return 0;
}

static int same_tok(const char *s, const struct tok *a, const struct tok *b)
{
	return a->len == b->len && !memcmp(s + a->at, s + b->at, a->len);
}

/* Do tokens [a, a+k) equal [b, b+k)? */
static int same_unit(const char *s, const struct tok *t, size_t a, size_t b, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (!same_tok(s, &t[a + i], &t[b + i]))
			return 0;
	return 1;
}

size_t clm_repetition_run(const char *text)
{
	struct tok *t = NULL;
	size_t n = 0, best = 1;

	if (tokenize(text, &t, &n) < 0) {
		free(t);
		return 1;
	}
	for (size_t k = 1; k <= MAX_UNIT; k++)
		for (size_t i = 0; i + 2 * k <= n;) {
			size_t c = 1;
			while (i + (c + 1) * k <= n && same_unit(text, t, i, i + c * k, k))
				c++;
			if (c * k >= MIN_SPAN && c > best)
				best = c;
			i += c > 1 ? (c - 1) * k + 1 : 1;
		}
	free(t);
	return best;
}

/* Does `text` parse in `lang` without an ERROR or MISSING node? 1 yes, 0 no, negative on error. */
static int parses(const struct clm_language *lang, const char *text, size_t len)
{
	TSParser *parser = NULL;
	TSTree *tree;
	int rc = clm_language_parser(lang, &parser);

	if (rc < 0)
		return rc;
	tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
	rc = tree ? !ts_node_has_error(ts_tree_root_node(tree)) : clm_error_oom();
	if (tree)
		ts_tree_delete(tree);
	ts_parser_delete(parser);
	return rc;
}

/* The text as it would be with the suggestion: the file with the function's lines replaced, the
 * rewritten snippet, or the source continued. */
static int text_after(const struct clm_suggest_input *in, const char *out, struct clm_strbuf *sb)
{
	size_t from = 0, to = in->file_len;
	unsigned line = 1;

	if (in->kind != CLM_KIND_REFINE)
		return clm_strbuf_addf(sb, "%s%s", in->source, out);
	if (!in->file)
		return clm_strbuf_addstr(sb, out);
	for (size_t i = 0; i < in->file_len; i++)
		if (in->file[i] == '\n') {
			line++;
			if (line == in->first_line)
				from = i + 1;
			if (line == in->last_line + 1) {
				to = i + 1;
				break;
			}
		}
	if (clm_strbuf_add(sb, in->file, from) < 0 || clm_strbuf_addstr(sb, out) < 0 ||
	    (out[0] && out[strlen(out) - 1] != '\n' && clm_strbuf_addch(sb, '\n') < 0))
		return CLM_ENOMEM;
	return clm_strbuf_add(sb, in->file + to, in->file_len - to);
}

/* `s` without leading and trailing whitespace: its start and length. */
static size_t trimmed(const char *s, const char **start)
{
	size_t len = strlen(s);

	while (len && isspace((unsigned char)*s))
		s++, len--;
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	*start = s;
	return len;
}

int clm_suggest_check(const struct clm_suggest_input *in, const char *out, struct clm_strbuf *why)
{
	const struct clm_language *lang = in->lang && *in->lang ? clm_language_by_name(in->lang) : NULL;
	struct clm_strbuf after = CLM_STRBUF_INIT;
	const char *a, *b;
	size_t na = trimmed(out, &a), nb = trimmed(in->source, &b), run = clm_repetition_run(out);
	int rc;

	if (!na)
		return clm_strbuf_addstr(why, "the model suggests nothing") < 0 ? CLM_ENOMEM : 0;
	if (in->kind == CLM_KIND_REFINE && na == nb && !memcmp(a, b, na))
		return clm_strbuf_addstr(why, "the model suggests no change") < 0 ? CLM_ENOMEM : 0;
	if (run > 3 && run > clm_repetition_run(in->source))
		return clm_strbuf_addf(why, "the suggestion is degenerate: the same text %zu times in a row", run) < 0
			       ? CLM_ENOMEM : 0;
	if (!lang)
		return 1;
	/* Judge the parse only where the text without the suggestion parses. */
	rc = in->file ? parses(lang, in->file, in->file_len) : parses(lang, in->source, strlen(in->source));
	if (rc == 1 && (rc = text_after(in, out, &after)) == 0) {
		rc = parses(lang, after.buf, after.len);
		if (rc == 0 && clm_strbuf_addf(why, "the suggestion does not parse as %s", lang->name) < 0)
			rc = CLM_ENOMEM;
	} else if (rc == 0) {
		rc = 1;
	}
	clm_strbuf_release(&after);
	return rc;
}
