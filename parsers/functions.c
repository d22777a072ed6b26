#include "parsers/functions.h"
#include "parsers/docstring.h"
#include "parsers/function_rules.h"
#include "parsers/walk.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* What the traversal knows about the node at one depth and the siblings before it. */
struct frame {
	TSNode node;
	const char *type;
	char *scope;       /* name this node gives its nested definitions, or NULL; owned */
	int is_function;
	int lead;          /* the node has a comment run right above it */
	int first;         /* the node is the first non-comment child of its parent */
	uint32_t lead_start, lead_end;
	int run;           /* an open run of comments among the siblings seen so far */
	uint32_t run_start, run_end, run_end_row;
	int has_prev;      /* a non-comment sibling was seen; prev_end_row is its last row */
	uint32_t prev_end_row;
};

struct extractor {
	const struct clm_function_rules *rules;
	const char *src;
	size_t len;
	struct frame *frames;
	size_t nframes, alloc;
	size_t depth; /* of the node the walk visited last */
	struct clm_function_list *out;
};

int clm_functions_supported(const struct clm_language *lang)
{
	return lang && clm_function_rules_for(lang->name) != NULL;
}

static char *node_text(const struct extractor *x, TSNode n)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	if (e > x->len || s > e)
		return NULL;
	return strndup(x->src + s, e - s);
}

struct find {
	const char *type;
	TSNode found;
};

static int find_visit(TSNode n, size_t depth, void *ctx)
{
	struct find *f = ctx;

	(void)depth;
	if (strcmp(ts_node_type(n), f->type))
		return CLM_WALK_DESCEND;
	f->found = n;
	return CLM_WALK_STOP;
}

/* The first descendant of `root` (itself included) whose type is `type`; a null node when none. */
static TSNode find_descendant(TSNode root, const char *type)
{
	struct find f;

	memset(&f, 0, sizeof(f));
	f.type = type;
	clm_ts_walk(root, find_visit, &f);
	return f.found;
}

/* C and C++ name a function through a chain of declarators. */
static TSNode declarator_name(TSNode fn)
{
	TSNode d = ts_node_child_by_field_name(fn, "declarator", 10);
	for (int i = 0; i < 64 && !ts_node_is_null(d); i++) {
		TSNode inner = ts_node_child_by_field_name(d, "declarator", 10);
		if (ts_node_is_null(inner))
			return d;
		d = inner;
	}
	return d;
}

/* The unqualified name of a definition node, or NULL when it has none. */
static char *definition_name(const struct extractor *x, TSNode n, const char *type)
{
	TSNode name;

	if (!strcmp(type, "function_definition") && strcmp(x->rules->lang, "python"))
		name = declarator_name(n);
	else if (!strcmp(type, "impl_item"))
		name = ts_node_child_by_field_name(n, "type", 4);
	else if (!strcmp(type, "assignment_expression"))
		name = ts_node_child_by_field_name(n, "left", 4); /* "res.send", "exports.parse" */
	else
		name = ts_node_child_by_field_name(n, "name", 4);
	if (ts_node_is_null(name))
		return NULL;
	if (!strcmp(type, "impl_item")) {
		char *t = node_text(x, name), *lt = t ? strchr(t, '<') : NULL;
		if (lt)
			*lt = '\0';
		return t;
	}
	if (!strcmp(type, "method_declaration") && !strcmp(x->rules->lang, "go")) {
		TSNode recv = ts_node_child_by_field_name(n, "receiver", 8);
		TSNode rtype = ts_node_is_null(recv) ? recv : find_descendant(recv, "type_identifier");
		if (!ts_node_is_null(rtype)) {
			struct clm_strbuf sb = CLM_STRBUF_INIT;
			uint32_t rs = ts_node_start_byte(rtype), ns = ts_node_start_byte(name);
			if (clm_strbuf_add(&sb, x->src + rs, ts_node_end_byte(rtype) - rs) < 0 ||
			    clm_strbuf_addch(&sb, '.') < 0 ||
			    clm_strbuf_add(&sb, x->src + ns, ts_node_end_byte(name) - ns) < 0) {
				clm_strbuf_release(&sb);
				return NULL;
			}
			return clm_strbuf_detach(&sb, NULL);
		}
	}
	return node_text(x, name);
}

static int is_function_value(const char *type)
{
	return !strcmp(type, "arrow_function") || !strcmp(type, "function_expression") ||
	       !strcmp(type, "function") || !strcmp(type, "generator_function");
}

/* The body of a function node, or a null node when `n` is not a function with a body. */
static TSNode function_body(TSNode n, const char *type)
{
	if (!strcmp(type, "variable_declarator") || !strcmp(type, "assignment_expression")) {
		TSNode v = type[0] == 'v' ? ts_node_child_by_field_name(n, "value", 5)
					  : ts_node_child_by_field_name(n, "right", 5);
		if (ts_node_is_null(v) || !is_function_value(ts_node_type(v)))
			return (TSNode){ 0 };
		n = v;
	}
	return ts_node_child_by_field_name(n, "body", 4);
}

