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

const char *const *clm_codebleu_keywords(const char *lang)
{
	if (!strcmp(lang, "java"))
		return java_keywords;
	if (!strcmp(lang, "c_sharp"))
		return csharp_keywords;
	if (!strcmp(lang, "python"))
		return python_keywords;
	return NULL;
}
