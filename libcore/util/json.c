#include "util/json.h"
#include "util/error.h"

#include <string.h>

json_t *clm_json_parse(const char *data, size_t len, const char *what)
{
	json_error_t err;
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);

	if (!v)
		clm_error_set(CLM_EINVALID, "%s: invalid JSON at line %d column %d: %s", what, err.line,
			      err.column, err.text);
	return v;
}

static int dump_to(const json_t *value, struct clm_strbuf *out, size_t flags)
{
	char *s = json_dumps(value, flags);
	int rc;

	if (!s)
		return clm_error_set(CLM_EINVALID, "cannot serialize JSON value");
	rc = clm_strbuf_addstr(out, s);
	free(s);
	return rc;
}

int clm_json_dump(const json_t *value, struct clm_strbuf *out)
{
	return dump_to(value, out, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int clm_json_dump_pretty(const json_t *value, struct clm_strbuf *out)
{
	int rc = dump_to(value, out, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	return rc < 0 ? rc : clm_strbuf_addch(out, '\n');
}

const char *clm_json_get_string(const json_t *obj, const char *key, const char *what)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_string(v)) {
		clm_error_set(CLM_EINVALID, "%s: field '%s' %s", what, key,
			      v ? "is not a string" : "is missing");
		return NULL;
	}
	return json_string_value(v);
}

int clm_json_get_int(const json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out,
		     const char *what)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	json_int_t n;

	if (!json_is_integer(v))
		return clm_error_set(CLM_EINVALID, "%s: field '%s' %s", what, key,
				     v ? "is not an integer" : "is missing");
	n = json_integer_value(v);
	if (n < min || n > max)
		return clm_error_set(CLM_EINVALID, "%s: field '%s' = %lld is outside [%lld, %lld]", what,
				     key, (long long)n, (long long)min, (long long)max);
	*out = n;
	return 0;
}

int clm_json_get_number(const json_t *obj, const char *key, double *out, const char *what)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_number(v))
		return clm_error_set(CLM_EINVALID, "%s: field '%s' %s", what, key,
				     v ? "is not a number" : "is missing");
	*out = json_number_value(v);
	return 0;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 when it is not one: a bad lead
 * byte, a missing continuation, an overlong form, a surrogate or a code point past U+10FFFF. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
	static const unsigned min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t need = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
		    : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	unsigned cp = need == 1 ? p[0] : p[0] & (0x7f >> need);

	if (!need || n < need)
		return 0;
	if (need == 1)
		return 1;
	for (size_t i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	return cp < min[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : need;
}

json_t *clm_json_string_lossy(const char *s)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	json_t *j;

	while (n) {
		size_t k = utf8_sequence(p, n);
		if (k ? clm_strbuf_add(&sb, p, k) : clm_strbuf_addstr(&sb, "\xef\xbf\xbd")) {
			clm_strbuf_release(&sb);
			return NULL;
		}
		k = k ? k : 1;
		p += k, n -= k;
	}
	j = json_stringn(sb.buf, sb.len);
	clm_strbuf_release(&sb);
	return j;
}
