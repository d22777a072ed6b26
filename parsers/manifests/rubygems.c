/* RubyGems: Gemfile `gem` lines with their group blocks and options, and *.gemspec
 * add_dependency / add_runtime_dependency / add_development_dependency calls. */
#include "parsers/manifests/common.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 64
#define MAX_ARGS 16

/* One argument of a call: a string, a :symbol, or key: value / :key => value. */
struct ruby_arg {
	struct clm_span key;   /* empty for positional arguments */
	struct clm_span value; /* string contents, symbol name or the raw text */
	int is_string;
};

static int rubygems_matches(const char *path)
{
	const char *base = clm_path_basename(path);

	return !strcmp(base, "Gemfile") || !strcmp(base, "gems.rb") ||
	       (clm_has_suffix(base, ".gemspec") && strcmp(base, ".gemspec"));
}

/* The dependency group for a Bundler group symbol (the first one of an array): "dev" for
 * development, else the name itself, copied to `buf`; NULL when there is no name. */
static const char *group_name(struct clm_span sym, char *buf, size_t size)
{
	while (sym.n && (strchr("[(:", sym.p[0]) || isspace((unsigned char)sym.p[0]))) {
		sym.p++;
		sym.n--;
	}
	for (size_t i = 0; i < sym.n; i++)
		if (!isalnum((unsigned char)sym.p[i]) && sym.p[i] != '_') {
			sym.n = i;
			break;
		}
	if (!sym.n)
		return NULL;
	if (clm_span_eq(sym, "development"))
		return "dev";
	if (sym.n >= size)
		sym.n = size - 1;
	memcpy(buf, sym.p, sym.n);
	buf[sym.n] = '\0';
	return buf;
}

/* The line without a trailing # comment (a # inside a string does not count). */
static int strip_comment(const char *path, size_t lineno, struct clm_span *line)
{
	char quote = 0;

	for (size_t i = 0; i < line->n; i++) {
		char c = line->p[i];
		if (quote) {
			if (c == '\\')
				i++;
			else if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '#') {
			line->n = i;
			break;
		}
	}
	if (quote)
		return clm_manifest_reject(path, lineno, "unterminated string");
	*line = clm_span_trim(*line);
	return 0;
}

/* Split "a, 'b', key: :c, :k => 'v'" (optionally in parentheses) into arguments. */
static size_t split_args(struct clm_span s, struct ruby_arg *args)
{
	size_t n = 0, i = 0;

	if (s.n && s.p[0] == '(') {
		s.p++;
		s.n--;
		if (s.n && s.p[s.n - 1] == ')')
			s.n--;
	}
	while (i < s.n && n < MAX_ARGS) {
		struct ruby_arg *a = &args[n];
		size_t start, depth = 0;
		char quote = 0;

		while (i < s.n && isspace((unsigned char)s.p[i]))
			i++;
		start = i;
		for (; i < s.n; i++) {
			char c = s.p[i];
			if (quote) {
				if (c == '\\')
					i++;
				else if (c == quote)
					quote = 0;
			} else if (c == '"' || c == '\'') {
				quote = c;
			} else if (c == '[' || c == '{' || c == '(') {
				depth++;
			} else if ((c == ']' || c == '}' || c == ')') && depth) {
				depth--;
			} else if (c == ',' && !depth) {
				break;
			}
		}
		struct clm_span raw = { s.p + start, (i < s.n ? i : s.n) - start };
		const char *arrow, *colon;
		raw = clm_span_trim(raw);
		i++;
		memset(a, 0, sizeof(*a));
		if (!raw.n)
			continue;
		arrow = raw.p[0] == ':' ? memmem(raw.p, raw.n, "=>", 2) : NULL;
		colon = raw.p[0] != '"' && raw.p[0] != '\'' && raw.p[0] != ':' ?
				memchr(raw.p, ':', raw.n) : NULL;
		if (arrow) {
			a->key.p = raw.p + 1;
			a->key.n = (size_t)(arrow - raw.p - 1);
			a->key = clm_span_trim(a->key);
			raw.n = (size_t)(raw.p + raw.n - (arrow + 2));
			raw.p = arrow + 2;
		} else if (colon && colon + 1 < raw.p + raw.n && isspace((unsigned char)colon[1])) {
			a->key.p = raw.p;
			a->key.n = (size_t)(colon - raw.p);
			raw.n -= (size_t)(colon + 1 - raw.p);
			raw.p = colon + 1;
		}
		raw = clm_span_trim(raw);
		if (raw.n >= 2 && (raw.p[0] == '"' || raw.p[0] == '\'') && raw.p[raw.n - 1] == raw.p[0]) {
			a->value.p = raw.p + 1;
			a->value.n = raw.n - 2;
			a->is_string = 1;
		} else if (raw.n && raw.p[0] == ':') {
			a->value.p = raw.p + 1;
			a->value.n = raw.n - 1;
		} else {
			a->value = raw;
		}
		n++;
	}
	return n;
}

