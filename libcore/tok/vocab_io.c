#include "tok/vocab_io.h"
#include "tok/byte_unicode.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int added_id(const json_t *entry, int64_t *id, const char **content, const char *what, size_t i)
{
	const json_t *jid = json_object_get(entry, "id"), *jc = json_object_get(entry, "content");

	if (!json_is_object(entry) || !json_is_integer(jid) || !json_is_string(jc))
		return clm_error_set(CLM_EINVALID, "%s: added token %zu needs an integer 'id' and a string 'content'",
				     what, i);
	*id = json_integer_value(jid);
	*content = json_string_value(jc);
	if (*id < 0 || *id >= CLM_TOK_MAX_VOCAB || !**content)
		return clm_error_set(CLM_EINVALID, "%s: added token %zu has a bad id or empty content", what, i);
	return 0;
}

/* The kind of an added token: special or not, and its matching options. */
static int added_kind(const json_t *entry)
{
	static const struct {
		const char *key;
		int bit;
	} opts[] = { { "lstrip", CLM_TOK_LSTRIP }, { "rstrip", CLM_TOK_RSTRIP }, { "single_word", CLM_TOK_SINGLE_WORD },
		     { "normalized", CLM_TOK_NORMALIZED } };
	const json_t *special = json_object_get(entry, "special");
	int kind = special && json_is_false(special) ? CLM_TOK_ADDED : CLM_TOK_SPECIAL;

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (json_is_true(json_object_get(entry, opts[i].key)))
			kind |= opts[i].bit;
	return kind;
}

static int text_to_bytes(int mapped, const char *s, size_t len, struct clm_strbuf *out)
{
	return mapped ? clm_mapped_to_bytes(s, len, out) : clm_strbuf_add(out, s, len);
}

int clm_tok_vocab_from_json(struct clm_tokenizer *t, const json_t *vocab, const json_t *added, int mapped,
			    const char *what)
{
	struct clm_strbuf bytes = CLM_STRBUF_INIT;
	const char *key, *content;
	const json_t *v;
	int64_t max_id = -1, id;
	unsigned char *is_added = NULL;
	size_t i;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(vocab))
		return clm_error_set(CLM_EINVALID, "%s: the vocabulary is not a JSON object", what);
	if (added && !json_is_array(added))
		return clm_error_set(CLM_EINVALID, "%s: 'added_tokens' is not an array", what);
	json_object_foreach((json_t *)vocab, key, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= CLM_TOK_MAX_VOCAB)
			return clm_error_set(CLM_EINVALID, "%s: token '%s' has a bad id", what, key);
		if (json_integer_value(v) > max_id)
			max_id = json_integer_value(v);
	}
	json_array_foreach(added, i, v) {
		if ((rc = added_id(v, &id, &content, what, i)) < 0)
			return rc;
		if (id > max_id)
			max_id = id;
	}
	if ((rc = clm_tok_init(t, (size_t)(max_id + 1))) < 0)
		return clm_error_wrap(rc, "%s", what);
	is_added = calloc(t->n_tokens, 1);
	if (!is_added)
		return clm_error_oom();
	json_array_foreach(added, i, v) {
		added_id(v, &id, &content, what, i);
		is_added[id] = 1;
		if ((rc = clm_tok_set_token(t, (int32_t)id, content, strlen(content), added_kind(v))) < 0)
			goto cleanup;
	}
	json_object_foreach((json_t *)vocab, key, v) {
		id = json_integer_value(v);
		if (is_added[id])
			continue;
		if (t->tokens[id].len) {
			rc = clm_error_set(CLM_EINVALID, "%s: id %d is given to two tokens", what, (int)id);
			goto cleanup;
		}
		clm_strbuf_reset(&bytes);
		if ((rc = text_to_bytes(mapped, key, strlen(key), &bytes)) < 0 ||
		    (rc = clm_tok_set_token(t, (int32_t)id, bytes.buf, bytes.len, 0)) < 0) {
			clm_error_wrap(rc, "%s: token %d", what, (int)id);
			goto cleanup;
		}
	}
