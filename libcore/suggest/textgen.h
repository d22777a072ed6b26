/* `git clmodel generate`: open a model to try it (a Hugging Face directory, a GGUF file or a stored
 * version), encode a prompt with the model's own tokenizer, and generate from it with the
 * engine's sampling, streaming each new token's text and, on request, the most likely tokens
 * with their log-probabilities before each choice. */
#ifndef CLM_SUGGEST_TEXTGEN_H
#define CLM_SUGGEST_TEXTGEN_H

#include <stddef.h>
#include <stdint.h>
#include "cl/base_model.h"
#include "util/strbuf.h"

struct clm_textgen_model {
	struct clm_base_model base; /* engine model and tokenizer */
	int32_t eos[8];             /* tokens that end a generation */
	int n_eos;
	struct clm_strbuf source;   /* what was opened ("Hugging Face directory <dir>", ...) */
	double load_seconds;
};

/* Open `spec`: a directory with config.json (weights mapped from model.safetensors or its shards,
 * eos ids from generation_config.json, else config.json, else <|endoftext|>), a .gguf file, or a
 * version of the repository at `repo` (NULL: the current one; "<model>", "<model>~N", an id or a
 * ref). Release with clm_textgen_model_release, also after a failure. */
int clm_textgen_model_open(const char *spec, const char *repo, struct clm_textgen_model *out);

void clm_textgen_model_release(struct clm_textgen_model *m);

struct clm_textgen_options {
	int max_new_tokens;
	float temperature; /* <= 0: greedy */
	int top_k;
	float top_p;
	uint64_t seed;
	int top_m;         /* > 0: record the top_m most likely [id, log p] before each new token */
	int adapter;       /* LoRA set of the model to apply (a version's), -1: none */
	/* called with each new token's text as it is made (may be NULL) */
	void (*on_text)(void *arg, const char *text, size_t len);
	void *arg;
};

struct clm_textgen_result {
	int32_t *prompt_ids; /* the prompt as the tokenizer encodes it */
	int n_prompt;
	int32_t *tokens;     /* new tokens (not the end token that stopped the generation) */
	int n_tokens;
	int32_t *top_ids;    /* n_tokens x top_m, most likely first */
	float *top_logprobs;
	int top_m;
	struct clm_strbuf text; /* the new tokens' text */
	double prompt_seconds, gen_seconds; /* prompt forward (to the first token), the rest */
};

/* Generate from `prompt`; fills `out` (release with clm_textgen_result_release, also after a
 * failure). 0 or a negative code. */
int clm_textgen_run(struct clm_textgen_model *m, const char *prompt, size_t len, const struct clm_textgen_options *o,
		    struct clm_textgen_result *out);

void clm_textgen_result_release(struct clm_textgen_result *r);

#endif
