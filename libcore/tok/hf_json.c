#include "tok/hf_json.h"
#include "tok/vocab_io.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <string.h>

#define MAX_FILE_BYTES (256u << 20)
#define WHAT "tokenizer.json"

static int is_null_or_missing(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);
	return !v || json_is_null(v);
}

/* A boolean option that must have `want` when present. */
static int check_flag(const json_t *obj, const char *key, int want, const char *part)
{
	const json_t *v = json_object_get(obj, key);

	if (v && !json_is_boolean(v))
		return clm_error_set(CLM_EINVALID, WHAT ": %s.%s is not a boolean", part, key);
	if (v && json_is_true(v) != want)
		return clm_error_set(CLM_EINVALID, WHAT ": %s.%s=%s is not supported", part, key,
				     want ? "false" : "true");
	return 0;
}

static int check_type(const json_t *obj, const char *want, const char *part)
{
	const char *type = clm_json_get_string(obj, "type", WHAT);

	if (!type)
		return clm_error_wrap(CLM_EINVALID, "%s", part);
	if (strcmp(type, want))
		return clm_error_set(CLM_EINVALID, WHAT ": %s type '%s' is not supported (only %s)", part, type, want);
	return 0;
}

static int check_empty_string(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v)))
		return clm_error_set(CLM_EINVALID, WHAT ": model.%s is not supported", key);
	return 0;
}

/* Everything outside the vocabulary and merges must describe plain GPT-2 byte-level BPE. */
static int check_pipeline(const json_t *root, const json_t *model)
{
	const json_t *pre = json_object_get(root, "pre_tokenizer"), *dec = json_object_get(root, "decoder");
	const json_t *dropout = json_object_get(model, "dropout");
	int rc;

	if (!is_null_or_missing(root, "normalizer"))
		return clm_error_set(CLM_EINVALID, WHAT ": normalizers are not supported");
	if (!json_is_object(pre))
		return clm_error_set(CLM_EINVALID, WHAT ": a ByteLevel pre_tokenizer is required");
	if ((rc = check_type(pre, "ByteLevel", "pre_tokenizer")) < 0 ||
	    (rc = check_flag(pre, "add_prefix_space", 0, "pre_tokenizer")) < 0 ||
	    (rc = check_flag(pre, "use_regex", 1, "pre_tokenizer")) < 0)
		return rc;
	if (dec && !json_is_null(dec) && (rc = check_type(dec, "ByteLevel", "decoder")) < 0)
		return rc;
	if ((rc = check_type(model, "BPE", "model")) < 0 || (rc = check_empty_string(model, "continuing_subword_prefix")) < 0 ||
	    (rc = check_empty_string(model, "end_of_word_suffix")) < 0 || (rc = check_flag(model, "byte_fallback", 0, "model")) < 0)
		return rc;
	if (dropout && !json_is_null(dropout) && !(json_is_number(dropout) && json_number_value(dropout) == 0))
		return clm_error_set(CLM_EINVALID, WHAT ": BPE dropout is not supported");
	return 0;
}

/* Merges are "left right" strings (older files) or ["left", "right"] pairs (newer ones). */
static int parse_merges(struct clm_tokenizer *t, const json_t *merges)
{
	size_t i;
	const json_t *m;

	if (!json_is_array(merges))
		return clm_error_set(CLM_EINVALID, WHAT ": model.merges is not an array");
	json_array_foreach(merges, i, m) {
		const char *a, *b;
		size_t alen, blen;
		int rc;
		if (json_is_string(m)) {
			const char *s = json_string_value(m), *sp = strchr(s, ' ');
			if (!sp || sp == s || !sp[1] || strchr(sp + 1, ' '))
				return clm_error_set(CLM_EINVALID, WHAT ": merge %zu is not two tokens separated by one space", i);
			a = s;
			alen = (size_t)(sp - s);
			b = sp + 1;
			blen = strlen(b);
		} else if (json_is_array(m) && json_array_size(m) == 2 && json_is_string(json_array_get(m, 0)) &&
			   json_is_string(json_array_get(m, 1))) {
			a = json_string_value(json_array_get(m, 0));
			alen = json_string_length(json_array_get(m, 0));
			b = json_string_value(json_array_get(m, 1));
			blen = json_string_length(json_array_get(m, 1));
		} else {
			return clm_error_set(CLM_EINVALID, WHAT ": merge %zu is neither a string nor a pair of strings", i);
		}
		if ((rc = clm_tok_add_mapped_merge(t, a, alen, b, blen, WHAT, i)) < 0)
			return rc;
	}
	return 0;
}

