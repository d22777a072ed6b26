/* Function and method extraction with tree-sitter: names, spans, signatures, bodies, docstrings,
 * and the function that encloses a line. Traversal is iterative (a tree cursor), so hostile
 * nesting cannot exhaust the stack. */
#ifndef CLM_PARSERS_FUNCTIONS_H
#define CLM_PARSERS_FUNCTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>
#include "parsers/languages.h"

struct clm_function {
	char *name;                    /* qualified: enclosing scopes joined by '.' ("Client.get"); owned */
	uint32_t start_byte, end_byte; /* the definition with its decorators or export wrapper, from the
	                                  start of its first line when only indentation precedes it */
	uint32_t start_line, end_line; /* 1-based, inclusive */
	uint32_t body_start;           /* first byte of the body: [start_byte, body_start) is the signature */
	uint32_t lead_start;           /* first byte of the leading comment, or start_byte when none */
	uint32_t doc_start, doc_end;   /* Python: the docstring statement in the body; equal when none */
	char *doc;                     /* docstring or leading comment without markers, or NULL; owned */
	char *summary;                 /* first sentence of doc, or NULL; owned */
	uint32_t depth;                /* number of functions enclosing this one */
};

struct clm_function_list {
	struct clm_function *items; /* in source order, an enclosing function before its nested ones */
	size_t n, alloc;
};

/* Non-zero when functions can be extracted for `lang`. */
int clm_functions_supported(const struct clm_language *lang);

/* Append the functions of `tree` (parsed from the `len` bytes at `src` with `lang`) to `out`.
 * Functions without a body (declarations, abstract methods) are left out. 0 or CLM_ENOMEM. */
int clm_functions_extract(const struct clm_language *lang, const TSTree *tree, const char *src, size_t len,
			  struct clm_function_list *out);

/* The innermost function containing every line of [first_line, last_line] (1-based), or NULL. */
const struct clm_function *clm_function_enclosing(const struct clm_function_list *l, uint32_t first_line,
						  uint32_t last_line);

/* Fill map[0..nlines) with the index of the innermost function containing each line (line i+1),
 * or -1 for lines outside every function. */
void clm_functions_line_map(const struct clm_function_list *l, uint32_t nlines, int32_t *map);

/* The first function called `name` (qualified), or NULL. */
const struct clm_function *clm_function_find(const struct clm_function_list *l, const char *name);

/* Free the list's contents and leave it empty. */
void clm_function_list_release(struct clm_function_list *l);

#endif
