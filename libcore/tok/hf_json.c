#include "tok/hf_json.h"
#include "tok/vocab_io.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <string.h>
#include <unistd.h>

#define MAX_FILE_BYTES (256u << 20)
#define WHAT "tokenizer.json"

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

/* A boolean option: its value, or `dflt` when absent or null. */
static int get_flag(const json_t *obj, const char *key, int dflt)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static const char *type_of(const json_t *obj, const char *part)
{
	const char *type = json_is_object(obj) ? clm_json_get_string(obj, "type", WHAT) : NULL;

	if (!type)
		clm_error_set(CLM_EINVALID, WHAT ": %s has no type", part);
	return type;
}

static int unsupported(const char *part, const char *type, const char *supported)
{
	return clm_error_set(CLM_EINVALID, WHAT ": %s type '%s' is not supported (supported: %s)", part, type, supported);
}

static int check_empty_string(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v && !json_is_null(v) && !(json_is_string(v) && !*json_string_value(v)))
		return clm_error_set(CLM_EINVALID, WHAT ": model.%s is not supported", key);
	return 0;
}

/* A pattern object {"String": s} or {"Regex": r}: its text and whether it is literal. */
static const char *pattern_of(const json_t *obj, size_t *len, int *literal, const char *part)
{
	const json_t *pat = json_object_get(obj, "pattern"), *v;

	*literal = (v = json_object_get(pat, "String")) != NULL;
	if (!v)
		v = json_object_get(pat, "Regex");
	if (!json_is_string(v) || !json_string_length(v)) {
		clm_error_set(CLM_EINVALID, WHAT ": %s needs a pattern {\"String\" or \"Regex\": text}", part);
		return NULL;
	}
	*len = json_string_length(v);
	return json_string_value(v);
}

/* The id of a token spelled `text` (raw text, as added tokens and character vocabularies spell
 * them), before the tokenizer is finished; -1 when absent. */
static int32_t find_token(const struct clm_tokenizer *t, const char *text)
{
	size_t len = strlen(text);
	int32_t id = t->byte_level ? -1 : clm_tok_lookup(t, text, len);

	for (size_t i = 0; id < 0 && i < t->n_tokens; i++)
		if (t->tokens[i].special && t->tokens[i].len == len && !memcmp(t->pool + t->tokens[i].off, text, len))
			id = (int32_t)i;
	if (id < 0 && t->byte_level)
		id = clm_tok_lookup(t, text, len); /* plain ASCII names are their own bytes */
	return id;
}

/* ---- normalizer */

static int parse_normalizer(struct clm_tokenizer *t, const json_t *n)
{
	static const struct {
		const char *name;
		enum clm_tok_norm_kind kind;
	} unicode[] = { { "NFC", CLM_TOK_NORM_NFC }, { "NFD", CLM_TOK_NORM_NFD }, { "NFKC", CLM_TOK_NORM_NFKC },
			{ "NFKD", CLM_TOK_NORM_NFKD } };
	const char *type, *s;
	size_t i, len;
	const json_t *v;
	int literal, rc;

	if (!n || json_is_null(n))
		return 0;
	if (!(type = type_of(n, "normalizer")))
		return CLM_EINVALID;
	if (!strcmp(type, "Sequence")) {
		if (!json_is_array(v = json_object_get(n, "normalizers")))
			return clm_error_set(CLM_EINVALID, WHAT ": normalizer Sequence has no 'normalizers' array");
		json_array_foreach(v, i, n)
			if ((rc = parse_normalizer(t, n)) < 0)
				return rc;
		return 0;
	}
	for (i = 0; i < sizeof(unicode) / sizeof(unicode[0]); i++)
		if (!strcmp(type, unicode[i].name))
			return clm_tok_pipeline_add_norm(&t->pipe, unicode[i].kind, NULL, 0, NULL, 0);
	if (!strcmp(type, "Prepend")) {
		if (!json_is_string(v = json_object_get(n, "prepend")))
			return clm_error_set(CLM_EINVALID, WHAT ": normalizer Prepend has no 'prepend' string");
		return clm_tok_pipeline_add_norm(&t->pipe, CLM_TOK_NORM_PREPEND, NULL, 0, json_string_value(v),
						 json_string_length(v));
	}
	if (!strcmp(type, "Replace")) {
		if (!(s = pattern_of(n, &len, &literal, "normalizer Replace")))
			return CLM_EINVALID;
		if (!literal)
			return clm_error_set(CLM_EINVALID, WHAT ": normalizer Replace with a Regex pattern is not supported");
		if (!json_is_string(v = json_object_get(n, "content")))
			return clm_error_set(CLM_EINVALID, WHAT ": normalizer Replace has no 'content' string");
		return clm_tok_pipeline_add_norm(&t->pipe, CLM_TOK_NORM_REPLACE, s, len, json_string_value(v),
						 json_string_length(v));
	}
	return unsupported("normalizer", type, "Sequence, NFC, NFD, NFKC, NFKD, Prepend, Replace");
}

