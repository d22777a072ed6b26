/* Language registry: which tree-sitter grammar parses a file, and whether it loads here. */
#ifndef CLM_PARSERS_LANGUAGES_H
#define CLM_PARSERS_LANGUAGES_H

#include <tree_sitter/api.h>

struct clm_language {
	const char *name;            /* "python", "java", "c_sharp", ... */
	const char *package_version; /* npm package version of the pinned grammar */
	const TSLanguage *(*grammar)(void);
	const char *const *extensions; /* file name endings, NULL-terminated (".py") */
};

/* The language for a file path (by extension), or NULL when not supported. */
const struct clm_language *clm_language_for_path(const char *path);

/* The language called `name` ("python", "csharp" and "c_sharp" both work), or NULL. */
const struct clm_language *clm_language_by_name(const char *name);

/* All languages, NULL-name terminated. */
const struct clm_language *clm_languages(void);

/* Create a parser for `lang`. Fails with a message naming the grammar and its ABI when the
 * system libtree-sitter cannot load it (ts_parser_set_language returned false). */
int clm_language_parser(const struct clm_language *lang, TSParser **out);

/* Check that every pinned grammar loads; the first failure's message names it. */
int clm_languages_check(void);

#endif
