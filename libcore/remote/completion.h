/* The OpenAI-compatible /v1/completions wire format: the request body and the response chunks
 * (one streamed event or a whole non-streamed answer). Pure functions, no I/O. */
#ifndef CLM_REMOTE_COMPLETION_H
#define CLM_REMOTE_COMPLETION_H

#include <stddef.h>
#include "util/strbuf.h"

struct clm_completion_request {
	const char *model;       /* NULL: not sent (llama.cpp's server ignores it; vLLM, Ollama need it) */
	const char *prompt;      /* required */
	int max_tokens;          /* > 0 */
	double temperature;      /* 0 asks for greedy decoding */
	const char *const *stop; /* NULL-terminated stop strings, or NULL */
	int stream;              /* ask for server-sent events */
};

/* What one chunk (or a whole answer) adds. */
struct clm_completion_delta {
	struct clm_strbuf text;  /* text of choice 0 in this chunk (may be empty); owned */
	char finish_reason[32];  /* why generation ended ("stop", "length"), "" while it goes on */
	int done;                /* the chunk was the "[DONE]" end-of-stream marker */
};

/* Append the JSON request body for `req` to `out`; 0, CLM_EINVALID (no prompt) or CLM_ENOMEM. */
int clm_completion_request_json(const struct clm_completion_request *req, struct clm_strbuf *out);

/* Parse one response chunk of `len` bytes into `out` (reset first). Returns 0; CLM_EINVALID with
 * a message when it is not a completion object; CLM_EGENERIC when it is an error object (the
 * message carries the server's text, cut to 200 bytes). */
int clm_completion_parse(const char *data, size_t len, struct clm_completion_delta *out);

/* Initialise a delta. */
void clm_completion_delta_init(struct clm_completion_delta *d);

/* Free a delta's memory. */
void clm_completion_delta_release(struct clm_completion_delta *d);

/* Bytes one token may take in an answer, and the most text an answer may have: a completion is
 * cut at max_tokens pieces of text and at max_tokens times CLM_COMPLETION_TOKEN_BYTES_MAX bytes
 * (CLM_COMPLETION_TEXT_MAX at most), whatever the server sends. */
#define CLM_COMPLETION_TOKEN_BYTES_MAX 256u
#define CLM_COMPLETION_TEXT_MAX (16u << 20)

/* Bytes of the next piece of text (`len` bytes at `text`) an answer limited to `max_tokens` takes
 * after `have` bytes in `pieces` pieces: all of it, a prefix ending on a UTF-8 character boundary,
 * or none; `*cut` is set when the answer has reached its cap and reading should stop. */
size_t clm_completion_take(const char *text, size_t len, size_t have, int pieces, int max_tokens, int *cut);

#endif
