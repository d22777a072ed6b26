/* GGUF files: the in-memory parser with its typed getters, then the gpt2 importer (hyper-
 * parameters, vocabulary, merges and tensors) on the same bytes written to a file. */
#include "fuzz.h"
#include "io/gguf.h"
#include "io/gguf_gpt2.h"

static void query(const struct clm_gguf_file *f)
{
	static const char *const keys[] = { "general.architecture", "general.alignment", "gpt2.context_length",
					    "tokenizer.ggml.tokens", "tokenizer.ggml.merges",
					    "tokenizer.ggml.token_type", "gpt2.attention.layer_norm_epsilon" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct clm_gguf_str s, *strs = NULL;
		int64_t *ints = NULL;
		uint64_t u;
		double d;
		size_t n;

		clm_gguf_get_uint(f, keys[i], &u);
		clm_gguf_get_float(f, keys[i], &d);
		clm_gguf_get_string(f, keys[i], &s);
		if (clm_gguf_get_strings(f, keys[i], &strs, &n) == 0)
			free(strs);
		if (clm_gguf_get_ints(f, keys[i], &ints, &n) == 0)
			free(ints);
	}
	clm_gguf_find_tensor(f, "token_embd.weight");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_gguf_file f;
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab vocab;
	struct clm_tensor_list hf = { 0 };
	char path[64];

	memset(&f, 0, sizeof(f));
	if (clm_gguf_parse(data, size, &f) == 0)
		query(&f);
	clm_gguf_close(&f);
	if (fuzz_write_file(path, "gguf", data, size) < 0)
		return 0;
	if (clm_gguf_read_gpt2(path, &hp, &vocab, &hf) == 0) {
		clm_gguf_vocab_release(&vocab);
		clm_tensor_list_release(&hf);
	}
	unlink(path);
	return 0;
}
