/* The source and target texts of examples built from one extracted function: refine (whole
 * function), generate (signature + docstring or leading comment -> body) and summarize
 * (function without its docstring -> first sentence). CRLF line ends become LF. */
#ifndef CLM_DATA_FUNCTION_TEXTS_H
#define CLM_DATA_FUNCTION_TEXTS_H

#include <stddef.h>
#include <stdint.h>
#include "parsers/functions.h"
#include "util/strbuf.h"

/* Append the whole function `f` of `src` to `out`; 0 or CLM_ENOMEM. */
int clm_function_text(const char *src, const struct clm_function *f, struct clm_strbuf *out);

/* Fill `source` (signature with docstring or leading comment) and `target` (the rest of the
 * function). 0 or CLM_ENOMEM. */
int clm_generate_texts(const char *src, const struct clm_function *f, struct clm_strbuf *source,
		       struct clm_strbuf *target);

/* Fill `source` (the function with its docstring lines removed) and `target` (the first sentence
 * of its docstring). Returns 1 when filled, 0 when the function has no summary, CLM_ENOMEM. */
int clm_summarize_texts(const char *src, size_t len, const struct clm_function *f, struct clm_strbuf *source,
			struct clm_strbuf *target);

/* A rough token count: identifier and number runs count one, every other visible byte one, every
 * line break one and every run of two or more blanks one, so blank lines and deep indentation
 * count against a cap as they do for the model. */
size_t clm_approx_tokens(const char *s, size_t len);

/* Non-zero when the text is only whitespace. */
int clm_text_blank(const char *s, size_t len);

/* Non-zero when two texts differ at most in whitespace (a reformatted function). */
int clm_text_same_but_space(const char *a, size_t alen, const char *b, size_t blen);

#endif
