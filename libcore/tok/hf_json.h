/* Hugging Face tokenizers' tokenizer.json for BPE models: byte-level ones (GPT-2, Llama 3, Qwen2,
 * DeepSeek-Coder, StarCoder2: ByteLevel and Split pre-tokenizers in a Sequence, ignore_merges)
 * and SentencePiece-style ones (Llama 2, CodeLlama: Prepend/Replace normalizers or Metaspace,
 * byte_fallback, unk), added_tokens with their options, TemplateProcessing, and the decoders
 * that go with them. Other components (WordPiece, Unigram, BERT normalizers...) are refused by
 * name. tokenizer_config.json adds BOS/EOS names and transformers' add_bos_token rule. */
#ifndef CLM_TOK_HF_JSON_H
#define CLM_TOK_HF_JSON_H

#include <stddef.h>
#include "tok/bpe.h"

/* Build a finished tokenizer from tokenizer.json text. Files that ask for something this
 * tokenizer does not do (another model or component, a ByteLevel prefix space, subword
 * prefixes, dropout) are rejected with a message naming it; on failure `t` is released. */
int clm_tok_parse_hf(struct clm_tokenizer *t, const char *json, size_t len);

/* Read a tokenizer.json file and build the tokenizer. */
int clm_tok_load_hf(struct clm_tokenizer *t, const char *path);

/* Apply tokenizer_config.json text to a built tokenizer: bos_token and eos_token set bos_id and
 * eos_id, and for Llama/CodeLlama/Gemma tokenizer classes add_bos_token (default true) and
 * add_eos_token decide the tokens CLM_TOK_ADD_SPECIAL adds, as transformers does. */
int clm_tok_parse_hf_config(struct clm_tokenizer *t, const char *json, size_t len);

/* Load a model directory's tokenizer.json and, when present, its tokenizer_config.json; on
 * failure `t` is released. */
int clm_tok_load_dir(struct clm_tokenizer *t, const char *dir);

/* Append tokenizer.json for `t` to `out` (GPT-2-style tokenizers only: others keep their file). */
int clm_tok_write_hf(const struct clm_tokenizer *t, struct clm_strbuf *out);

/* Write tokenizer.json for `t` to `path` atomically. */
int clm_tok_save_hf(const struct clm_tokenizer *t, const char *path);

#endif
