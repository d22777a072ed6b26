#include "tok/pipeline.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

/* A new node for `byte`, or 0 when out of memory. */
static uint32_t trie_node(struct clm_tok_trie *tr, unsigned char byte)
{
	size_t at = tr->n ? tr->n : 1; /* node 0 stands for "none" */

	if (at >= UINT32_MAX || CLM_ALLOC_GROW(tr->nodes, at + 1, tr->alloc) < 0)
		return 0;
	tr->n = at;
	tr->nodes[tr->n] = (struct clm_tok_trie_node){ 0, 0, -1, byte, 0 };
	return (uint32_t)tr->n++;
}

int clm_tok_trie_add(struct clm_tok_trie *tr, const void *s, size_t len, int32_t id, int special)
{
	const unsigned char *b = s;
	uint32_t node = tr->first[b[0]];

	if (!node && !(node = tr->first[b[0]] = trie_node(tr, b[0])))
		return clm_error_oom();
	for (size_t i = 1; i < len; i++) {
		uint32_t c = tr->nodes[node].child;
		while (c && tr->nodes[c].byte != b[i])
			c = tr->nodes[c].sibling;
		if (!c) {
			if (!(c = trie_node(tr, b[i])))
				return clm_error_oom();
			tr->nodes[c].sibling = tr->nodes[node].child;
			tr->nodes[node].child = c;
		}
		node = c;
	}
	if (tr->nodes[node].id < 0) {
		tr->nodes[node].id = id;
		tr->nodes[node].special = (unsigned char)(special != 0);
	}
	return 0;
}

int32_t clm_tok_trie_longest(const struct clm_tok_trie *tr, const unsigned char *text, size_t len,
			     int allow_special, size_t *mlen)
{
	int32_t best = -1;
	uint32_t node = len ? tr->first[text[0]] : 0;

	for (size_t i = 0; node;) {
		const struct clm_tok_trie_node *nd = &tr->nodes[node];
		if (nd->id >= 0 && (allow_special || !nd->special)) {
			best = nd->id;
			*mlen = i + 1;
		}
		if (++i == len)
			break;
		for (node = nd->child; node && tr->nodes[node].byte != text[i];)
			node = tr->nodes[node].sibling;
	}
	return best;
}

void clm_tok_trie_release(struct clm_tok_trie *tr)
{
	free(tr->nodes);
	memset(tr, 0, sizeof(*tr));
}

static char *dup_bytes(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		if (len)
			memcpy(d, s, len);
		d[len] = 0;
	}
	return d;
}

int clm_tok_pipeline_add_norm(struct clm_tok_pipeline *p, enum clm_tok_norm_kind kind, const char *from,
			      size_t from_len, const char *to, size_t to_len)
{
	struct clm_tok_norm *n;

	if (CLM_ALLOC_GROW(p->norms, p->n_norms + 1, p->norms_alloc) < 0)
		return CLM_ENOMEM;
	n = &p->norms[p->n_norms];
	n->kind = kind;
	n->from = dup_bytes(from ? from : "", from_len);
	n->to = dup_bytes(to ? to : "", to_len);
	n->from_len = from_len;
	n->to_len = to_len;
	p->n_norms++;
	if (!n->from || !n->to)
		return clm_error_oom();
	return 0;
}

int clm_tok_pipeline_add_split(struct clm_tok_pipeline *p, const char *pattern, size_t len, int literal,
			       int anchored, enum clm_tok_split_behavior behavior)
{
	struct clm_tok_split *s;
	int rc;

	if (CLM_ALLOC_GROW(p->splits, p->n_splits + 1, p->splits_alloc) < 0)
		return CLM_ENOMEM;
	s = &p->splits[p->n_splits];
	if ((rc = clm_pretok_init_pattern(&s->re, pattern, len, literal, anchored)) < 0)
		return rc;
	s->behavior = behavior;
	p->n_splits++;
	return 0;
}

int clm_tok_pipeline_add_template(struct clm_tok_pipeline *p, int suffix, int32_t id)
{
	if (suffix) {
		if (CLM_ALLOC_GROW(p->suffix, p->n_suffix + 1, p->suffix_alloc) < 0)
			return CLM_ENOMEM;
		p->suffix[p->n_suffix++] = id;
	} else {
		if (CLM_ALLOC_GROW(p->prefix, p->n_prefix + 1, p->prefix_alloc) < 0)
			return CLM_ENOMEM;
		p->prefix[p->n_prefix++] = id;
	}
	return 0;
}

size_t clm_utf8_char_len(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

static const UNormalizer2 *icu_normalizer(enum clm_tok_norm_kind kind)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *n = kind == CLM_TOK_NORM_NFC  ? unorm2_getNFCInstance(&err)
				: kind == CLM_TOK_NORM_NFD  ? unorm2_getNFDInstance(&err)
				: kind == CLM_TOK_NORM_NFKC ? unorm2_getNFKCInstance(&err)
							    : unorm2_getNFKDInstance(&err);
	return U_FAILURE(err) ? NULL : n;
}

