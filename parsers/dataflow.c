/* Data-flow extraction for CodeBLEU. The reference evaluator walks the tree recursively, threading
 * a map "variable name -> positions of its live definitions" through the walk; this file runs the
 * same walk from an explicit task stack, so nesting depth costs heap, not C stack. */
#include "parsers/dataflow.h"
#include "parsers/codebleu_syntax.h"
#include "parsers/dataflow_graph.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

enum role { R_NONE, R_DECLARATOR, R_ASSIGN, R_UPDATE, R_IF, R_FOR, R_FOREACH, R_WHILE, R_COMPREHENSION };

struct type_role {
	const char *type;
	enum role role;
};

/* How one language's node types map to the walk's rules. */
struct lang_rules {
	const char *lang;
	const struct type_role *roles;     /* NULL-type terminated */
	const char *const *branches;       /* if-statement children that start the else/elif part */
	const char *foreach_target, *foreach_source;
	const char *for_decl;              /* node type of a declaring for-loop initialiser */
	int python;                        /* tuple pairing in assignments, comprehensions first */
	const char *decl_name, *decl_value; /* a declarator's fields (NULL: "name" and "value") */
};

static const struct type_role java_roles[] = {
	{ "variable_declarator", R_DECLARATOR }, { "assignment_expression", R_ASSIGN },
	{ "update_expression", R_UPDATE }, { "if_statement", R_IF }, { "for_statement", R_FOR },
	{ "enhanced_for_statement", R_FOREACH }, { "while_statement", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role csharp_roles[] = {
	{ "variable_declarator", R_DECLARATOR }, { "assignment_expression", R_ASSIGN },
	{ "postfix_unary_expression", R_UPDATE }, { "if_statement", R_IF }, { "for_statement", R_FOR },
	{ "foreach_statement", R_FOREACH }, { "while_statement", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role python_roles[] = {
	{ "default_parameter", R_DECLARATOR }, { "typed_default_parameter", R_DECLARATOR },
	{ "assignment", R_ASSIGN }, { "augmented_assignment", R_ASSIGN },
	{ "for_in_clause", R_COMPREHENSION }, { "if_statement", R_IF }, { "for_statement", R_FOREACH },
	{ "while_statement", R_WHILE }, { NULL, R_NONE },
};
/* Languages the CodeXGLUE reference has no rules for in this form follow the same walk with their
 * grammar's node types: declarations bind names to values, assignments targets to sources, loops
 * run twice, if branches start from the state at entry. */
static const struct type_role go_roles[] = {
	{ "var_spec", R_DECLARATOR }, { "const_spec", R_DECLARATOR }, { "short_var_declaration", R_ASSIGN },
	{ "assignment_statement", R_ASSIGN }, { "range_clause", R_ASSIGN }, { "inc_statement", R_UPDATE },
	{ "dec_statement", R_UPDATE }, { "if_statement", R_IF }, { "for_statement", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role js_roles[] = {
	{ "variable_declarator", R_DECLARATOR }, { "assignment_expression", R_ASSIGN },
	{ "augmented_assignment_expression", R_ASSIGN }, { "update_expression", R_UPDATE },
	{ "if_statement", R_IF }, { "for_statement", R_FOR }, { "for_in_statement", R_FOREACH },
	{ "while_statement", R_WHILE }, { "do_statement", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role rust_roles[] = {
	{ "let_declaration", R_DECLARATOR }, { "assignment_expression", R_ASSIGN },
	{ "compound_assignment_expr", R_ASSIGN }, { "if_expression", R_IF }, { "for_expression", R_FOREACH },
	{ "while_expression", R_WHILE }, { "loop_expression", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role ruby_roles[] = {
	{ "assignment", R_ASSIGN }, { "operator_assignment", R_ASSIGN }, { "if", R_IF }, { "unless", R_IF },
	{ "for", R_FOREACH }, { "while", R_WHILE }, { "until", R_WHILE }, { NULL, R_NONE },
};
static const struct type_role c_roles[] = {
	{ "init_declarator", R_DECLARATOR }, { "assignment_expression", R_ASSIGN }, { "update_expression", R_UPDATE },
	{ "if_statement", R_IF }, { "for_statement", R_FOR }, { "for_range_loop", R_FOREACH },
	{ "while_statement", R_WHILE }, { "do_statement", R_WHILE }, { NULL, R_NONE },
};
static const char *const else_clause_branches[] = { "else_clause", NULL };
static const char *const go_branches[] = { "else", NULL };
static const char *const ruby_branches[] = { "elsif", "else", NULL };

/* As in the reference, a nested if as the consequence also starts the branch part, and the
 * "else" keyword is a branch of its own, so the entry state always joins the union. */
static const char *const c_like_branches[] = { "if_statement", "else", NULL };
static const char *const python_branches[] = { "elif_clause", "else_clause", NULL };

static const struct lang_rules all_rules[] = {
	/* the reference looks for Java's declaration type in C# too, where it never occurs */
	{ "java", java_roles, c_like_branches, "name", "value", "local_variable_declaration", 0, NULL, NULL },
	{ "c_sharp", csharp_roles, c_like_branches, "left", "right", "local_variable_declaration", 0, NULL, NULL },
	{ "python", python_roles, python_branches, "left", "right", NULL, 1, NULL, NULL },
	{ "go", go_roles, go_branches, "left", "right", NULL, 0, NULL, NULL },
	{ "javascript", js_roles, else_clause_branches, "left", "right", "lexical_declaration", 0, NULL, NULL },
	{ "typescript", js_roles, else_clause_branches, "left", "right", "lexical_declaration", 0, NULL, NULL },
	{ "tsx", js_roles, else_clause_branches, "left", "right", "lexical_declaration", 0, NULL, NULL },
	{ "rust", rust_roles, else_clause_branches, "pattern", "value", NULL, 0, "pattern", "value" },
	{ "ruby", ruby_roles, ruby_branches, "pattern", "value", NULL, 0, NULL, NULL },
	{ "c", c_roles, else_clause_branches, "declarator", "right", "declaration", 0, "declarator", "value" },
	{ "cpp", c_roles, else_clause_branches, "declarator", "right", "declaration", 0, "declarator", "value" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL },
};

static const struct lang_rules *rules_for(const char *lang)
{
	for (const struct lang_rules *r = all_rules; r->lang; r++)
		if (!strcmp(r->lang, lang))
			return r;
	return NULL;
}

int clm_dataflow_supported(const char *lang)
{
	return rules_for(lang) != NULL;
}

/* The walk's steps. A node's visit pushes the steps that finish it; state snapshots around if
 * branches and the second pass over loops are steps too, so the order matches a recursive walk. */
enum task_kind {
	T_VISIT, T_BIND, T_UPDATE, T_IF_ENTER, T_IF_MAIN_DONE, T_BRANCH_ENTER, T_BRANCH_DONE, T_IF_DONE,
	T_LOOP_DONE
};
enum bind_kind { BIND_PAIRS, BIND_ALL, BIND_DECLARE };

struct task {
	enum task_kind kind;
	TSNode node;   /* T_VISIT, T_UPDATE: the node; T_BIND: the target */
	TSNode source; /* T_BIND */
	enum bind_kind bind;
	enum clm_dfg_relation rel;
	int has_else;  /* T_IF_ENTER */
	size_t mark;   /* T_LOOP_DONE: first edge produced by the loop */
};

/* An if statement being walked: the state at entry and the union of its parts so far. */
struct if_ctx {
	struct clm_dfg_vars entry, acc;
	int has_else;
};

/* Everything one extraction needs; if contexts nest like the if statements. */
struct walk {
	const struct lang_rules *rules;
	struct clm_dfg_tokens toks;
	struct clm_dfg_vars state;
	struct clm_dfg_edges edges;
	struct task *task;
	size_t ntask, task_alloc;
	struct if_ctx *ifs;
	size_t nifs, ifs_alloc;
	TSNode *kids; /* scratch: children of one node */
	size_t nkids, kids_alloc;
	TSTreeCursor cursor;
};

static int add_edge(struct walk *w, size_t tok, enum clm_dfg_relation rel, const struct clm_dfg_np *from,
		    size_t nfrom)
{
	return clm_dfg_edges_add(&w->edges, w->toks.tok[tok].name, (uint32_t)tok, rel, from, nfrom);
}

/* A use of token `t`: it comes from the live definitions of its name, or defines it. */
static int visit_token(struct walk *w, size_t t)
{
	const struct clm_dfg_token *tok = &w->toks.tok[t];
	size_t i, j;

	if (!tok->is_var)
		return 0;
	clm_dfg_vars_get(&w->state, tok->name, &i, &j);
	if (j > i)
		return add_edge(w, t, CLM_DFG_COMES_FROM, w->state.p + i, j - i);
	if (tok->is_identifier) {
		int rc = clm_dfg_vars_set(&w->state, tok->name, (uint32_t)t);
		if (rc < 0)
			return rc;
	}
	return add_edge(w, t, CLM_DFG_COMES_FROM, NULL, 0);
}

/* Targets in `target` get values from the variable tokens in `source`. */
static int bind(struct walk *w, const struct task *task)
{
	size_t t0, t1, s0 = 0, s1 = 0, ns = 0;
	struct clm_dfg_np *src = NULL;
	int rc = 0;

	clm_dfg_tokens_in(&w->toks, task->node, &t0, &t1);
	if (task->bind != BIND_DECLARE) {
		clm_dfg_tokens_in(&w->toks, task->source, &s0, &s1);
		src = malloc((s1 - s0 + 1) * sizeof(*src));
		if (!src)
			return clm_error_oom();
		for (size_t s = s0; s < s1; s++)
			if (w->toks.tok[s].is_var) {
				src[ns].name = w->toks.tok[s].name;
				src[ns++].pos = (uint32_t)s;
			}
	}
	for (size_t t = t0; rc == 0 && t < t1; t++) {
		if (!w->toks.tok[t].is_var)
			continue;
		if (task->bind == BIND_DECLARE)
			rc = add_edge(w, t, CLM_DFG_COMES_FROM, NULL, 0);
		else if (task->bind == BIND_ALL)
			rc = add_edge(w, t, task->rel, src, ns);
		else
			for (size_t s = 0; rc == 0 && s < ns; s++)
				rc = add_edge(w, t, task->rel, &src[s], 1);
		if (rc == 0)
			rc = clm_dfg_vars_set(&w->state, w->toks.tok[t].name, (uint32_t)t);
	}
	free(src);
	return rc;
}

/* x++: every variable token of the expression is computed from each of them. */
static int update(struct walk *w, TSNode node)
{
	size_t t0, t1;
	int rc = 0;

	clm_dfg_tokens_in(&w->toks, node, &t0, &t1);
	for (size_t a = t0; rc == 0 && a < t1; a++) {
		if (!w->toks.tok[a].is_var)
			continue;
		for (size_t b = t0; rc == 0 && b < t1; b++)
			if (w->toks.tok[b].is_var) {
				struct clm_dfg_np from = { w->toks.tok[b].name, (uint32_t)b };
				rc = add_edge(w, a, CLM_DFG_COMPUTED_FROM, &from, 1);
			}
		if (rc == 0)
			rc = clm_dfg_vars_set(&w->state, w->toks.tok[a].name, (uint32_t)a);
	}
	return rc;
}

static int push_task(struct walk *w, struct task t)
{
	int rc = CLM_ALLOC_GROW(w->task, w->ntask + 1, w->task_alloc);

	if (rc == 0)
		w->task[w->ntask++] = t;
	return rc;
}

static int push_visit(struct walk *w, TSNode node)
{
	struct task t = { .kind = T_VISIT, .node = node };
	return push_task(w, t);
}

static int push_bind(struct walk *w, enum bind_kind kind, TSNode target, TSNode source, enum clm_dfg_relation rel)
{
	struct task t = { .kind = T_BIND, .node = target, .source = source, .bind = kind, .rel = rel };
	return push_task(w, t);
}

static int push_kind(struct walk *w, enum task_kind kind, size_t mark, int has_else)
{
	struct task t = { .kind = kind, .mark = mark, .has_else = has_else };
	return push_task(w, t);
}

/* Load node's children into w->kids, with a cursor: O(children). */
static int load_children(struct walk *w, TSNode node)
{
	int rc;

	w->nkids = 0;
	ts_tree_cursor_reset(&w->cursor, node);
	if (!ts_tree_cursor_goto_first_child(&w->cursor))
		return 0;
	do {
		if ((rc = CLM_ALLOC_GROW(w->kids, w->nkids + 1, w->kids_alloc)) < 0)
			return rc;
		w->kids[w->nkids++] = ts_tree_cursor_current_node(&w->cursor);
	} while (ts_tree_cursor_goto_next_sibling(&w->cursor));
	return 0;
}

/* Push visits of children [from, to) of the loaded list, so they run in order. */
static int push_kids(struct walk *w, TSNode *kids, size_t from, size_t to)
{
	int rc = 0;

	for (size_t i = to; rc == 0 && i > from; i--)
		rc = push_visit(w, kids[i - 1]);
	return rc;
}

static int in_list(const char *type, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(type, *list))
			return 1;
	return 0;
}

static enum role role_of(const struct walk *w, TSNode node)
{
	const char *type = ts_node_type(node);

	for (const struct type_role *r = w->rules->roles; r->type; r++)
		if (!strcmp(r->type, type))
			return r->role;
	return R_NONE;
}

/* A copy of the loaded children, since visiting pushes may reload w->kids. */
static TSNode *copy_kids(struct walk *w)
{
	TSNode *k = malloc((w->nkids ? w->nkids : 1) * sizeof(*k));

	if (k && w->nkids)
		memcpy(k, w->kids, w->nkids * sizeof(*k));
	return k;
}

/* The children of `node` other than "," commas, in a new array (caller frees). */
static int list_parts(struct walk *w, TSNode node, TSNode **out, size_t *n)
{
	int rc = load_children(w, node);
	TSNode *parts;

	if (rc < 0)
		return rc;
	parts = malloc((w->nkids + 1) * sizeof(*parts));
	if (!parts)
		return clm_error_oom();
	*n = 0;
	for (size_t i = 0; i < w->nkids; i++)
		if (strcmp(ts_node_type(w->kids[i]), ","))
			parts[(*n)++] = w->kids[i];
	*out = parts;
	return 0;
}

/* Python assignment targets and values pair element-wise when both are lists of equal length
 * ("a, b = c, d"); otherwise the whole left side takes from the whole right side. */
static int push_python_assign(struct walk *w, TSNode left, TSNode right)
{
	TSNode *l = NULL, *r = NULL;
	size_t nl = 0, nr = 0;
	int rc = list_parts(w, left, &l, &nl);

	if (rc == 0)
		rc = list_parts(w, right, &r, &nr);
	if (rc == 0 && (nl != nr || nl == 0)) {
		l[0] = left;
		r[0] = right;
		nl = 1;
	}
	/* values are walked first, then every target is bound */
	for (size_t i = nl; rc == 0 && i > 0; i--)
		rc = push_bind(w, BIND_ALL, l[i - 1], r[i - 1], CLM_DFG_COMPUTED_FROM);
	for (size_t i = nl; rc == 0 && i > 0; i--)
		rc = push_visit(w, r[i - 1]);
	free(l);
	free(r);
	return rc;
}

static int visit_declarator(struct walk *w, TSNode node)
{
	const char *nf = w->rules->decl_name ? w->rules->decl_name : "name";
	const char *vf = w->rules->decl_value ? w->rules->decl_value : "value";
	TSNode name = ts_node_child_by_field_name(node, nf, (uint32_t)strlen(nf));
	TSNode value = ts_node_child_by_field_name(node, vf, (uint32_t)strlen(vf));
	int rc;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	if (ts_node_is_null(name) && w->nkids)
		name = w->kids[0];
	for (size_t i = 0; ts_node_is_null(value) && i + 1 < w->nkids; i++)
		if (!strcmp(ts_node_type(w->kids[i]), "="))
			value = w->kids[i + 1];
	if (ts_node_is_null(name))
		return 0;
	if (ts_node_is_null(value))
		return push_bind(w, BIND_DECLARE, name, name, CLM_DFG_COMES_FROM);
	if ((rc = push_bind(w, BIND_PAIRS, name, value, CLM_DFG_COMES_FROM)) < 0)
		return rc;
	return push_visit(w, value);
}

static int visit_assign(struct walk *w, TSNode node)
{
	TSNode left = ts_node_child_by_field_name(node, "left", 4);
	TSNode right = ts_node_child_by_field_name(node, "right", 5);
	int rc;

	if (ts_node_is_null(left) || ts_node_is_null(right))
		return 0;
	if (w->rules->python)
		return push_python_assign(w, left, right);
	if ((rc = push_bind(w, BIND_PAIRS, left, right, CLM_DFG_COMPUTED_FROM)) < 0)
		return rc;
	return push_visit(w, right);
}

/* if: the main part threads the state; each else/elif part starts again from the state at entry;
 * afterwards a variable's live definitions are the union over the parts (and the entry state
 * when there is no else). */
static int visit_if(struct walk *w, TSNode node)
{
	size_t first_branch, n;
	int has_else = 0, rc;
	TSNode *kids;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	n = w->nkids;
	first_branch = n;
	for (size_t i = 0; i < n; i++) {
		const char *type = ts_node_type(w->kids[i]);
		if (strstr(type, "else"))
			has_else = 1;
		if (first_branch == n && in_list(type, w->rules->branches))
			first_branch = i;
	}
	if (!(kids = copy_kids(w)))
		return clm_error_oom();
	rc = push_kind(w, T_IF_DONE, 0, 0);
	for (size_t i = n; rc == 0 && i > first_branch; i--) {
		TSNode k = kids[i - 1];
		if ((rc = push_kind(w, T_BRANCH_DONE, 0, 0)) == 0 && (rc = push_visit(w, k)) == 0)
			rc = push_kind(w, T_BRANCH_ENTER, 0, 0);
	}
	if (rc == 0)
		rc = push_kind(w, T_IF_MAIN_DONE, 0, 0);
	if (rc == 0)
		rc = push_kids(w, kids, 0, first_branch);
	if (rc == 0)
		rc = push_kind(w, T_IF_ENTER, 0, has_else);
	free(kids);
	return rc;
}

/* Classic for: walk everything, then, when the initialiser is a declaration, the parts after it
 * once more (the flows a second iteration adds), as the reference does; duplicates fold at
 * T_LOOP_DONE. */
static int visit_for(struct walk *w, TSNode node)
{
	size_t n, after_init = SIZE_MAX;
	TSNode *kids;
	int rc;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	n = w->nkids;
	for (size_t i = 0; i < n && after_init == SIZE_MAX; i++)
		if (w->rules->for_decl && !strcmp(ts_node_type(w->kids[i]), w->rules->for_decl))
			after_init = i + 1;
	if (!(kids = copy_kids(w)))
		return clm_error_oom();
	rc = push_kind(w, T_LOOP_DONE, w->edges.n, 0);
	if (rc == 0 && after_init != SIZE_MAX)
		rc = push_kids(w, kids, after_init, n);
	if (rc == 0)
		rc = push_kids(w, kids, 0, n);
	free(kids);
	return rc;
}

static int visit_children(struct walk *w, TSNode node);

/* for x in xs / for (T x : xs): twice, walk the source, bind the target, walk the body. */
static int visit_foreach(struct walk *w, TSNode node)
{
	const struct lang_rules *r = w->rules;
	TSNode target = ts_node_child_by_field_name(node, r->foreach_target, (uint32_t)strlen(r->foreach_target));
	TSNode source = ts_node_child_by_field_name(node, r->foreach_source, (uint32_t)strlen(r->foreach_source));
	TSNode body = ts_node_child_by_field_name(node, "body", 4);
	int rc;

	if (ts_node_is_null(target) || ts_node_is_null(source))
		return visit_children(w, node);
	rc = push_kind(w, T_LOOP_DONE, w->edges.n, 0);
	for (int pass = 0; rc == 0 && pass < 2; pass++) {
		if (!ts_node_is_null(body) && (rc = push_visit(w, body)) < 0)
			break;
		if (r->python)
			rc = push_python_assign(w, target, source);
		else if ((rc = push_bind(w, BIND_PAIRS, target, source, CLM_DFG_COMPUTED_FROM)) == 0)
			rc = push_visit(w, source);
	}
	return rc;
}

static int visit_while(struct walk *w, TSNode node)
{
	TSNode *kids;
	size_t n;
	int rc;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	n = w->nkids;
	if (!(kids = copy_kids(w)))
		return clm_error_oom();
	rc = push_kind(w, T_LOOP_DONE, w->edges.n, 0);
	for (int pass = 0; rc == 0 && pass < 2; pass++)
		rc = push_kids(w, kids, 0, n);
	free(kids);
	return rc;
}

/* Any other node: its children in order; in Python, comprehension clauses first, since they
 * define the variables the comprehension's body uses. */
static int visit_children(struct walk *w, TSNode node)
{
	TSNode *kids;
	size_t n;
	int rc;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	n = w->nkids;
	if (!(kids = copy_kids(w)))
		return clm_error_oom();
	for (size_t i = n; rc == 0 && i > 0; i--)
		if (!w->rules->python || role_of(w, kids[i - 1]) != R_COMPREHENSION)
			rc = push_visit(w, kids[i - 1]);
	for (size_t i = n; rc == 0 && i > 0; i--)
		if (w->rules->python && role_of(w, kids[i - 1]) == R_COMPREHENSION)
			rc = push_visit(w, kids[i - 1]);
	free(kids);
	return rc;
}

static int visit(struct walk *w, TSNode node)
{
	TSNode left;
	size_t t;

	if (clm_ts_is_comment(node))
		return 0;
	if (clm_dfg_is_token_node(node))
		return (t = clm_dfg_token_of(&w->toks, node)) == SIZE_MAX ? 0 : visit_token(w, t);
	switch (role_of(w, node)) {
	case R_DECLARATOR:
		return visit_declarator(w, node);
	case R_ASSIGN:
		return visit_assign(w, node);
	case R_UPDATE: {
		struct task u = { .kind = T_UPDATE, .node = node };
		return push_task(w, u);
	}
	case R_IF:
		return visit_if(w, node);
	case R_FOR:
		return visit_for(w, node);
	case R_FOREACH:
		return visit_foreach(w, node);
	case R_WHILE:
		return visit_while(w, node);
	case R_COMPREHENSION:
		left = ts_node_child_by_field_name(node, "left", 4);
		if (ts_node_is_null(left) || ts_node_child_count(node) == 0)
			return 0;
		{
			TSNode right = ts_node_child(node, ts_node_child_count(node) - 1);
			int rc = push_bind(w, BIND_ALL, left, right, CLM_DFG_COMPUTED_FROM);
			return rc < 0 ? rc : push_visit(w, right);
		}
	case R_NONE:
		break;
	}
	return visit_children(w, node);
}

static int run_task(struct walk *w, struct task t)
{
	struct if_ctx *c = w->nifs ? &w->ifs[w->nifs - 1] : NULL;
	int rc;

	switch (t.kind) {
	case T_VISIT:
		return visit(w, t.node);
	case T_BIND:
		return bind(w, &t);
	case T_UPDATE:
		return update(w, t.node);
	case T_IF_ENTER:
		if ((rc = CLM_ALLOC_GROW(w->ifs, w->nifs + 1, w->ifs_alloc)) < 0)
			return rc;
		c = &w->ifs[w->nifs++];
		memset(c, 0, sizeof(*c));
		c->has_else = t.has_else;
		return clm_dfg_vars_copy(&c->entry, &w->state);
	case T_IF_MAIN_DONE:
		return clm_dfg_vars_copy(&c->acc, &w->state);
	case T_BRANCH_ENTER:
		return clm_dfg_vars_copy(&w->state, &c->entry);
	case T_BRANCH_DONE:
		return clm_dfg_vars_union(&c->acc, &w->state);
	case T_IF_DONE:
		rc = c->has_else ? 0 : clm_dfg_vars_union(&c->acc, &c->entry);
		if (rc == 0)
			rc = clm_dfg_vars_copy(&w->state, &c->acc);
		free(c->entry.p);
		free(c->acc.p);
		w->nifs--;
		return rc;
	case T_LOOP_DONE:
		return clm_dfg_edges_merge(&w->edges, t.mark, 0);
	}
	return 0;
}

void clm_dfg_release(struct clm_dfg *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->edge[i].from_var);
		free(g->edge[i].from_pos);
	}
	free(g->edge);
	g->edge = NULL;
	g->n = g->alloc = 0;
}

static void walk_release(struct walk *w)
{
	for (size_t i = 0; i < w->nifs; i++) {
		free(w->ifs[i].entry.p);
		free(w->ifs[i].acc.p);
	}
	clm_dfg_tokens_release(&w->toks);
	clm_dfg_edges_release(&w->edges);
	free(w->state.p);
	free(w->task);
	free(w->ifs);
	free(w->kids);
	ts_tree_cursor_delete(&w->cursor);
}

int clm_dataflow_extract(const char *lang, TSNode root, const char *src, size_t len, struct clm_dfg *out)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	clm_dfg_release(out);
	w.rules = rules_for(lang);
	if (!w.rules)
		return clm_error_set(CLM_EINVALID, "no data-flow rules for language '%s'", lang);
	w.cursor = ts_tree_cursor_new(root);
	rc = clm_dfg_tokens_collect(&w.toks, root, src, len);
	if (rc == 0)
		rc = push_visit(&w, root);
	while (rc == 0 && w.ntask)
		rc = run_task(&w, w.task[--w.ntask]);
	if (rc == 0)
		rc = clm_dfg_edges_finish(&w.edges, w.toks.n, out);
	walk_release(&w);
	if (rc < 0)
		clm_dfg_release(out);
	return rc;
}