cleanup:
	free(is_added);
	clm_strbuf_release(&bytes);
	return rc;
}

int clm_tok_add_mapped_merge(struct clm_tokenizer *t, const char *a, size_t alen, const char *b, size_t blen,
			     const char *what, size_t where)
{
	return clm_tok_add_text_merge(t, 1, a, alen, b, blen, what, where);
}

int clm_tok_add_text_merge(struct clm_tokenizer *t, int mapped, const char *a, size_t alen, const char *b, size_t blen,
			   const char *what, size_t where)
{
	struct clm_strbuf bytes = CLM_STRBUF_INIT;
	int32_t left = -1, right = -1;
	int rc;

	if ((rc = text_to_bytes(mapped, a, alen, &bytes)) == 0) {
		left = clm_tok_lookup(t, bytes.buf, bytes.len);
		clm_strbuf_reset(&bytes);
		rc = text_to_bytes(mapped, b, blen, &bytes);
		right = clm_tok_lookup(t, bytes.buf, bytes.len);
	}
	clm_strbuf_release(&bytes);
	if (rc == 0 && (left < 0 || right < 0))
		rc = clm_error_set(CLM_EINVALID, "'%.*s' is not in the vocabulary", (int)(left < 0 ? alen : blen),
				   left < 0 ? a : b);
	if (rc == 0)
		rc = clm_tok_add_merge(t, left, right);
	return rc < 0 ? clm_error_wrap(rc, "%s: merge %zu", what, where) : 0;
}

json_t *clm_tok_vocab_to_json(const struct clm_tokenizer *t)
{
	struct clm_strbuf s = CLM_STRBUF_INIT;
	json_t *vocab = json_object();

	if (!vocab) {
		clm_error_oom();
		return NULL;
	}
	for (size_t id = 0; id < t->n_tokens; id++) {
		const struct clm_tok_token *tk = &t->tokens[id];
		json_t *jid = json_integer((json_int_t)id);
		clm_strbuf_reset(&s);
		if (!jid || (tk->special ? clm_strbuf_add(&s, t->pool + tk->off, tk->len)
					 : clm_bytes_to_mapped(t->pool + tk->off, tk->len, &s)) < 0) {
			json_decref(jid);
			clm_error_oom();
			goto fail;
		}
		/* json_object_set_new takes jid even when it fails; the checks before it must drop it. */
		if (memchr(s.buf, 0, s.len) || json_object_get(vocab, s.buf)) {
			json_decref(jid);
			jid = NULL;
		}
		if (!jid || json_object_set_new(vocab, s.buf, jid) < 0) {
			clm_error_set(CLM_EINVALID, "token %zu ('%s') cannot be written: not UTF-8 or a duplicate", id, s.buf);
			goto fail;
		}
	}
	clm_strbuf_release(&s);
	return vocab;
fail:
	clm_strbuf_release(&s);
	json_decref(vocab);
	return NULL;
}

int clm_tok_merge_to_mapped(const struct clm_tokenizer *t, size_t rank, struct clm_strbuf *out)
{
	const struct clm_tok_merge *m = &t->merges[rank];
	const struct clm_tok_token *l = &t->tokens[m->left], *r = &t->tokens[m->right];

	if (clm_bytes_to_mapped(t->pool + l->off, l->len, out) < 0 || clm_strbuf_addch(out, ' ') < 0 ||
	    clm_bytes_to_mapped(t->pool + r->off, r->len, out) < 0)
		return CLM_ENOMEM;
	return 0;
}

int clm_tok_json_dump(const json_t *value, struct clm_strbuf *out)
{
	char *s = json_dumps(value, JSON_INDENT(2) | JSON_ENCODE_ANY);
	int rc;

	if (!s)
		return clm_error_set(CLM_EINVALID, "cannot serialize JSON value");
	rc = clm_strbuf_addstr(out, s);
	free(s);
	return rc < 0 ? rc : clm_strbuf_addch(out, '\n');
}
