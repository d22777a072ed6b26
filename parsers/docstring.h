/* Docstrings and leading comments: strip the syntax around them and find their first sentence. */
#ifndef CLM_PARSERS_DOCSTRING_H
#define CLM_PARSERS_DOCSTRING_H

#include <stddef.h>

/* The text of a run of comments (`len` bytes of source, one or more comments) without comment
 * markers (line and block openers and closers, leading *, #), blank edges removed. Caller
 * frees; NULL when empty or out of memory. */
char *clm_doc_from_comment(const char *text, size_t len);

/* The text of a Python string literal used as a docstring, without prefix and quotes and with
 * common indentation removed (like inspect.cleandoc). Caller frees; NULL when empty. */
char *clm_doc_from_python_string(const char *text, size_t len);

/* The first sentence of a docstring: its first paragraph up to the first period followed by
 * whitespace, with whitespace runs collapsed to one space. Caller frees; NULL when none. */
char *clm_doc_first_sentence(const char *doc);

#endif
