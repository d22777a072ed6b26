#include "eval/codebleu_keywords.h"

#include <string.h>

static const char *const java_keywords[] = {
	"abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
	"continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float",
	"for", "goto", "if", "implements", "import", "instanceof", "int", "interface", "long", "native",
	"new", "package", "private", "protected", "public", "return", "short", "static", "strictfp",
	"super", "switch", "synchronized", "this", "throw", "throws", "transient", "try", "void",
	"volatile", "while", NULL,
};

static const char *const csharp_keywords[] = {
	"abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class",
	"const", "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event",
	"explicit", "extern", "false", "finally", "fixed", "float", "for", "foreach", "goto", "if",
	"implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new",
	"null", "object", "operator", "out", "override", "params", "private", "protected", "public",
	"readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static",
	"string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong",
	"unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
	/* contextual keywords */
	"add", "alias", "ascending", "async", "await", "by", "descending", "dynamic", "equals", "from",
	"get", "global", "group", "into", "join", "let", "nameof", "notnull", "on", "orderby", "partial",
	"remove", "select", "set", "unmanaged", "value", "var", "when", "where", "yield", NULL,
};

static const char *const python_keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
	"def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
	"is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
	"yield", NULL,
};

/* The Go specification's 25 keywords. */
static const char *const go_keywords[] = {
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
	"func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
	"struct", "switch", "type", "var", NULL,
};

/* ECMAScript reserved words, the strict-mode ones and the literals. */
static const char *const javascript_keywords[] = {
	"await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
	"do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import",
	"in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
	"typeof", "var", "void", "while", "with", "yield", "let", "static", "implements", "interface",
	"package", "private", "protected", "public", "async", "of", NULL,
};

/* JavaScript's words plus TypeScript's type-level keywords. */
static const char *const typescript_keywords[] = {
	"await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
	"do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import",
	"in", "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
	"typeof", "var", "void", "while", "with", "yield", "let", "static", "implements", "interface",
	"package", "private", "protected", "public", "async", "of", "abstract", "any", "as", "asserts",
	"bigint", "boolean", "declare", "get", "infer", "is", "keyof", "module", "namespace", "never",
	"number", "object", "readonly", "require", "set", "string", "symbol", "type", "undefined",
	"unique", "unknown", "override", "satisfies", NULL,
};

/* The Rust reference's strict and reserved keywords. */
static const char *const rust_keywords[] = {
	"as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
	"false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
	"ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe",
	"use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
	"typeof", "unsized", "virtual", "yield", "try", NULL,
};

/* Ruby's reserved words. */
static const char *const ruby_keywords[] = {
	"__ENCODING__", "__LINE__", "__FILE__", "BEGIN", "END", "alias", "and", "begin", "break", "case",
	"class", "def", "defined?", "do", "else", "elsif", "end", "ensure", "false", "for", "if", "in",
	"module", "next", "nil", "not", "or", "redo", "rescue", "retry", "return", "self", "super", "then",
	"true", "undef", "unless", "until", "when", "while", "yield", NULL,
};

/* C17's keywords. */
static const char *const c_keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
	"short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
	"_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local", NULL,
};

/* C++20's keywords. */
static const char *const cpp_keywords[] = {
	"alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case",
	"catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval",
	"constexpr", "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype",
	"default", "delete", "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern",
	"false", "float", "for", "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace",
	"new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "private", "protected",
	"public", "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof",
	"static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
	"throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual",
	"void", "volatile", "wchar_t", "while", "xor", "xor_eq", NULL,
};

static const struct {
	const char *lang;
	const char *const *words;
} keyword_lists[] = {
	{ "java", java_keywords }, { "c_sharp", csharp_keywords }, { "python", python_keywords },
	{ "go", go_keywords }, { "javascript", javascript_keywords }, { "typescript", typescript_keywords },
	{ "tsx", typescript_keywords }, { "rust", rust_keywords }, { "ruby", ruby_keywords }, { "c", c_keywords },
	{ "cpp", cpp_keywords },
};

const char *const *clm_codebleu_keywords(const char *lang)
{
	for (size_t i = 0; i < sizeof(keyword_lists) / sizeof(keyword_lists[0]); i++)
		if (!strcmp(lang, keyword_lists[i].lang))
			return keyword_lists[i].words;
	return NULL;
}
