/* Helpers shared by the per-ecosystem manifest parsers (internal to parsers/manifests). */
#ifndef CLM_PARSERS_MANIFESTS_COMMON_H
#define CLM_PARSERS_MANIFESTS_COMMON_H

#include "parsers/manifest.h"

#include <stddef.h>
#include <tree_sitter/api.h>

extern const struct clm_manifest_parser clm_manifest_pypi;
extern const struct clm_manifest_parser clm_manifest_npm;
extern const struct clm_manifest_parser clm_manifest_go;
extern const struct clm_manifest_parser clm_manifest_cargo;
extern const struct clm_manifest_parser clm_manifest_maven;
extern const struct clm_manifest_parser clm_manifest_gradle;
extern const struct clm_manifest_parser clm_manifest_rubygems;
extern const struct clm_manifest_parser clm_manifest_nuget;

/* A byte range of the manifest text (not NUL-terminated). */
struct clm_span {
	const char *p;
	size_t n;
};

/* Cursor over the lines of a buffer; `lineno` is 1-based for the line last returned. */
struct clm_lines {
	const char *p, *end;
	size_t lineno;
};

/* Start iterating over `len` bytes of `data`. */
void clm_lines_init(struct clm_lines *it, const char *data, size_t len);

/* The next line without its "\n" or "\r\n"; 0 at the end. */
int clm_lines_next(struct clm_lines *it, struct clm_span *line);

/* `s` without leading and trailing ASCII whitespace. */
struct clm_span clm_span_trim(struct clm_span s);

/* Non-zero when the span equals the C string `word`. */
int clm_span_eq(struct clm_span s, const char *word);

/* The last path component of `path`. */
const char *clm_path_basename(const char *path);

/* Set CLM_EINVALID with "path:line: message" ("path: message" when line is 0) and return it. */
int clm_manifest_reject(const char *path, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reject text manifests containing NUL bytes (binary data). */
int clm_manifest_check_text(const char *path, const char *data, size_t len);

/* Append a dependency whose lower bound is derived from `spec`; `name` and `spec` are spans of
 * the manifest text. 0 or CLM_ENOMEM. */
int clm_manifest_add(struct clm_dep_list *out, struct clm_span name, struct clm_span spec,
		     const char *group);

/* Like clm_manifest_add with C strings. */
int clm_manifest_add_str(struct clm_dep_list *out, const char *name, const char *spec,
			 const char *group);

struct clm_strbuf;

/* Append code point `cp` as UTF-8; NUL, surrogates and values past U+10FFFF become U+FFFD. */
void clm_add_utf8(struct clm_strbuf *sb, unsigned long cp);

/* Parse a manifest with the tree-sitter grammar `language` ("toml", "python"); rejects
 * binary data and syntax errors (naming the line of the first one, `what` says which syntax:
 * "invalid TOML"). Caller deletes *tree. */
int clm_ts_parse_manifest(const char *path, const char *data, size_t len, const char *language,
			  const char *what, TSTree **tree);

/* 1-based line where `n` starts. */
size_t clm_ts_line(TSNode n);

/* Non-zero when `s` ends with `suffix`, ignoring ASCII case. */
int clm_has_suffix(const char *s, const char *suffix);

/* Expand references such as ${name} or $(name) (`open` is "${" or "$(", `close` the closing
 * character) through `lookup`, repeatedly while values refer to others, a bounded number of
 * times; unknown references stay as written. Appends to `out`; 0 or CLM_ENOMEM. */
int clm_expand_refs(const char *value, const char *open, char close,
		    const char *(*lookup)(const void *ctx, const char *name, size_t n),
		    const void *ctx, struct clm_strbuf *out);

/* The named children of `node` in a new array *out (caller frees; NULL when there are none);
 * 0 or CLM_ENOMEM. Indexing ts_node_named_child one by one is quadratic in tree-sitter. */
int clm_ts_named_children(TSNode node, TSNode **out, uint32_t *count);

#endif
