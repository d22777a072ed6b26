#include "tok/gpt2_files.h"
#include "tok/vocab_io.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

/* Vocabulary files larger than this are refused before parsing. */
#define MAX_FILE_BYTES (256u << 20)

static int parse_merges(struct clm_tokenizer *t, const char *text, size_t len)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *sp;
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		int rc;
		pos += n + (nl != NULL);
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		if (n == 0 || (lineno == 1 && n >= 8 && !memcmp(line, "#version", 8)))
			continue;
		sp = memchr(line, ' ', n);
		if (!sp || sp == line || sp == line + n - 1 || memchr(sp + 1, ' ', n - (size_t)(sp - line) - 1))
			return clm_error_set(CLM_EINVALID, "merges.txt line %zu: expected two tokens separated by one space",
					     lineno);
		rc = clm_tok_add_mapped_merge(t, line, (size_t)(sp - line), sp + 1, n - (size_t)(sp - line) - 1,
					      "merges.txt", lineno);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* GPT-2 lists <|endoftext|> in vocab.json like any token; what sets it apart is that no merge
 * builds or uses it and it is not a byte. */
static int mark_specials(struct clm_tokenizer *t)
{
	unsigned char *in_merge = calloc(t->n_tokens, 1);
	int rc = 0;

	if (!in_merge)
		return clm_error_oom();
	for (size_t i = 0; i < t->n_merges; i++) {
		in_merge[t->merges[i].left] = in_merge[t->merges[i].right] = 1;
		in_merge[t->merges[i].result] = 1;
	}
	for (size_t id = 0; id < t->n_tokens && rc == 0; id++) {
		const struct clm_tok_token *tk = &t->tokens[id];
		if (!in_merge[id] && tk->len > 1 && !tk->special) {
			char *copy = malloc(tk->len);
			if (!copy) {
				rc = clm_error_oom();
				break;
			}
			memcpy(copy, t->pool + tk->off, tk->len);
			rc = clm_tok_set_token(t, (int32_t)id, copy, tk->len, 1);
			free(copy);
		}
	}
	free(in_merge);
	return rc;
}

int clm_tok_parse_gpt2(struct clm_tokenizer *t, const char *vocab_json, size_t vocab_len, const char *merges,
		       size_t merges_len)
{
	json_t *vocab = clm_json_parse(vocab_json, vocab_len, "vocab.json");
	int rc;

	if (!vocab) {
		memset(t, 0, sizeof(*t));
		return CLM_EINVALID;
	}
	rc = clm_tok_vocab_from_json(t, vocab, NULL, 1, "vocab.json");
	json_decref(vocab);
	if (rc == 0)
		rc = parse_merges(t, merges, merges_len);
	if (rc == 0)
		rc = mark_specials(t);
	if (rc == 0)
		rc = clm_tok_finish(t);
	if (rc < 0)
		clm_tok_release(t);
	return rc;
}

int clm_tok_load_gpt2(struct clm_tokenizer *t, const char *vocab_path, const char *merges_path)
{
	struct clm_strbuf v = CLM_STRBUF_INIT, m = CLM_STRBUF_INIT;
	int rc = clm_read_file(vocab_path, MAX_FILE_BYTES, &v);

	memset(t, 0, sizeof(*t));
	if (rc == 0)
		rc = clm_read_file(merges_path, MAX_FILE_BYTES, &m);
	if (rc == 0)
		rc = clm_tok_parse_gpt2(t, v.buf, v.len, m.buf, m.len);
	clm_strbuf_release(&v);
	clm_strbuf_release(&m);
	return rc;
}

int clm_tok_write_gpt2(const struct clm_tokenizer *t, struct clm_strbuf *vocab_json, struct clm_strbuf *merges)
{
	json_t *vocab = clm_tok_vocab_to_json(t);
	int rc;

	if (!vocab)
		return CLM_EINVALID;
	rc = clm_tok_json_dump(vocab, vocab_json);
	json_decref(vocab);
	if (rc < 0)
		return rc;
	if (clm_strbuf_addstr(merges, "#version: 0.2\n") < 0)
		return CLM_ENOMEM;
	for (size_t i = 0; i < t->n_merges; i++)
		if (clm_tok_merge_to_mapped(t, i, merges) < 0 || clm_strbuf_addch(merges, '\n') < 0)
			return CLM_ENOMEM;
	return 0;
}
