/* Whether a suggestion is worth showing: a rewritten function must parse (no tree-sitter ERROR
 * node where the original had none), must not be degenerate (a unit of tokens repeated back to
 * back more than anywhere in the input), and must say something new (differ from the input; a
 * completion must not be blank). */
#ifndef CLM_SUGGEST_CHECK_H
#define CLM_SUGGEST_CHECK_H

#include <stddef.h>
#include "data/dataset.h"
#include "util/strbuf.h"

/* What the suggestion answers. Borrowed. */
struct clm_suggest_input {
	enum clm_task_kind kind;
	const char *lang;       /* "" or NULL: no parse check */
	const char *source;     /* what the model was given */
	const char *file;       /* the whole file when `source` is its lines [first_line, last_line]
				   (1-based), else NULL */
	size_t file_len;
	unsigned first_line, last_line;
};

/* The longest back-to-back repetition in `text`: the largest count c such that some unit of 1 to
 * 16 tokens (words and single punctuation characters, whitespace ignored) occurs c times in a row
 * and the run spans at least 8 tokens (1 when there is none). */
size_t clm_repetition_run(const char *text);

/* 1 when `out` is worth showing for `in`; 0 with the reason appended to `why` when it is not;
 * negative on error. */
int clm_suggest_check(const struct clm_suggest_input *in, const char *out, struct clm_strbuf *why);

#endif