/* gem 'name', 'req', ..., group: :test */
static int add_gem(const char *path, size_t lineno, struct clm_span argtext, const char *group,
		   struct clm_dep_list *out)
{
	struct ruby_arg args[MAX_ARGS];
	char option_group[64];
	struct clm_strbuf spec = CLM_STRBUF_INIT;
	size_t n = split_args(argtext, args);
	char *name;
	int rc;

	if (!n || !args[0].is_string || args[0].key.n || !args[0].value.n)
		return clm_manifest_reject(path, lineno, "gem needs a quoted name");
	for (size_t i = 1; i < n; i++) {
		const char *g;
		if (args[i].is_string && !args[i].key.n) {
			if (spec.len)
				clm_strbuf_addstr(&spec, ", ");
			clm_strbuf_add(&spec, args[i].value.p, args[i].value.n);
		} else if ((clm_span_eq(args[i].key, "group") || clm_span_eq(args[i].key, "groups")) &&
			   (g = group_name(args[i].value, option_group, sizeof(option_group)))) {
			group = g;
		}
	}
	name = strndup(args[0].value.p, args[0].value.n);
	rc = name ? clm_manifest_add_str(out, name, spec.buf, group) : clm_error_oom();
	free(name);
	clm_strbuf_release(&spec);
	return rc;
}

static int starts_word(struct clm_span line, const char *word, struct clm_span *rest)
{
	size_t n = strlen(word);

	if (line.n < n || memcmp(line.p, word, n) ||
	    (line.n > n && !isspace((unsigned char)line.p[n]) && line.p[n] != '('))
		return 0;
	rest->p = line.p + n;
	rest->n = line.n - n;
	*rest = clm_span_trim(*rest);
	return 1;
}

/* A line that opens a block closed by `end`. */
static int opens_block(struct clm_span line)
{
	static const char *const openers[] = { "if", "unless", "case", "while", "until", "begin",
					       "def", "class", "module", NULL };
	struct clm_span rest;

	/* a block opened and closed on one line ("if x then y end") leaves nothing open */
	if (line.n > 4 && !memcmp(line.p + line.n - 4, " end", 4))
		return 0;
	for (const char *const *o = openers; *o; o++)
		if (starts_word(line, *o, &rest))
			return 1;
	if (line.n >= 2 && !memcmp(line.p + line.n - 2, "do", 2) &&
	    (line.n == 2 || !isalnum((unsigned char)line.p[line.n - 3])))
		return 1;
	return memmem(line.p, line.n, " do |", 5) != NULL;
}

/* The gemspec call on this line: spec.add_dependency and friends; NULL if none. */
static const char *gemspec_call(struct clm_span line, struct clm_span *rest)
{
	static const struct { const char *call, *group; } calls[] = {
		{ "add_development_dependency", "dev" },
		{ "add_runtime_dependency", "runtime" },
		{ "add_dependency", "runtime" },
	};
	const char *dot = memchr(line.p, '.', line.n);
	struct clm_span after;

	if (!dot)
		return NULL;
	after.p = dot + 1;
	after.n = (size_t)(line.p + line.n - after.p);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (starts_word(after, calls[i].call, rest))
			return calls[i].group;
	return NULL;
}

static int rubygems_parse(const char *path, const char *data, size_t len,
			  clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	const char *groups[MAX_NESTING];
	char group_names[MAX_NESTING][64];
	size_t open_line[MAX_NESTING];
	int depth = 0, rc;
	struct clm_lines it;
	struct clm_span line, rest;

	(void)read;
	(void)read_ctx;
	if ((rc = clm_manifest_check_text(path, data, len)) < 0)
		return rc;
	clm_lines_init(&it, data, len);
	while (!rc && clm_lines_next(&it, &line)) {
		const char *group = depth ? groups[depth - 1] : "runtime", *g;

		if ((rc = strip_comment(path, it.lineno, &line)) < 0 || !line.n)
			continue;
		if (clm_span_eq(line, "end") || (line.n > 3 && !memcmp(line.p, "end", 3) &&
						  !isalnum((unsigned char)line.p[3]) && line.p[3] != '_')) {
			if (!depth)
				rc = clm_manifest_reject(path, it.lineno, "'end' without a block");
			else
				depth--;
			continue;
		}
		if (starts_word(line, "gem", &rest))
			rc = add_gem(path, it.lineno, rest, group, out);
		else if ((g = gemspec_call(line, &rest)))
			rc = add_gem(path, it.lineno, rest, g, out);
		if (rc || !opens_block(line))
			continue;
		if (depth == MAX_NESTING) {
			rc = clm_manifest_reject(path, it.lineno, "blocks nested too deeply");
			break;
		}
		if (starts_word(line, "group", &rest) &&
		    (g = group_name(rest, group_names[depth], sizeof(group_names[depth]))))
			group = g;
		groups[depth] = group;
		open_line[depth++] = it.lineno;
	}
	if (!rc && depth)
		rc = clm_manifest_reject(path, open_line[depth - 1], "block is not closed with 'end'");
	return rc;
}

const struct clm_manifest_parser clm_manifest_rubygems = { "rubygems", rubygems_matches,
							    rubygems_parse };