/* ---- pre-tokenizer */

static int parse_behavior(const json_t *split, enum clm_tok_split_behavior *b)
{
	static const char *const names[] = { "Isolated", "Removed", "MergedWithPrevious", "MergedWithNext" };
	const char *name = clm_json_get_string(split, "behavior", WHAT);

	for (int i = 0; name && i < 4; i++)
		if (!strcmp(name, names[i])) {
			*b = (enum clm_tok_split_behavior)i;
			return 0;
		}
	return clm_error_set(CLM_EINVALID, WHAT ": Split behavior '%s' is not supported (supported: Isolated, Removed, "
				       "MergedWithPrevious, MergedWithNext)", name ? name : "(none)");
}

static int parse_metaspace(struct clm_tokenizer *t, const json_t *m, int first)
{
	const json_t *rep = json_object_get(m, "replacement"), *scheme = json_object_get(m, "prepend_scheme");
	struct clm_tok_pipeline *p = &t->pipe;

	if (!first)
		return clm_error_set(CLM_EINVALID, WHAT ": a Metaspace pre-tokenizer must come first");
	if (!json_is_string(rep) || !json_string_length(rep) || json_string_length(rep) >= sizeof(p->meta))
		return clm_error_set(CLM_EINVALID, WHAT ": Metaspace needs a one-character 'replacement'");
	memcpy(p->meta, json_string_value(rep), json_string_length(rep));
	p->meta_len = json_string_length(rep);
	p->metaspace = 1;
	p->meta_split = get_flag(m, "split", 1);
	p->meta_prepend = get_flag(m, "add_prefix_space", 1) ? CLM_TOK_PREPEND_ALWAYS : CLM_TOK_PREPEND_NEVER;
	if (json_is_string(scheme)) {
		const char *s = json_string_value(scheme);
		if (!strcmp(s, "first"))
			p->meta_prepend = CLM_TOK_PREPEND_FIRST;
		else if (!strcmp(s, "never"))
			p->meta_prepend = CLM_TOK_PREPEND_NEVER;
		else if (strcmp(s, "always"))
			return clm_error_set(CLM_EINVALID, WHAT ": Metaspace prepend_scheme '%s' is not supported", s);
	}
	return 0;
}

