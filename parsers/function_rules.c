#include "parsers/function_rules.h"

#include <stddef.h>
#include <string.h>

static const char *const none[] = { NULL };
static const char *const comment[] = { "comment", NULL };
static const char *const line_block_comment[] = { "line_comment", "block_comment", NULL };

static const char *const py_functions[] = { "function_definition", NULL };
static const char *const py_scopes[] = { "class_definition", NULL };
static const char *const py_wrappers[] = { "decorated_definition", NULL };

static const char *const py_descend[] = { "module", "block", "class_definition", "function_definition",
					 "decorated_definition", "if_statement", "elif_clause", "else_clause",
					 "for_statement", "while_statement", "try_statement", "except_clause",
					 "except_group_clause", "finally_clause", "with_statement", "match_statement",
					 "case_clause", "ERROR", NULL };

static const char *const java_functions[] = { "method_declaration", "constructor_declaration", NULL };
static const char *const java_scopes[] = { "class_declaration", "interface_declaration", "enum_declaration",
					   "record_declaration", NULL };

/* Arrow functions and function expressions bound to a name are found through their declarator,
 * or through the assignment that binds them (`res.send = function send(body) {...}`). */
static const char *const js_functions[] = { "function_declaration", "generator_function_declaration",
					    "method_definition", "variable_declarator", "assignment_expression",
					    NULL };
static const char *const js_scopes[] = { "class_declaration", "class", NULL };
static const char *const ts_scopes[] = { "class_declaration", "abstract_class_declaration", "class",
					 "interface_declaration", "internal_module", NULL };
static const char *const js_wrappers[] = { "export_statement", NULL };

static const char *const java_descend[] = { "program", "class_declaration", "class_body", "interface_declaration",
					   "interface_body", "enum_declaration", "enum_body", "enum_body_declarations",
					   "record_declaration", "ERROR", NULL };

static const char *const go_functions[] = { "function_declaration", "method_declaration", NULL };
/* Go declares functions and imports at top level only. */
static const char *const go_descend[] = { "source_file", "import_declaration", "import_spec_list", "ERROR", NULL };

static const char *const cs_functions[] = { "method_declaration", "constructor_declaration",
					    "local_function_statement", NULL };
static const char *const cs_scopes[] = { "class_declaration", "struct_declaration", "interface_declaration",
					 "record_declaration", "namespace_declaration", NULL };

/* Items hold functions, and so do blocks (a fn inside a fn); expressions never hold an item worth
 * extracting, and walking them costs most of the time on large files. Every list descends into
 * ERROR nodes: tree-sitter wraps what it cannot parse (say, #if around using directives) in one,
 * and the definitions inside are still whole. */
static const char *const cs_descend[] = { "compilation_unit", "namespace_declaration",
					  "file_scoped_namespace_declaration", "declaration_list", "class_declaration",
					  "struct_declaration", "interface_declaration", "record_declaration",
					  "global_statement", "method_declaration", "constructor_declaration",
					  "local_function_statement", "block", "preproc_if", "preproc_elif",
					  "preproc_else", "ERROR", NULL };

static const char *const rust_functions[] = { "function_item", NULL };
static const char *const rust_scopes[] = { "impl_item", "trait_item", "mod_item", NULL };
static const char *const rust_between[] = { "attribute_item", NULL };
static const char *const rust_descend[] = { "source_file", "mod_item", "declaration_list", "impl_item", "trait_item",
					    "function_item", "block", "ERROR", NULL };

static const char *const ruby_functions[] = { "method", "singleton_method", NULL };
static const char *const ruby_scopes[] = { "class", "module", NULL };

static const char *const c_functions[] = { "function_definition", NULL };
static const char *const cpp_scopes[] = { "class_specifier", "struct_specifier", "namespace_definition", NULL };
static const char *const cpp_wrappers[] = { "template_declaration", NULL };

static const struct clm_function_rules rules[] = {
	{ "python", py_functions, py_scopes, py_wrappers, comment, none, py_descend, 1 },
	{ "java", java_functions, java_scopes, none, line_block_comment, none, java_descend, 0 },
	{ "javascript", js_functions, js_scopes, js_wrappers, comment, none, NULL, 0 },
	{ "typescript", js_functions, ts_scopes, js_wrappers, comment, none, NULL, 0 },
	{ "tsx", js_functions, ts_scopes, js_wrappers, comment, none, NULL, 0 },
	{ "go", go_functions, none, none, comment, none, go_descend, 0 },
	{ "c_sharp", cs_functions, cs_scopes, none, comment, none, cs_descend, 0 },
	{ "rust", rust_functions, rust_scopes, none, line_block_comment, rust_between, rust_descend, 0 },
	{ "ruby", ruby_functions, ruby_scopes, none, comment, none, NULL, 0 },
	{ "c", c_functions, none, none, comment, none, NULL, 0 },
	{ "cpp", c_functions, cpp_scopes, cpp_wrappers, comment, none, NULL, 0 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 },
};

const struct clm_function_rules *clm_function_rules_for(const char *lang)
{
	for (const struct clm_function_rules *r = rules; r->lang; r++)
		if (!strcmp(r->lang, lang))
			return r;
	return NULL;
}

int clm_node_type_in(const char *type, const char *const *types)
{
	for (; *types; types++)
		if (!strcmp(type, *types))
			return 1;
	return 0;
}
