/* Tokenizer files. First byte even: tokenizer.json (Hugging Face); odd: GPT-2's vocab.json and
 * merges.txt separated by the first NUL byte. A tokenizer that loads encodes and decodes a short
 * text and is written back out in both formats. */
#include "fuzz.h"
#include "tok/gpt2_files.h"
#include "tok/hf_json.h"
#include "util/strbuf.h"

static void exercise(struct clm_tokenizer *t)
{
	static const char text[] = "def f(x):\n    return x  + 1 <|endoftext|> \xc3\xa9\xff";
	struct clm_tok_ids ids = { 0 };
	struct clm_strbuf out = CLM_STRBUF_INIT, a = CLM_STRBUF_INIT, b = CLM_STRBUF_INIT;

	if (clm_tok_encode(t, text, sizeof(text) - 1, CLM_TOK_ALLOW_SPECIAL, &ids) == 0)
		clm_tok_decode(t, ids.v, ids.n, &out);
	clm_tok_write_hf(t, &a);
	clm_tok_write_gpt2(t, &a, &b);
	clm_strbuf_release(&out);
	clm_strbuf_release(&a);
	clm_strbuf_release(&b);
	clm_tok_ids_release(&ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_tokenizer t;
	const char *text = (const char *)data + 1, *nul;
	size_t len = size ? size - 1 : 0;
	int rc;

	if (size < 1)
		return 0;
	memset(&t, 0, sizeof(t));
	if (data[0] % 2 == 0) {
		rc = clm_tok_parse_hf(&t, text, len);
	} else {
		nul = memchr(text, 0, len);
		if (!nul)
			return 0;
		rc = clm_tok_parse_gpt2(&t, text, (size_t)(nul - text), nul + 1, len - (size_t)(nul - text) - 1);
	}
	if (rc == 0) {
		exercise(&t);
		clm_tok_release(&t);
	}
	return 0;
}