/* Python: the docstring statement opening `body`, or a null node. */
static TSNode python_docstring(TSNode body)
{
	TSNode first = ts_node_named_child(body, 0);
	TSNode str;

	for (uint32_t i = 1; !ts_node_is_null(first) && !strcmp(ts_node_type(first), "comment"); i++)
		first = ts_node_named_child(body, i);
	if (ts_node_is_null(first) || strcmp(ts_node_type(first), "expression_statement"))
		return (TSNode){ 0 };
	str = ts_node_named_child(first, 0);
	if (ts_node_is_null(str) || strcmp(ts_node_type(str), "string") || ts_node_named_child_count(first) != 1)
		return (TSNode){ 0 };
	return first;
}

/* Back up to the start of the line when only indentation precedes `pos`. */
static uint32_t line_start(const char *src, uint32_t pos)
{
	uint32_t i = pos;
	while (i > 0 && (src[i - 1] == ' ' || src[i - 1] == '\t'))
		i--;
	return (i == 0 || src[i - 1] == '\n') ? i : pos;
}

static char *qualified_name(const struct extractor *x, size_t depth, const char *name)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	for (size_t i = 0; i < depth; i++)
		if (x->frames[i].scope && (clm_strbuf_addstr(&sb, x->frames[i].scope) < 0 || clm_strbuf_addch(&sb, '.') < 0))
			goto oom;
	if (clm_strbuf_addstr(&sb, name) < 0)
		goto oom;
	return clm_strbuf_detach(&sb, NULL);
oom:
	clm_strbuf_release(&sb);
	return NULL;
}

static int add_function(struct extractor *x, size_t depth, TSNode body, const char *name)
{
	const struct frame *f = &x->frames[depth];
	struct clm_function fn = { 0 };
	size_t outer = depth;
	TSNode doc;

	/* Decorators, export statements, `const f = () => ...` declarations and `a.f = function ...;`
	 * statements belong to the function. */
	while (outer > 0) {
		const char *pt = x->frames[outer - 1].type;
		if (clm_node_type_in(pt, x->rules->wrappers) ||
		    (outer == depth && !strcmp(f->type, "variable_declarator") &&
		     (!strcmp(pt, "lexical_declaration") || !strcmp(pt, "variable_declaration"))) ||
		    (outer == depth && !strcmp(f->type, "assignment_expression") && !strcmp(pt, "expression_statement")))
			outer--;
		else
			break;
	}
	fn.start_byte = line_start(x->src, ts_node_start_byte(x->frames[outer].node));
	fn.end_byte = ts_node_end_byte(x->frames[outer].node);
	fn.start_line = ts_node_start_point(x->frames[outer].node).row + 1;
	fn.end_line = ts_node_end_point(x->frames[outer].node).row + 1;
	fn.body_start = ts_node_start_byte(body);
	fn.lead_start = fn.start_byte;
	for (size_t i = 0; i < depth; i++)
		fn.depth += (uint32_t)x->frames[i].is_function;
	if (x->rules->python_docstring && !ts_node_is_null(doc = python_docstring(body))) {
		fn.doc_start = ts_node_start_byte(doc);
		fn.doc_end = ts_node_end_byte(doc);
		fn.doc = clm_doc_from_python_string(x->src + fn.doc_start, fn.doc_end - fn.doc_start);
	} else {
		/* A comment opening a class body can sit before the body node, one level up. */
		const struct frame *owner = &x->frames[outer];
		if (!owner->lead && owner->first && outer > 0 && x->frames[outer - 1].lead &&
		    ts_node_start_byte(x->frames[outer - 1].node) == ts_node_start_byte(owner->node))
			owner = &x->frames[outer - 1];
		if (owner->lead) {
			fn.doc = clm_doc_from_comment(x->src + owner->lead_start, owner->lead_end - owner->lead_start);
			fn.lead_start = line_start(x->src, owner->lead_start);
		}
	}
	fn.summary = fn.doc ? clm_doc_first_sentence(fn.doc) : NULL;
	fn.name = qualified_name(x, depth, name);
	if (!fn.name)
		goto oom;
	if (CLM_ALLOC_GROW(x->out->items, x->out->n + 1, x->out->alloc) < 0)
		goto oom;
	x->out->items[x->out->n++] = fn;
	return 0;
oom:
	free(fn.name);
	free(fn.doc);
	free(fn.summary);
	return clm_error_oom();
}

