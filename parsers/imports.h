/* Import extraction (Python import/from, JS/TS import and require, Go import paths, Rust use,
 * Java imports, C# using, Ruby require, C/C++ #include) and the names a function mentions. */
#ifndef CLM_PARSERS_IMPORTS_H
#define CLM_PARSERS_IMPORTS_H

#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>
#include "parsers/languages.h"

struct clm_import {
	char *module; /* as written: "requests.adapters", "lodash/fp", "github.com/x/y/v9", "serde_json",
	                 "com.google.gson.Gson", "Newtonsoft.Json"; owned */
	char *bound;  /* the local name it binds, or "*" when it brings in every name of the module
	                 (wildcards, C# using, Ruby require, C include); owned */
};

struct clm_import_list {
	struct clm_import *items;
	size_t n, alloc;
};

/* Append the imports found anywhere in `tree` (parsed from `src` with `lang`). 0 or CLM_ENOMEM. */
int clm_imports_extract(const struct clm_language *lang, const TSTree *tree, const char *src, size_t len,
			struct clm_import_list *out);

/* Non-zero when `module` (as imported) comes from the dependency `package` of `ecosystem`
 * ("pypi", "npm", "go", "cargo", "maven", "gradle", "nuget", "rubygems"). */
int clm_import_from_package(const char *ecosystem, const char *package, const char *module);

/* Non-zero when an identifier inside bytes [start, end) of `tree` equals one of the `n` names. */
int clm_range_mentions(const TSTree *tree, const char *src, uint32_t start, uint32_t end,
		       const char *const *names, size_t n);

/* Free the list's contents and leave it empty. */
void clm_import_list_release(struct clm_import_list *l);

#endif