static int parse_pre_tokenizer(struct clm_tokenizer *t, const json_t *pre, int first)
{
	const char *type, *pattern;
	enum clm_tok_split_behavior behavior = CLM_TOK_SPLIT_ISOLATED;
	const json_t *v;
	size_t i, len;
	int literal, rc;

	if (!pre || json_is_null(pre))
		return 0;
	if (!(type = type_of(pre, "pre_tokenizer")))
		return CLM_EINVALID;
	if (!strcmp(type, "Sequence")) {
		if (!json_is_array(v = json_object_get(pre, "pretokenizers")))
			return clm_error_set(CLM_EINVALID, WHAT ": pre_tokenizer Sequence has no 'pretokenizers' array");
		json_array_foreach(v, i, pre)
			if ((rc = parse_pre_tokenizer(t, pre, first && i == 0)) < 0)
				return rc;
		return 0;
	}
	if (!strcmp(type, "ByteLevel")) {
		if ((rc = check_flag(pre, "add_prefix_space", 0, "pre_tokenizer ByteLevel")) < 0)
			return rc;
		if (!get_flag(pre, "use_regex", 1))
			return 0; /* the bytes are the vocabulary's symbols already */
		return clm_tok_pipeline_add_split(&t->pipe, CLM_GPT2_PATTERN, strlen(CLM_GPT2_PATTERN), 0, 1,
						  CLM_TOK_SPLIT_ISOLATED);
	}
	if (!strcmp(type, "Split")) {
		if (!(pattern = pattern_of(pre, &len, &literal, "pre_tokenizer Split")) ||
		    (rc = parse_behavior(pre, &behavior)) < 0)
			return pattern ? rc : CLM_EINVALID;
		if ((rc = check_flag(pre, "invert", 0, "pre_tokenizer Split")) < 0)
			return rc;
		rc = clm_tok_pipeline_add_split(&t->pipe, pattern, len, literal, 0, behavior);
		return rc < 0 ? clm_error_wrap(rc, WHAT ": Split /%.*s/", (int)len, pattern) : 0;
	}
	if (!strcmp(type, "Metaspace"))
		return parse_metaspace(t, pre, first);
	if (!strcmp(type, "Digits")) {
		/* Rust's char::is_numeric is \p{N}; runs of digits stay together unless individual */
		pattern = get_flag(pre, "individual_digits", 0) ? "\\p{N}" : "\\p{N}+";
		return clm_tok_pipeline_add_split(&t->pipe, pattern, strlen(pattern), 0, 0, CLM_TOK_SPLIT_ISOLATED);
	}
	return unsupported("pre_tokenizer", type, "Sequence, ByteLevel, Split, Digits, Metaspace");
}

/* ---- post-processor: the special tokens around a single sequence */

static int template_ids(struct clm_tokenizer *t, const json_t *specials, const char *name, int suffix)
{
	const json_t *ids = json_object_get(json_object_get(specials, name), "ids"), *v;
	size_t i;
	int rc;

	if (!json_is_array(ids))
		return clm_error_set(CLM_EINVALID, WHAT ": TemplateProcessing special token '%s' has no ids", name);
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || (size_t)json_integer_value(v) >= t->n_tokens)
			return clm_error_set(CLM_EINVALID, WHAT ": TemplateProcessing id of '%s' is outside the vocabulary", name);
		if ((rc = clm_tok_pipeline_add_template(&t->pipe, suffix, (int32_t)json_integer_value(v))) < 0)
			return rc;
	}
	return 0;
}

static int parse_template(struct clm_tokenizer *t, const json_t *pp)
{
	const json_t *single = json_object_get(pp, "single"), *specials = json_object_get(pp, "special_tokens"), *item;
	int seen_a = 0, rc;
	size_t i;

	if (!json_is_array(single))
		return clm_error_set(CLM_EINVALID, WHAT ": TemplateProcessing has no 'single' template");
	json_array_foreach(single, i, item) {
		const json_t *sp = json_object_get(item, "SpecialToken"), *seq = json_object_get(item, "Sequence");
		const char *id = clm_json_get_string(sp ? sp : seq, "id", WHAT);
		if (!id)
			return clm_error_wrap(CLM_EINVALID, "TemplateProcessing item %zu", i);
		if (seq && strcmp(id, "A"))
			return clm_error_set(CLM_EINVALID, WHAT ": a single template reads sequence A, not '%s'", id);
		if (seq)
			seen_a = 1;
		else if ((rc = template_ids(t, specials, id, seen_a)) < 0)
			return rc;
	}
	return 0;
}

