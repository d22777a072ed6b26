/* Version strings across ecosystems: lower bounds of ranges and semver-style classification. */
#include "parsers/manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARTS 6

/* A version token split into numeric parts and the suffix after them ("-rc.1", ".RELEASE"). */
struct version {
	unsigned long long part[MAX_PARTS];
	size_t nparts;
	const char *suffix; /* points into the token; build metadata ("+...") excluded */
	size_t suffix_len;
};

/* Parse `n` bytes as a version; 0 when there is no leading number. Wildcard parts ("x", "*")
 * end the version and drop what follows, so "1.2.x" is 1.2.0. */
static int parse_version(const char *s, size_t n, struct version *v)
{
	size_t i = 0;

	memset(v, 0, sizeof(*v));
	if (n > 1 && (s[0] == 'v' || s[0] == 'V') && isdigit((unsigned char)s[1]))
		i = 1;
	if (i >= n || !isdigit((unsigned char)s[i]))
		return 0;
	while (i < n && v->nparts < MAX_PARTS) {
		unsigned long long x = 0;
		size_t digits = 0;

		if (s[i] == 'x' || s[i] == 'X' || s[i] == '*') {
			v->suffix = s + n;
			return 1;
		}
		while (i < n && isdigit((unsigned char)s[i])) {
			if (digits++ < 18)
				x = x * 10 + (unsigned long long)(s[i] - '0');
			i++;
		}
		if (!digits)
			break;
		v->part[v->nparts++] = x;
		if (i + 1 < n && s[i] == '.' &&
		    (isdigit((unsigned char)s[i + 1]) || strchr("xX*", s[i + 1])))
			i++;
		else
			break;
	}
	v->suffix = s + i;
	while (i < n && s[i] != '+')
		i++;
	v->suffix_len = (size_t)(s + i - v->suffix);
	return 1;
}

static int compare_versions(const struct version *a, const struct version *b)
{
	for (size_t i = 0; i < MAX_PARTS; i++)
		if (a->part[i] != b->part[i])
			return a->part[i] < b->part[i] ? -1 : 1;
	return 0;
}

static void format_version(const struct version *v, char *out, size_t out_size)
{
	size_t nparts = v->nparts < 3 ? 3 : v->nparts, len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < nparts && len < out_size; i++) {
		int w = snprintf(out + len, out_size - len, "%s%llu", i ? "." : "", v->part[i]);
		if (w < 0)
			return;
		len += (size_t)w;
	}
	if (len < out_size)
		snprintf(out + len, out_size - len, "%.*s", (int)v->suffix_len, v->suffix);
}

/* Specs that name a source rather than a version: git URLs, paths, tags, GitHub shorthands. */
static int is_source_spec(const char *s)
{
	static const char *const prefixes[] = { "git", "file:", "link:", "http:", "https:",
						"github:", "portal:", "path:", "@", NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(s, *p, strlen(*p)))
			return 1;
	return strstr(s, "://") != NULL || strchr(s, '/') != NULL;
}

/* Lower bound of one alternative (no "||"): the largest bound any clause imposes from below.
 * Returns 0 when a clause is unbounded below. */
static int alternative_lower(const char *s, size_t n, struct version *best)
{
	size_t i = 0;
	int found = 0, skip_next = 0;

	while (i < n) {
		size_t op, tok;
		struct version v;

		while (i < n && (isspace((unsigned char)s[i]) || s[i] == ',' || s[i] == '(' ||
				 s[i] == ')'))
			i++;
		op = i;
		while (i < n && strchr("<>=!~^", s[i]))
			i++;
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		tok = i;
		while (i < n && !isspace((unsigned char)s[i]) && s[i] != ',' && s[i] != ')')
			i++;
		if (tok == i && op == tok)
			continue;
		if (i - tok == 1 && s[tok] == '-' && op == tok) { /* npm "1.2.3 - 2.0.0" */
			skip_next = 1;
			continue;
		}
		if (skip_next || s[op] == '<' || s[op] == '!') {
			skip_next = 0;
			continue;
		}
		if (!parse_version(s + tok, i - tok, &v))
			continue;
		if (!found || compare_versions(&v, best) > 0)
			*best = v;
		found = 1;
	}
	return found;
}

/* Maven and NuGet intervals: "[1.0,2.0)", "(,1.0]", "[1.5]". */
static int interval_lower(const char *s, struct version *v)
{
	const char *start = s + 1, *stop = start;

	while (*stop && *stop != ',' && *stop != ']' && *stop != ')')
		stop++;
	while (start < stop && isspace((unsigned char)*start))
		start++;
	while (stop > start && isspace((unsigned char)stop[-1]))
		stop--;
	return parse_version(start, (size_t)(stop - start), v);
}

void clm_version_lower_bound(const char *spec, char *out, size_t out_size)
{
	struct version best, v;
	const char *s = spec, *at;
	int found = 0;

	if (!out_size)
		return;
	out[0] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	if (!strncmp(s, "npm:", 4) && (at = strrchr(s + 4, '@')) && at > s + 4)
		s = at + 1; /* npm alias "npm:other@^1.2" */
	else if (!strncmp(s, "workspace:", 10))
		s += 10;
	if (*s == '[' || *s == '(') {
		if (interval_lower(s, &v))
			format_version(&v, out, out_size);
		return;
	}
	if (is_source_spec(s))
		return;
	for (;;) {
		const char *bar = strstr(s, "||");
		size_t n = bar ? (size_t)(bar - s) : strlen(s);

		if (!alternative_lower(s, n, &v))
			return; /* one alternative without a lower bound: the whole range has none */
		if (!found || compare_versions(&v, &best) < 0)
			best = v;
		found = 1;
		if (!bar)
			break;
		s = bar + 2;
	}
	format_version(&best, out, out_size);
}

enum clm_semver_level clm_semver_classify(const char *from, const char *to)
{
	struct version a, b;

	if (!from || !to || !parse_version(from, strlen(from), &a) ||
	    !parse_version(to, strlen(to), &b))
		return CLM_SEMVER_NONE;
	if (a.part[0] != b.part[0])
		return CLM_SEMVER_MAJOR;
	if (a.part[1] != b.part[1])
		return CLM_SEMVER_MINOR;
	if (a.part[2] != b.part[2])
		return CLM_SEMVER_PATCH;
	if (compare_versions(&a, &b) || a.suffix_len != b.suffix_len ||
	    memcmp(a.suffix, b.suffix, a.suffix_len))
		return CLM_SEMVER_OTHER;
	return CLM_SEMVER_NONE;
}

const char *clm_semver_level_name(enum clm_semver_level level)
{
	switch (level) {
	case CLM_SEMVER_MAJOR:
		return "major";
	case CLM_SEMVER_MINOR:
		return "minor";
	case CLM_SEMVER_PATCH:
		return "patch";
	case CLM_SEMVER_OTHER:
		return "other";
	case CLM_SEMVER_NONE:
		break;
	}
	return "";
}