int clm_tok_parse_hf(struct clm_tokenizer *t, const char *json, size_t len)
{
	json_t *root = clm_json_parse(json, len, WHAT);
	const json_t *model = root ? json_object_get(root, "model") : NULL;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!root)
		return CLM_EINVALID;
	if (!json_is_object(model)) {
		json_decref(root);
		return clm_error_set(CLM_EINVALID, WHAT ": 'model' is missing or not an object");
	}
	rc = check_pipeline(root, model);
	if (rc == 0)
		rc = clm_tok_vocab_from_json(t, json_object_get(model, "vocab"), json_object_get(root, "added_tokens"),
					     WHAT);
	if (rc == 0)
		rc = parse_merges(t, json_object_get(model, "merges"));
	if (rc == 0)
		rc = clm_tok_finish(t);
	json_decref(root);
	if (rc < 0)
		clm_tok_release(t);
	return rc;
}

int clm_tok_load_hf(struct clm_tokenizer *t, const char *path)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = clm_read_file(path, MAX_FILE_BYTES, &sb);

	memset(t, 0, sizeof(*t));
	if (rc == 0)
		rc = clm_tok_parse_hf(t, sb.buf, sb.len);
	clm_strbuf_release(&sb);
	return rc;
}

static json_t *byte_level(int add_prefix_space, int trim_offsets)
{
	return json_pack("{s:s, s:b, s:b, s:b}", "type", "ByteLevel", "add_prefix_space", add_prefix_space,
			 "trim_offsets", trim_offsets, "use_regex", 1);
}

static json_t *added_tokens(const struct clm_tokenizer *t)
{
	json_t *list = json_array();

	for (size_t id = 0; list && id < t->n_tokens; id++) {
		const struct clm_tok_token *tk = &t->tokens[id];
		json_t *content, *entry;
		if (!tk->special)
			continue;
		content = json_stringn(t->pool + tk->off, tk->len);
		entry = content ? json_pack("{s:I, s:o, s:b, s:b, s:b, s:b, s:b}", "id", (json_int_t)id, "content", content,
					    "single_word", 0, "lstrip", 0, "rstrip", 0, "normalized", 0, "special", 1)
				: NULL;
		if (!entry || json_array_append_new(list, entry) < 0) {
			json_decref(list);
			clm_error_set(CLM_EINVALID, WHAT ": special token %zu is not UTF-8", id);
			return NULL;
		}
	}
	if (!list)
		clm_error_oom();
	return list;
}

static json_t *merges_json(const struct clm_tokenizer *t)
{
	struct clm_strbuf s = CLM_STRBUF_INIT;
	json_t *list = json_array();

	for (size_t i = 0; list && i < t->n_merges; i++) {
		clm_strbuf_reset(&s);
		if (clm_tok_merge_to_mapped(t, i, &s) < 0 || json_array_append_new(list, json_stringn(s.buf, s.len)) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	clm_strbuf_release(&s);
	if (!list)
		clm_error_oom();
	return list;
}

int clm_tok_write_hf(const struct clm_tokenizer *t, struct clm_strbuf *out)
{
	json_t *added = added_tokens(t), *vocab = added ? clm_tok_vocab_to_json(t) : NULL;
	json_t *merges = vocab ? merges_json(t) : NULL, *model, *root = NULL;
	int rc;

	if (!merges) {
		json_decref(added);
		json_decref(vocab);
		return CLM_EINVALID; /* the failing step set the message */
	}
	model = json_pack("{s:s, s:n, s:n, s:s, s:s, s:b, s:b, s:o, s:o}", "type", "BPE", "dropout", "unk_token",
			  "continuing_subword_prefix", "", "end_of_word_suffix", "", "fuse_unk", 0, "byte_fallback", 0,
			  "vocab", vocab, "merges", merges);
	if (model)
		root = json_pack("{s:s, s:n, s:n, s:o, s:n, s:o, s:o, s:o, s:o}", "version", "1.0", "truncation", "padding",
				 "added_tokens", added, "normalizer", "pre_tokenizer", byte_level(0, 1), "post_processor",
				 byte_level(1, 0), "decoder", byte_level(1, 1), "model", model);
	else
		json_decref(added);
	if (!root)
		return clm_error_oom();
	rc = clm_tok_json_dump(root, out);
	json_decref(root);
	return rc;
}

int clm_tok_save_hf(const struct clm_tokenizer *t, const char *path)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = clm_tok_write_hf(t, &sb);

	if (rc == 0)
		rc = clm_write_file_atomic(path, sb.buf, sb.len);
	clm_strbuf_release(&sb);
	return rc;
}