static int parse_post_processor(struct clm_tokenizer *t, const json_t *pp)
{
	const char *type;
	const json_t *v;
	size_t i;
	int rc;

	if (!pp || json_is_null(pp))
		return 0;
	if (!(type = type_of(pp, "post_processor")))
		return CLM_EINVALID;
	if (!strcmp(type, "ByteLevel"))
		return 0; /* offsets only */
	if (!strcmp(type, "TemplateProcessing"))
		return parse_template(t, pp);
	if (!strcmp(type, "Sequence")) {
		if (!json_is_array(v = json_object_get(pp, "processors")))
			return clm_error_set(CLM_EINVALID, WHAT ": post_processor Sequence has no 'processors' array");
		json_array_foreach(v, i, pp)
			if ((rc = parse_post_processor(t, pp)) < 0)
				return rc;
		return 0;
	}
	return unsupported("post_processor", type, "ByteLevel, TemplateProcessing, Sequence");
}

/* ---- decoder */

static int parse_decoder(struct clm_tokenizer *t, const json_t *d, int *fused)
{
	struct clm_tok_pipeline *p = &t->pipe;
	const char *type, *s;
	const json_t *v;
	size_t i, len;
	int literal, rc;

	if (!d || json_is_null(d))
		return 0;
	if (!(type = type_of(d, "decoder")))
		return CLM_EINVALID;
	if (!strcmp(type, "Sequence")) {
		if (!json_is_array(v = json_object_get(d, "decoders")))
			return clm_error_set(CLM_EINVALID, WHAT ": decoder Sequence has no 'decoders' array");
		json_array_foreach(v, i, d)
			if ((rc = parse_decoder(t, d, fused)) < 0)
				return rc;
		return 0;
	}
	if (!strcmp(type, "ByteLevel"))
		return t->byte_level ? 0 : clm_error_set(CLM_EINVALID, WHAT ": a ByteLevel decoder needs a ByteLevel pre_tokenizer");
	if (!strcmp(type, "ByteFallback") || !strcmp(type, "Fuse")) {
		*fused |= !strcmp(type, "Fuse"); /* the ids' texts are joined, as decoding does anyway */
		p->dec_bytes |= !strcmp(type, "ByteFallback");
		return 0;
	}
	if (!strcmp(type, "Metaspace") || !strcmp(type, "Replace")) {
		v = json_object_get(d, "replacement");
		if (!strcmp(type, "Replace")) {
			const json_t *content = json_object_get(d, "content");
			if (!(s = pattern_of(d, &len, &literal, "decoder Replace")))
				return CLM_EINVALID;
			if (!literal || !json_is_string(content) || strcmp(json_string_value(content), " "))
				return clm_error_set(CLM_EINVALID, WHAT ": decoder Replace is supported only from a string to \" \"");
		} else if (json_is_string(v)) {
			s = json_string_value(v);
			len = json_string_length(v);
			/* Metaspace drops every replacement character of the first token */
			p->dec_meta_first = json_is_string(json_object_get(d, "prepend_scheme"))
						    ? strcmp(json_string_value(json_object_get(d, "prepend_scheme")), "never") != 0
						    : get_flag(d, "add_prefix_space", 1);
		} else {
			return clm_error_set(CLM_EINVALID, WHAT ": decoder Metaspace has no 'replacement'");
		}
		if (len >= sizeof(p->dec_meta) || t->byte_level)
			return clm_error_set(CLM_EINVALID, WHAT ": decoder %s does not fit this vocabulary", type);
		memcpy(p->dec_meta, s, len);
		p->dec_meta_len = len;
		return 0;
	}
	if (!strcmp(type, "Strip")) {
		const json_t *content = json_object_get(d, "content"), *start = json_object_get(d, "start"),
			     *stop = json_object_get(d, "stop");
		if (!json_is_string(content) || strcmp(json_string_value(content), " ") || !json_is_integer(start) ||
		    json_integer_value(start) < 0 || json_integer_value(start) > 64 || !json_is_integer(stop) ||
		    json_integer_value(stop) != 0 || !*fused)
			return clm_error_set(CLM_EINVALID, WHAT ": decoder Strip is supported only for leading spaces after Fuse");
		p->dec_strip = (size_t)json_integer_value(start);
		return 0;
	}
	return unsupported("decoder", type, "ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence");
}

/* ---- model */

