/* Per-language tree-sitter node kinds that make up functions, scopes, comments and imports. */
#ifndef CLM_PARSERS_FUNCTION_RULES_H
#define CLM_PARSERS_FUNCTION_RULES_H

struct clm_function_rules {
	const char *lang;                   /* clm_language name */
	const char *const *functions;       /* node types that define a function or method */
	const char *const *scopes;          /* node types whose name qualifies nested functions */
	const char *const *wrappers;        /* node types that wrap one definition (decorators, export) */
	const char *const *comments;        /* comment node types */
	const char *const *between;         /* node types allowed between a comment and its function */
	const char *const *descend;         /* only these node types can hold definitions (NULL: any);
	                                       saves walking expressions that cannot */
	int python_docstring;               /* docstring is the first string statement of the body */
};

/* The rules for language `lang` (a clm_language name), or NULL when functions are not extracted. */
const struct clm_function_rules *clm_function_rules_for(const char *lang);

/* Non-zero when `type` is one of the NULL-terminated `types`. */
int clm_node_type_in(const char *type, const char *const *types);

#endif
