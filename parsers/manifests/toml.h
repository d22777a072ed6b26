/* A TOML document as a tree of tables, arrays and strings, read with the tree-sitter TOML
 * grammar. Enough for manifests: table headers, dotted keys, inline tables, arrays of tables. */
#ifndef CLM_PARSERS_MANIFESTS_TOML_H
#define CLM_PARSERS_MANIFESTS_TOML_H

#include <stddef.h>

enum clm_toml_kind { CLM_TOML_STRING, CLM_TOML_TABLE, CLM_TOML_ARRAY, CLM_TOML_OTHER };

struct clm_toml {
	enum clm_toml_kind kind;
	char *key;               /* key within the parent table; NULL for array elements */
	char *str;               /* decoded text of a STRING; source text of OTHER (true, 1.5) */
	size_t line;             /* 1-based line where the value is written */
	struct clm_toml **items; /* table entries or array elements, in document order */
	size_t n, alloc;
};

/* Parse `len` bytes of TOML. On success *root is a TABLE the caller frees with clm_toml_free;
 * on malformed input returns CLM_EINVALID with a message naming `path` and the line. */
int clm_toml_parse(const char *path, const char *data, size_t len, struct clm_toml **root);

/* Free a document. */
void clm_toml_free(struct clm_toml *t);

/* Entry `key` of `table` (the first one when repeated), or NULL. */
const struct clm_toml *clm_toml_get(const struct clm_toml *table, const char *key);

/* Entry at dotted `path` ("tool.poetry.dependencies"; keys without dots), or NULL. */
const struct clm_toml *clm_toml_at(const struct clm_toml *table, const char *path);

/* The string at `key` of `table`, or NULL when absent or not a string. */
const char *clm_toml_string(const struct clm_toml *table, const char *key);

#endif