static int pre_tokenizer_has_byte_level(const json_t *pre)
{
	const char *type = json_is_object(pre) ? json_string_value(json_object_get(pre, "type")) : NULL;
	const json_t *list = json_object_get(pre, "pretokenizers"), *v;
	size_t i;

	if (type && !strcmp(type, "ByteLevel"))
		return 1;
	json_array_foreach(list, i, v)
		if (pre_tokenizer_has_byte_level(v))
			return 1;
	return 0;
}

static int check_model(const json_t *model)
{
	const char *type = type_of(model, "model");
	const json_t *dropout = json_object_get(model, "dropout");
	int rc;

	if (!type)
		return CLM_EINVALID;
	if (strcmp(type, "BPE"))
		return unsupported("model", type, "BPE");
	if ((rc = check_empty_string(model, "continuing_subword_prefix")) < 0 ||
	    (rc = check_empty_string(model, "end_of_word_suffix")) < 0)
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
		if ((rc = clm_tok_add_text_merge(t, t->byte_level, a, alen, b, blen, WHAT, i)) < 0)
			return rc;
	}
	return 0;
}

static int parse_model_options(struct clm_tokenizer *t, const json_t *model)
{
	const json_t *unk = json_object_get(model, "unk_token");

	t->ignore_merges = get_flag(model, "ignore_merges", 0);
	t->byte_fallback = get_flag(model, "byte_fallback", 0);
	t->fuse_unk = get_flag(model, "fuse_unk", 0);
	if (t->byte_fallback && t->byte_level)
		return clm_error_set(CLM_EINVALID, WHAT ": byte_fallback with a byte-level vocabulary is not supported");
	if (json_is_string(unk) && (t->unk_id = find_token(t, json_string_value(unk))) < 0)
		return clm_error_set(CLM_EINVALID, WHAT ": unk_token '%s' is not in the vocabulary", json_string_value(unk));
	return 0;
}

/* Everything around the model, in the order Hugging Face runs it. */
static int parse_pipeline(struct clm_tokenizer *t, const json_t *root)
{
	int fused = 0, rc;

	if ((rc = parse_normalizer(t, json_object_get(root, "normalizer"))) < 0 ||
	    (rc = parse_pre_tokenizer(t, json_object_get(root, "pre_tokenizer"), 1)) < 0 ||
	    (rc = parse_post_processor(t, json_object_get(root, "post_processor"))) < 0 ||
	    (rc = parse_decoder(t, json_object_get(root, "decoder"), &fused)) < 0)
		return rc;
	t->pipe.configured = 1;
	if (t->pipe.n_prefix)
		t->bos_id = t->pipe.prefix[0];
	if (t->pipe.n_suffix)
		t->eos_id = t->pipe.suffix[t->pipe.n_suffix - 1];
	return 0;
}

int clm_tok_parse_hf(struct clm_tokenizer *t, const char *json, size_t len)
{
	json_t *root = clm_json_parse(json, len, WHAT);
	const json_t *model = root ? json_object_get(root, "model") : NULL;
	int byte_level, rc;

	memset(t, 0, sizeof(*t));
	if (!root)
		return CLM_EINVALID;
	if (!json_is_object(model)) {
		json_decref(root);
		return clm_error_set(CLM_EINVALID, WHAT ": 'model' is missing or not an object");
	}
	byte_level = pre_tokenizer_has_byte_level(json_object_get(root, "pre_tokenizer"));
	rc = check_model(model);
	if (rc == 0)
		rc = clm_tok_vocab_from_json(t, json_object_get(model, "vocab"), json_object_get(root, "added_tokens"),
					     byte_level, WHAT);
	t->byte_level = byte_level;
	if (rc == 0)
		rc = parse_model_options(t, model);
	if (rc == 0)
		rc = parse_merges(t, json_object_get(model, "merges"));
	if (rc == 0)
		rc = parse_pipeline(t, root);
	if (rc == 0)
		rc = clm_tok_finish(t);
	json_decref(root);
	if (rc < 0)
		clm_tok_release(t);
	return rc;
}

/* A token named in tokenizer_config.json: a string or an AddedToken object {content}. */
static int32_t config_token(const struct clm_tokenizer *t, const json_t *v)
{
	if (json_is_object(v))
		v = json_object_get(v, "content");
	return json_is_string(v) ? find_token(t, json_string_value(v)) : -1;
}

