/* libcore/tok: tokenizer.json and vocab.json + merges.txt, written and read back, and rejected
 * when malformed. */
#include "test_helpers.h"
#include <jansson.h>
#include "tok/bpe.h"
#include "tok/byte_unicode.h"
#include "tok/gpt2_files.h"
#include "tok/hf_json.h"
#include "tok/train.h"
#include "util/error.h"
#include "util/fileio.h"

static const char *sample =
	"def parse(self, text):\n    return [t for t in text.split() if t]\n"
	"int main(void) { printf(\"%d\\n\", 42); return 0; }\n"
	"caf\xc3\xa9 \xf0\x9f\x98\x80 \xff\xfe <|endoftext|> tail";

static void train_small(struct clm_tokenizer *t)
{
	struct clm_tok_trainer tr;
	struct clm_tok_train_opts o = { 320, clm_tok_default_specials, clm_tok_default_specials_count, 0 };
	assert_int_equal(clm_tok_trainer_init(&tr), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(clm_tok_trainer_add(&tr, sample, strlen(sample)), 0);
	assert_int_equal(clm_tok_trainer_finish(&tr, &o, t, NULL), 0);
	clm_tok_trainer_release(&tr);
}

static void assert_same_encoding(struct clm_tokenizer *a, struct clm_tokenizer *b)
{
	struct clm_tok_ids x = CLM_TOK_IDS_INIT, y = CLM_TOK_IDS_INIT;
	assert_int_equal(a->n_tokens, b->n_tokens);
	assert_int_equal(a->n_merges, b->n_merges);
	assert_int_equal(clm_tok_encode(a, sample, strlen(sample), CLM_TOK_ALLOW_SPECIAL, &x), 0);
	assert_int_equal(clm_tok_encode(b, sample, strlen(sample), CLM_TOK_ALLOW_SPECIAL, &y), 0);
	assert_int_equal(x.n, y.n);
	assert_memory_equal(x.v, y.v, x.n * sizeof(*x.v));
	clm_tok_ids_release(&x);
	clm_tok_ids_release(&y);
}

static void hf_json_roundtrip(void **state)
{
	struct clm_tokenizer a, b;
	struct clm_strbuf j1 = CLM_STRBUF_INIT, j2 = CLM_STRBUF_INIT;
	char *dir = clm_test_tmpdir(), path[256];
	(void)state;
	train_small(&a);
	assert_int_equal(clm_tok_write_hf(&a, &j1), 0);
	assert_non_null(strstr(j1.buf, "\"type\": \"BPE\""));
	assert_non_null(strstr(j1.buf, "\"type\": \"ByteLevel\""));
	assert_non_null(strstr(j1.buf, "\"content\": \"<|endoftext|>\""));
	assert_non_null(strstr(j1.buf, "\"\xc4\xa0\": 220")); /* "Ġ", the space byte */
	snprintf(path, sizeof(path), "%s/tokenizer.json", dir);
	assert_int_equal(clm_tok_save_hf(&a, path), 0);
	assert_int_equal(clm_tok_load_hf(&b, path), 0);
	assert_same_encoding(&a, &b);
	assert_int_equal(clm_tok_special_id(&b, "<|pad|>"), clm_tok_special_id(&a, "<|pad|>"));
	assert_int_equal(clm_tok_write_hf(&b, &j2), 0);
	assert_int_equal(j1.len, j2.len);
	assert_memory_equal(j1.buf, j2.buf, j1.len);
	clm_tok_release(&a);
	clm_tok_release(&b);
	clm_strbuf_release(&j1);
	clm_strbuf_release(&j2);
	free(dir);
}

/* Rewrite "left right" merge strings as ["left", "right"] arrays, as newer files have them. */
static void pair_merges(const struct clm_strbuf *in, struct clm_strbuf *out)
{
	json_t *root = json_loadb(in->buf, in->len, 0, NULL);
	json_t *merges = json_object_get(json_object_get(root, "model"), "merges"), *m;
	size_t i;
	char *text;
	assert_non_null(merges);
	json_array_foreach(merges, i, m) {
		const char *s = json_string_value(m), *sp = strchr(s, ' ');
		json_array_set_new(merges, i, json_pack("[s#, s]", s, (int)(sp - s), sp + 1));
	}
	text = json_dumps(root, 0);
	clm_strbuf_addstr(out, text);
	free(text);
	json_decref(root);
}

static void hf_json_accepts_pair_merges(void **state)
{
	struct clm_tokenizer a, b;
	struct clm_strbuf j = CLM_STRBUF_INIT, fixed = CLM_STRBUF_INIT;
	(void)state;
	train_small(&a);
	assert_int_equal(clm_tok_write_hf(&a, &j), 0);
	pair_merges(&j, &fixed);
	assert_int_equal(clm_tok_parse_hf(&b, fixed.buf, fixed.len), 0);
	assert_same_encoding(&a, &b);
	clm_tok_release(&a);
	clm_tok_release(&b);
	clm_strbuf_release(&j);
	clm_strbuf_release(&fixed);
}

static void gpt2_files_roundtrip(void **state)
{
	struct clm_tokenizer a, b;
	struct clm_strbuf v = CLM_STRBUF_INIT, m = CLM_STRBUF_INIT;
	(void)state;
	train_small(&a);
	assert_int_equal(clm_tok_write_gpt2(&a, &v, &m), 0);
	assert_int_equal(strncmp(m.buf, "#version: 0.2\n", 14), 0);
	assert_int_equal(clm_tok_parse_gpt2(&b, v.buf, v.len, m.buf, m.len), 0);
	assert_same_encoding(&a, &b);
	/* Tokens no merge builds or uses are special, as GPT-2's <|endoftext|> is. */
	assert_int_equal(clm_tok_special_id(&b, "<|endoftext|>"), clm_tok_special_id(&a, "<|endoftext|>"));
	assert_int_equal(b.n_specials, clm_tok_default_specials_count);
	clm_tok_release(&a);
	clm_tok_release(&b);
	clm_strbuf_release(&v);
	clm_strbuf_release(&m);
}

/* The 256 byte tokens of a minimal vocab.json, then `extra` entries. */
static void minimal_vocab(struct clm_strbuf *sb, const char *extra)
{
	clm_strbuf_addch(sb, '{');
	for (int i = 0; i < 256; i++) {
		unsigned char b = (unsigned char)i;
		struct clm_strbuf k = CLM_STRBUF_INIT;
		clm_bytes_to_mapped(&b, 1, &k);
		if (b == '"' || b == '\\')
			clm_strbuf_addf(sb, "%s\"\\%s\": %d", i ? "," : "", k.buf, i);
		else
			clm_strbuf_addf(sb, "%s\"%s\": %d", i ? "," : "", k.buf, i);
		clm_strbuf_release(&k);
	}
	clm_strbuf_addstr(sb, extra);
	clm_strbuf_addch(sb, '}');
}

static int parse_gpt2(const char *extra_vocab, const char *merges)
{
	struct clm_strbuf v = CLM_STRBUF_INIT;
	struct clm_tokenizer t;
	int rc;
	minimal_vocab(&v, extra_vocab);
	rc = clm_tok_parse_gpt2(&t, v.buf, v.len, merges, strlen(merges));
	if (rc == 0)
		clm_tok_release(&t);
	clm_strbuf_release(&v);
	return rc;
}

static void gpt2_files_reject_malformed(void **state)
{
	struct clm_tokenizer t;
	(void)state;
	assert_int_equal(parse_gpt2(", \"ab\": 256", "#version: 0.2\na b\n"), 0);
	assert_int_equal(parse_gpt2(", \"ab\": 256", "a b"), 0); /* no final newline */
	assert_int_equal(parse_gpt2(", \"ab\": 256", "a b c\n"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "line 1"));
	assert_int_equal(parse_gpt2(", \"ab\": 256", "ab\n"), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"ab\": 256", " a\n"), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"ab\": 256", "a x\n"), CLM_EINVALID); /* "ax" missing */
	assert_int_equal(parse_gpt2(", \"ab\": 256", "a b\na b\n"), CLM_EINVALID); /* repeated */
	assert_int_equal(parse_gpt2(", \"ab\": 256", "a \xe2\x82\xac\n"), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"ab\": 300", "a b\n"), CLM_EINVALID); /* ids not dense */
	assert_non_null(strstr(clm_error(), "dense"));
	assert_int_equal(parse_gpt2(", \"ab\": 5", "a b\n"), CLM_EINVALID);   /* id given twice */
	assert_int_equal(parse_gpt2(", \"ab\": -1", ""), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"ab\": \"x\"", ""), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"ab\": 99999999999", ""), CLM_EINVALID);
	assert_int_equal(parse_gpt2(", \"a\xe2\x82\xac\": 256", ""), CLM_EINVALID);
	assert_int_equal(clm_tok_parse_gpt2(&t, "{\"a\": 0", 7, "", 0), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "vocab.json"));
	assert_int_equal(clm_tok_parse_gpt2(&t, "[1, 2]", 6, "", 0), CLM_EINVALID);
	assert_int_equal(clm_tok_parse_gpt2(&t, "{\"a\": 0}", 8, "", 0), CLM_EINVALID); /* bytes missing */
	assert_int_equal(clm_tok_load_gpt2(&t, "/nonexistent/vocab.json", "/nonexistent/merges.txt"), CLM_ENOTFOUND);
}

