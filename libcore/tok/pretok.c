#include "tok/pretok.h"
#include "util/error.h"

#include <string.h>

int clm_pretok_init(struct clm_pretok *p)
{
	int err;
	PCRE2_SIZE off;

	memset(p, 0, sizeof(*p));
	p->re = pcre2_compile((PCRE2_SPTR)CLM_GPT2_PATTERN, PCRE2_ZERO_TERMINATED,
			      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &err, &off,
			      NULL);
	if (!p->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof(msg));
		return clm_error_set(CLM_EGENERIC, "pre-tokenizer pattern: %s at %zu", (char *)msg, (size_t)off);
	}
	/* Without JIT support PCRE2's interpreter still gives the same pieces, only slower. */
	p->jit = pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE) == 0;
	p->match = pcre2_match_data_create_from_pattern(p->re, NULL);
	if (!p->match) {
		pcre2_code_free(p->re);
		p->re = NULL;
		return clm_error_oom();
	}
	return 0;
}

void clm_pretok_release(struct clm_pretok *p)
{
	pcre2_match_data_free(p->match);
	pcre2_code_free(p->re);
	memset(p, 0, sizeof(*p));
}

int clm_pretok_next(struct clm_pretok *p, const char *text, size_t len, size_t *pos, size_t *start,
		    size_t *n)
{
	PCRE2_SIZE *ov;
	int rc;

	if (*pos >= len)
		return 0;
	rc = p->jit ? pcre2_jit_match(p->re, (PCRE2_SPTR)text, len, *pos, 0, p->match, NULL)
		    : pcre2_match(p->re, (PCRE2_SPTR)text, len, *pos, 0, p->match, NULL);
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
