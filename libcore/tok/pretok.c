#include "tok/pretok.h"
#include "util/error.h"

#include <string.h>

int clm_pretok_init_pattern(struct clm_pretok *p, const char *pattern, size_t len, int literal, int anchored)
{
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
	int err;
	PCRE2_SIZE off;

	memset(p, 0, sizeof(*p));
	if (literal)
		opts |= PCRE2_LITERAL;
	if (anchored)
		opts |= PCRE2_ANCHORED;
	p->re = pcre2_compile((PCRE2_SPTR)pattern, len, opts, &err, &off, NULL);
	if (!p->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return clm_error_set(CLM_EINVALID, "pre-tokenizer pattern: %s at %zu", (char *)msg, (size_t)off);
	}
	/* Without JIT support PCRE2's interpreter still gives the same pieces, only slower. */
	p->jit = pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE) == 0;
	p->anchored = anchored;
	p->match = pcre2_match_data_create_from_pattern(p->re, NULL);
	if (!p->match) {
		pcre2_code_free(p->re);
		p->re = NULL;
		return clm_error_oom();
	}
	return 0;
}

int clm_pretok_init(struct clm_pretok *p)
{
	return clm_pretok_init_pattern(p, CLM_GPT2_PATTERN, strlen(CLM_GPT2_PATTERN), 0, 1);
}

void clm_pretok_release(struct clm_pretok *p)
{
	pcre2_match_data_free(p->match);
	pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

static int run(struct clm_pretok *p, const char *text, size_t len, size_t pos)
{
	return p->jit ? pcre2_jit_match(p->re, (PCRE2_SPTR)text, len, pos, 0, p->match, NULL)
		      : pcre2_match(p->re, (PCRE2_SPTR)text, len, pos, 0, p->match, NULL);
}

int clm_pretok_next(struct clm_pretok *p, const char *text, size_t len, size_t *pos, size_t *start,
		    size_t *n)
{
	PCRE2_SIZE *ov;
	int rc;

	if (*pos >= len)
		return 0;
	rc = run(p, text, len, *pos);
	ov = pcre2_get_ovector_pointer(p->match);
	if (rc < 0 || ov[1] <= ov[0]) {
		/* The pattern matches at every valid character, so the match (anchored, which keeps a
		 * run of bad bytes linear) fails only on a byte that is not valid UTF-8. */
		*start = *pos;
		*n = 1;
		*pos += 1;
		return 1;
	}
	*start = ov[0];
	*n = ov[1] - ov[0];
	*pos = ov[1];
	return 1;
}

int clm_pretok_find(struct clm_pretok *p, const char *text, size_t len, size_t pos, size_t *start, size_t *end)
{
	while (pos < len) {
		PCRE2_SIZE *ov;
		if (run(p, text, len, pos) < 0)
			return 0;
		ov = pcre2_get_ovector_pointer(p->match);
		if (ov[1] > ov[0]) {
			*start = ov[0];
			*end = ov[1];
			return 1;
		}
		/* an empty match: look again from the next character */
		pos = ov[0] + 1;
		while (pos < len && ((unsigned char)text[pos] & 0xc0) == 0x80)
			pos++;
	}
	return 0;
}