int clm_tok_parse_hf_config(struct clm_tokenizer *t, const char *json, size_t len)
{
	static const char *const rebuilding[] = { "LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer",
						  "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast" };
	json_error_t err;
	/* model_max_length is often 1e30 written as an integer, too big for jansson's integers */
	json_t *root = json_loadb(json, len, JSON_DECODE_INT_AS_REAL, &err);
	const char *cls;
	int32_t bos, eos;
	int rc = 0;

	if (!root)
		return clm_error_set(CLM_EINVALID, "tokenizer_config.json: invalid JSON at line %d column %d: %s", err.line,
				     err.column, err.text);
	bos = config_token(t, json_object_get(root, "bos_token"));
	eos = config_token(t, json_object_get(root, "eos_token"));
	if (bos >= 0)
		t->bos_id = bos;
	if (eos >= 0)
		t->eos_id = eos;
	/* transformers' Llama-family fast tokenizers rebuild their post-processor from these flags */
	cls = json_string_value(json_object_get(root, "tokenizer_class"));
	for (size_t i = 0; cls && i < sizeof(rebuilding) / sizeof(rebuilding[0]); i++) {
		int add_bos = get_flag(root, "add_bos_token", 1), add_eos = get_flag(root, "add_eos_token", 0);
		if (strcmp(cls, rebuilding[i]))
			continue;
		if ((add_bos && bos < 0) || (add_eos && eos < 0)) {
			rc = clm_error_set(CLM_EINVALID, "tokenizer_config.json: add_%s_token names no known token",
					   add_bos && bos < 0 ? "bos" : "eos");
			break;
		}
		t->pipe.n_prefix = t->pipe.n_suffix = 0;
		if ((add_bos && (rc = clm_tok_pipeline_add_template(&t->pipe, 0, bos)) < 0) ||
		    (add_eos && (rc = clm_tok_pipeline_add_template(&t->pipe, 1, eos)) < 0))
			break;
	}
	json_decref(root);
	return rc;
}

int clm_tok_load_dir(struct clm_tokenizer *t, const char *dir)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, sb = CLM_STRBUF_INIT;
	int rc;

	memset(t, 0, sizeof(*t));
	if (clm_strbuf_addf(&path, "%s/tokenizer.json", dir) < 0)
		return CLM_ENOMEM;
	rc = clm_tok_load_hf(t, path.buf);
	clm_strbuf_reset(&path);
	if (rc == 0 && (rc = clm_strbuf_addf(&path, "%s/tokenizer_config.json", dir)) == 0 && access(path.buf, F_OK) == 0) {
		if ((rc = clm_read_file(path.buf, MAX_FILE_BYTES, &sb)) == 0)
			rc = clm_tok_parse_hf_config(t, sb.buf, sb.len);
		if (rc < 0) {
			clm_error_wrap(rc, "%s", path.buf);
			clm_tok_release(t);
		}
	}
	clm_strbuf_release(&path);
	clm_strbuf_release(&sb);
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

/* Whether `t` is plain byte-level BPE with GPT-2's pipeline, which is all clm_tok_write_hf writes. */
static int gpt2_style(const struct clm_tokenizer *t)
{
	const struct clm_tok_pipeline *p = &t->pipe;

	return t->byte_level && !t->ignore_merges && !p->n_norms && !p->metaspace && p->n_splits == 1 &&
	       p->splits[0].re.anchored && !p->n_prefix && !p->n_suffix;
}

int clm_tok_write_hf(const struct clm_tokenizer *t, struct clm_strbuf *out)
{
	json_t *added, *vocab, *merges, *model, *root = NULL;
	int rc;

	if (!gpt2_style(t))
		return clm_error_set(CLM_EINVALID, WHAT ": only GPT-2-style tokenizers are written; keep the original file");
	added = added_tokens(t);
	vocab = added ? clm_tok_vocab_to_json(t) : NULL;
	merges = vocab ? merges_json(t) : NULL;

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