static int parse_hf_edit(const char *path, const char *json_value)
{
	struct clm_tokenizer a, b;
	struct clm_strbuf j = CLM_STRBUF_INIT;
	json_t *root, *v = json_value ? json_loads(json_value, JSON_DECODE_ANY, NULL) : NULL;
	char *text, key[64];
	const char *dot = strchr(path, '.');
	int rc;
	train_small(&a);
	assert_int_equal(clm_tok_write_hf(&a, &j), 0);
	root = json_loadb(j.buf, j.len, 0, NULL);
	if (dot) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if (v)
			json_object_set_new(json_object_get(root, key), dot + 1, v);
		else
			json_object_del(json_object_get(root, key), dot + 1);
	} else if (v) {
		json_object_set_new(root, path, v);
	} else {
		json_object_del(root, path);
	}
	text = json_dumps(root, 0);
	rc = clm_tok_parse_hf(&b, text, strlen(text));
	if (rc == 0)
		clm_tok_release(&b);
	free(text);
	json_decref(root);
	clm_strbuf_release(&j);
	clm_tok_release(&a);
	return rc;
}

static void hf_json_rejects_what_it_cannot_do(void **state)
{
	struct clm_tokenizer t;
	(void)state;
	assert_int_equal(parse_hf_edit("decoder", "null"), 0);
	assert_int_equal(parse_hf_edit("model.dropout", "0.0"), 0);
	assert_int_equal(parse_hf_edit("normalizer", "{\"type\": \"NFC\"}"), 0);
	assert_int_equal(parse_hf_edit("normalizer", "{\"type\": \"Lowercase\"}"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "normalizer type 'Lowercase'"));
	assert_int_equal(parse_hf_edit("model.type", "\"Unigram\""), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "model type 'Unigram'"));
	assert_int_equal(parse_hf_edit("decoder", "{\"type\": \"WordPiece\"}"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "decoder type 'WordPiece'"));
	assert_int_equal(parse_hf_edit("post_processor", "{\"type\": \"BertProcessing\"}"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("pre_tokenizer", "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(\"}, "
						     "\"behavior\": \"Isolated\"}"), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "pattern"));
	assert_int_equal(parse_hf_edit("pre_tokenizer", "{\"type\": \"Split\", \"pattern\": {\"Regex\": \"a\"}, "
						     "\"behavior\": \"Contiguous\"}"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("pre_tokenizer.add_prefix_space", "true"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("pre_tokenizer.type", "\"Whitespace\""), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("pre_tokenizer", "null"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.type", "\"WordPiece\""), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.byte_fallback", "true"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.dropout", "0.1"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.continuing_subword_prefix", "\"##\""), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.merges", "[\"a b c\"]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.merges", "[[\"a\"]]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.merges", "[42]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.merges", "{}"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.vocab", "[]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model.vocab", NULL), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("added_tokens", "[{\"id\": 5}]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("added_tokens", "[{\"id\": 1000, \"content\": \"<x>\"}]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("added_tokens", "[{\"id\": -3, \"content\": \"<x>\"}]"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("added_tokens", "{}"), CLM_EINVALID);
	assert_int_equal(parse_hf_edit("model", NULL), CLM_EINVALID);
	assert_int_equal(clm_tok_parse_hf(&t, "{", 1), CLM_EINVALID);
}

/* Cut and corrupted files are rejected with a message or, when still well-formed, loaded; never
 * a crash or an out-of-bounds read (run under ASan by make check-asan). */
static void damaged_files_never_crash(void **state)
{
	struct clm_tokenizer a, b;
	struct clm_strbuf hf = CLM_STRBUF_INIT, v = CLM_STRBUF_INIT, m = CLM_STRBUF_INIT;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	(void)state;
	train_small(&a);
	assert_int_equal(clm_tok_write_hf(&a, &hf), 0);
	assert_int_equal(clm_tok_write_gpt2(&a, &v, &m), 0);
	for (int i = 0; i < 300; i++) {
		struct clm_strbuf d = CLM_STRBUF_INIT;
		const struct clm_strbuf *src = i % 3 == 0 ? &hf : i % 3 == 1 ? &v : &m;
		size_t cut, k;
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		cut = (size_t)(seed % src->len);
		clm_strbuf_add(&d, src->buf, i % 2 ? cut : src->len);
		for (k = 0; i % 2 == 0 && k < 4; k++)
			d.buf[(seed >> (8 * k)) % d.len] ^= (char)(1 + k);
		if ((i % 3 == 0 ? clm_tok_parse_hf(&b, d.buf, d.len)
				: i % 3 == 1 ? clm_tok_parse_gpt2(&b, d.buf, d.len, m.buf, m.len)
					     : clm_tok_parse_gpt2(&b, v.buf, v.len, d.buf, d.len)) == 0)
			clm_tok_release(&b);
		else
			assert_true(strlen(clm_error()) > 0);
		clm_strbuf_release(&d);
	}
	clm_tok_release(&a);
	clm_strbuf_release(&hf);
	clm_strbuf_release(&v);
	clm_strbuf_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hf_json_roundtrip),
		cmocka_unit_test(hf_json_accepts_pair_merges),
		cmocka_unit_test(gpt2_files_roundtrip),
		cmocka_unit_test(gpt2_files_reject_malformed),
		cmocka_unit_test(hf_json_rejects_what_it_cannot_do),
		cmocka_unit_test(damaged_files_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