/* Track comment runs among siblings and decide whether the node has a leading comment. */
static void track_comments(struct frame *f, TSNode n, int is_comment, int is_between)
{
	TSPoint end = ts_node_end_point(n);
	uint32_t srow = ts_node_start_point(n).row;
	/* Nodes such as #include end after their newline, at column 0 of the next row. */
	uint32_t erow = end.column == 0 && end.row > srow ? end.row - 1 : end.row;

	f->lead = 0;
	if (is_comment) {
		if (f->run && f->run_end_row + 1 >= srow) {
			f->run_end = ts_node_end_byte(n);
			f->run_end_row = erow;
		} else if (!f->has_prev || f->prev_end_row < srow) {
			f->run = 1;
			f->run_start = ts_node_start_byte(n);
			f->run_end = ts_node_end_byte(n);
			f->run_end_row = erow;
		} else {
			f->run = 0; /* a trailing comment on a line of code */
		}
		return;
	}
	if (is_between && f->run) {
		f->run_end_row = erow;
		return;
	}
	if (f->run && f->run_end_row + 1 >= srow) {
		f->lead = 1;
		f->lead_start = f->run_start;
		f->lead_end = f->run_end;
	}
	f->first = !f->has_prev;
	f->run = 0;
	f->has_prev = 1;
	f->prev_end_row = erow;
}

static int visit(struct extractor *x, size_t depth, TSNode n)
{
	struct frame *f = &x->frames[depth];
	const char *type = ts_node_type(n);
	int is_comment = clm_node_type_in(type, x->rules->comments);

	free(f->scope);
	f->scope = NULL;
	f->node = n;
	f->type = type;
	f->is_function = 0;
	track_comments(f, n, is_comment, clm_node_type_in(type, x->rules->between));
	if (is_comment)
		return 0;
	if (clm_node_type_in(type, x->rules->functions)) {
		TSNode body = function_body(n, type);
		char *name;
		int rc;
		if (ts_node_is_null(body))
			return 0;
		name = definition_name(x, n, type);
		if (!name)
			name = strdup("<anonymous>");
		if (!name)
			return clm_error_oom();
		rc = add_function(x, depth, body, name);
		f->scope = name;
		f->is_function = 1;
		return rc;
	}
	if (clm_node_type_in(type, x->rules->scopes))
		f->scope = definition_name(x, n, type);
	return 0;
}

static int push_frame(struct extractor *x, size_t depth)
{
	if (CLM_ALLOC_GROW(x->frames, depth + 1, x->alloc) < 0)
		return CLM_ENOMEM;
	memset(&x->frames[depth], 0, sizeof(x->frames[depth]));
	if (depth >= x->nframes)
		x->nframes = depth + 1;
	return 0;
}

/* One node of the walk: a new frame when the walk went down a level, the scopes of the levels
 * it came up from released, then the node itself; comments and nodes outside the rules' descend
 * list keep their children unvisited. */
static int extract_visit(TSNode n, size_t depth, void *ctx)
{
	struct extractor *x = ctx;
	int rc = 0;

	if (depth > x->depth)
		rc = push_frame(x, depth);
	for (; x->depth > depth; x->depth--) {
		free(x->frames[x->depth].scope);
		x->frames[x->depth].scope = NULL;
	}
	x->depth = depth;
	if (rc == 0)
		rc = visit(x, depth, n);
	if (rc < 0)
		return rc;
	if (clm_node_type_in(ts_node_type(n), x->rules->comments) ||
	    (x->rules->descend && !clm_node_type_in(ts_node_type(n), x->rules->descend)))
		return CLM_WALK_SKIP;
	return CLM_WALK_DESCEND;
}

int clm_functions_extract(const struct clm_language *lang, const TSTree *tree, const char *src, size_t len,
			  struct clm_function_list *out)
{
	struct extractor x = { clm_function_rules_for(lang->name), src, len, NULL, 0, 0, 0, out };
	int rc;

	if (!x.rules)
		return 0;
	rc = push_frame(&x, 0);
	if (rc == 0)
		rc = clm_ts_walk(ts_tree_root_node(tree), extract_visit, &x);
	for (size_t i = 0; i < x.nframes && i < x.alloc; i++)
		free(x.frames[i].scope);
	free(x.frames);
	return rc;
}

const struct clm_function *clm_function_enclosing(const struct clm_function_list *l, uint32_t first_line,
						  uint32_t last_line)
{
	const struct clm_function *best = NULL;
	for (size_t i = 0; i < l->n; i++) {
		const struct clm_function *f = &l->items[i];
		if (f->start_line <= first_line && f->end_line >= last_line && (!best || f->depth >= best->depth))
			best = f;
	}
	return best;
}

void clm_functions_line_map(const struct clm_function_list *l, uint32_t nlines, int32_t *map)
{
	for (uint32_t i = 0; i < nlines; i++)
		map[i] = -1;
	/* Source order puts an enclosing function first, so nested ones overwrite its lines. */
	for (size_t i = 0; i < l->n; i++)
		for (uint32_t line = l->items[i].start_line; line <= l->items[i].end_line && line <= nlines; line++)
			map[line - 1] = (int32_t)i;
}

const struct clm_function *clm_function_find(const struct clm_function_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return &l->items[i];
	return NULL;
}

void clm_function_list_release(struct clm_function_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].doc);
		free(l->items[i].summary);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