/* Normalize one run of valid, not all-ASCII UTF-8 through UTF-16. */
static int unicode_run(const UNormalizer2 *norm, const char *s, size_t len, struct clm_strbuf *out)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n16 = 0, m16, n8 = 0;
	UChar *a = NULL, *b = NULL;
	int rc = CLM_ENOMEM;

	if (len > INT32_MAX / 4)
		return clm_error_set(CLM_EINVALID, "text of %zu bytes is too long to normalize", len);
	a = malloc(((size_t)len + 1) * sizeof(UChar));
	b = malloc(((size_t)len * 4 + 16) * sizeof(UChar)); /* NFKD expands at most 18x per unit, rarely */
	if (!a || !b)
		goto cleanup;
	u_strFromUTF8(a, (int32_t)len + 1, &n16, s, (int32_t)len, &err);
	m16 = U_SUCCESS(err) ? unorm2_normalize(norm, a, n16, b, (int32_t)len * 4 + 16, &err) : 0;
	if (err == U_BUFFER_OVERFLOW_ERROR) {
		UChar *big = realloc(b, ((size_t)m16 + 1) * sizeof(UChar));
		if (!big)
			goto cleanup;
		b = big;
		err = U_ZERO_ERROR;
		m16 = unorm2_normalize(norm, a, n16, b, m16 + 1, &err);
	}
	if (U_SUCCESS(err)) {
		u_strToUTF8(NULL, 0, &n8, b, m16, &err);
		if (err == U_BUFFER_OVERFLOW_ERROR)
			err = U_ZERO_ERROR;
	}
	if (U_FAILURE(err)) {
		rc = clm_error_set(CLM_EGENERIC, "unicode normalization failed: %s", u_errorName(err));
		goto cleanup;
	}
	if (clm_strbuf_grow(out, (size_t)n8 + 1) < 0)
		goto cleanup;
	u_strToUTF8(out->buf + out->len, n8 + 1, &n8, b, m16, &err);
	out->len += (size_t)n8;
	out->buf[out->len] = '\0';
	rc = 0;
cleanup:
	free(a);
	free(b);
	return rc == CLM_ENOMEM ? clm_error_oom() : rc;
}

/* Unicode normalization of each maximal run of valid UTF-8; ASCII is always normalized. */
static int unicode_norm(enum clm_tok_norm_kind kind, const char *s, size_t len, struct clm_strbuf *out)
{
	const UNormalizer2 *norm = icu_normalizer(kind);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (!norm)
		return clm_error_set(CLM_EGENERIC, "ICU has no Unicode normalization data");
	while (i < len) {
		size_t start = i, ascii = 1, n;
		while (i < len && (n = clm_utf8_char_len(u + i, len - i)) > 0) {
			ascii &= n == 1;
			i += n;
		}
		if (i > start) {
			int rc = ascii ? clm_strbuf_add(out, s + start, i - start) : unicode_run(norm, s + start, i - start, out);
			if (rc < 0)
				return rc;
		}
		if (i < len && clm_strbuf_addch(out, s[i++]) < 0) /* a byte that is not UTF-8 */
			return CLM_ENOMEM;
	}
	return 0;
}

int clm_tok_replace(const char *s, size_t len, const char *from, size_t from_len, const char *to, size_t to_len,
		    struct clm_strbuf *out)
{
	size_t i = 0;

	while (i < len) {
		const char *hit = memmem(s + i, len - i, from, from_len);
		size_t upto = hit ? (size_t)(hit - s) : len;
		if (clm_strbuf_add(out, s + i, upto - i) < 0 || (hit && clm_strbuf_add(out, to, to_len) < 0))
			return CLM_ENOMEM;
		i = hit ? upto + from_len : len;
	}
	return 0;
}

int clm_tok_pipeline_normalize(const struct clm_tok_pipeline *p, const char *text, size_t len, struct clm_strbuf *out)
{
	struct clm_strbuf tmp = CLM_STRBUF_INIT;
	int rc = 0;

	clm_strbuf_reset(out);
	if (clm_strbuf_add(out, text, len) < 0)
		return CLM_ENOMEM;
	for (size_t i = 0; i < p->n_norms && rc == 0; i++) {
		const struct clm_tok_norm *n = &p->norms[i];
		clm_strbuf_reset(&tmp);
		switch (n->kind) {
		case CLM_TOK_NORM_PREPEND:
			if (out->len && (clm_strbuf_add(&tmp, n->to, n->to_len) < 0 || clm_strbuf_add(&tmp, out->buf, out->len) < 0))
				rc = CLM_ENOMEM;
			else if (!out->len)
				continue;
			break;
		case CLM_TOK_NORM_REPLACE:
			rc = clm_tok_replace(out->buf, out->len, n->from, n->from_len, n->to, n->to_len, &tmp);
			break;
		default:
			rc = unicode_norm(n->kind, out->buf, out->len, &tmp);
			break;
		}
		if (rc == 0) {
			clm_strbuf_reset(out);
			rc = clm_strbuf_add(out, tmp.buf, tmp.len);
		}
	}
	clm_strbuf_release(&tmp);
	return rc;
}

void clm_tok_pipeline_release(struct clm_tok_pipeline *p)
{
	for (size_t i = 0; i < p->n_norms; i++) {
		free(p->norms[i].from);
		free(p->norms[i].to);
	}
	free(p->norms);
	for (size_t i = 0; i < p->n_splits; i++)
		clm_pretok_release(&p->splits[i].re);
	free(p->splits);
	free(p->prefix);
	free(p->suffix);
	clm_strbuf_release(&p->norm_buf);
	clm_strbuf_release(&p->meta_buf);
	memset(p, 0, sizeof(*p));
}
