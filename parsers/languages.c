#include "parsers/languages.h"
#include "util/error.h"
#include "clm_grammars.h"

#include <string.h>
#include <strings.h>

const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_java(void);
const TSLanguage *tree_sitter_javascript(void);
const TSLanguage *tree_sitter_typescript(void);
const TSLanguage *tree_sitter_tsx(void);
const TSLanguage *tree_sitter_go(void);
const TSLanguage *tree_sitter_c_sharp(void);
const TSLanguage *tree_sitter_c(void);
const TSLanguage *tree_sitter_cpp(void);
const TSLanguage *tree_sitter_rust(void);
const TSLanguage *tree_sitter_ruby(void);
const TSLanguage *tree_sitter_json(void);
const TSLanguage *tree_sitter_toml(void);

static const char *const ext_python[] = { ".py", ".pyi", NULL };
static const char *const ext_java[] = { ".java", NULL };
static const char *const ext_javascript[] = { ".js", ".mjs", ".cjs", ".jsx", NULL };
static const char *const ext_typescript[] = { ".ts", ".mts", ".cts", NULL };
static const char *const ext_tsx[] = { ".tsx", NULL };
static const char *const ext_go[] = { ".go", NULL };
static const char *const ext_c_sharp[] = { ".cs", NULL };
static const char *const ext_c[] = { ".c", ".h", NULL };
static const char *const ext_cpp[] = { ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx", NULL };
static const char *const ext_rust[] = { ".rs", NULL };
static const char *const ext_ruby[] = { ".rb", NULL };
static const char *const ext_json[] = { ".json", NULL };
static const char *const ext_toml[] = { ".toml", NULL };

static const struct clm_language languages[] = {
	{ "python", CLM_GRAMMAR_VERSION_PYTHON, tree_sitter_python, ext_python },
	{ "java", CLM_GRAMMAR_VERSION_JAVA, tree_sitter_java, ext_java },
	{ "javascript", CLM_GRAMMAR_VERSION_JAVASCRIPT, tree_sitter_javascript, ext_javascript },
	{ "typescript", CLM_GRAMMAR_VERSION_TYPESCRIPT, tree_sitter_typescript, ext_typescript },
	{ "tsx", CLM_GRAMMAR_VERSION_TSX, tree_sitter_tsx, ext_tsx },
	{ "go", CLM_GRAMMAR_VERSION_GO, tree_sitter_go, ext_go },
	{ "c_sharp", CLM_GRAMMAR_VERSION_C_SHARP, tree_sitter_c_sharp, ext_c_sharp },
	{ "c", CLM_GRAMMAR_VERSION_C, tree_sitter_c, ext_c },
	{ "cpp", CLM_GRAMMAR_VERSION_CPP, tree_sitter_cpp, ext_cpp },
	{ "rust", CLM_GRAMMAR_VERSION_RUST, tree_sitter_rust, ext_rust },
	{ "ruby", CLM_GRAMMAR_VERSION_RUBY, tree_sitter_ruby, ext_ruby },
	{ "json", CLM_GRAMMAR_VERSION_JSON, tree_sitter_json, ext_json },
	{ "toml", CLM_GRAMMAR_VERSION_TOML, tree_sitter_toml, ext_toml },
	{ NULL, NULL, NULL, NULL },
};

const struct clm_language *clm_languages(void)
{
	return languages;
}

const struct clm_language *clm_language_for_path(const char *path)
{
	size_t plen = strlen(path);

	for (const struct clm_language *l = languages; l->name; l++)
		for (const char *const *e = l->extensions; *e; e++) {
			size_t elen = strlen(*e);
			if (plen > elen && !strcasecmp(path + plen - elen, *e))
				return l;
		}
	return NULL;
}

const struct clm_language *clm_language_by_name(const char *name)
{
	if (!strcasecmp(name, "csharp") || !strcasecmp(name, "c#") || !strcasecmp(name, "cs"))
		name = "c_sharp";
	else if (!strcasecmp(name, "js"))
		name = "javascript";
	else if (!strcasecmp(name, "ts"))
		name = "typescript";
	else if (!strcasecmp(name, "py"))
		name = "python";
	for (const struct clm_language *l = languages; l->name; l++)
		if (!strcasecmp(l->name, name))
			return l;
	return NULL;
}

int clm_language_parser(const struct clm_language *lang, TSParser **out)
{
	const TSLanguage *g = lang->grammar();
	TSParser *p = ts_parser_new();

	*out = NULL;
	if (!p)
		return clm_error_oom();
	/* An ABI-15 grammar links fine and fails only here, so this return value is the check. */
	if (!ts_parser_set_language(p, g)) {
		ts_parser_delete(p);
		return clm_error_set(CLM_EINVALID,
				     "tree-sitter grammar '%s' %s has ABI %u, but this libtree-sitter accepts "
				     "%d-%d; rebuild with a grammar version for that ABI (parsers/grammars.lock)",
				     lang->name, lang->package_version, ts_language_version(g),
				     TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION, TREE_SITTER_LANGUAGE_VERSION);
	}
	*out = p;
	return 0;
}

int clm_languages_check(void)
{
	for (const struct clm_language *l = languages; l->name; l++) {
		TSParser *p;
		int rc = clm_language_parser(l, &p);
		if (rc < 0)
			return rc;
		ts_parser_delete(p);
	}
	return 0;
}
