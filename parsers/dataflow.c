/* Data-flow extraction for CodeBLEU. The reference evaluator walks the tree recursively, threading
 * a map "variable name -> positions of its live definitions" through the walk; this file runs the
 * same walk from an explicit task stack, so nesting depth costs heap, not C stack. */
#include "parsers/dataflow.h"
#include "parsers/codebleu_syntax.h"
#include "util/error.h"
#include "util/symtab.h"

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
	const char *for_init;              /* field of a classic for loop's initialiser */
	int python;                        /* tuple pairing in assignments, comprehensions first */
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
static const char *const c_like_branches[] = { "else", NULL };
static const char *const python_branches[] = { "elif_clause", "else_clause", NULL };

static const struct lang_rules all_rules[] = {
	{ "java", java_roles, c_like_branches, "name", "value", "init", 0 },
	{ "c_sharp", csharp_roles, c_like_branches, "left", "right", "initializer", 0 },
	{ "python", python_roles, python_branches, "left", "right", NULL, 1 },
	{ NULL, NULL, NULL, NULL, NULL, NULL, 0 },
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

/* A leaf of the token sequence (string literals count as one token). */
struct token {
	uint32_t start, end; /* byte span */
	uint32_t name;       /* local name id of the text */
	int is_var;          /* its type differs from its text: identifiers, literals */
	int is_identifier;
};

/* (name, position) pairs: the live definitions of each variable, sorted, distinct. */
struct np {
	uint32_t name, pos;
};
struct vars {
	struct np *p;
	size_t n, alloc;
};

struct raw_edge {
	uint32_t var, pos;
	enum clm_dfg_relation rel;
	struct np *from; /* owned */
	size_t nfrom;
};

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

struct if_ctx {
	struct vars entry, acc;
	int has_else;
};

struct walk {
	const struct lang_rules *rules;
	const char *src;
	size_t len;
	struct clm_symtab names;
	struct token *tok;
	size_t ntok, tok_alloc;
	struct vars state;
	struct raw_edge *edge;
	size_t nedge, edge_alloc;
	struct task *task;
	size_t ntask, task_alloc;
	struct if_ctx *ifs;
	size_t nifs, ifs_alloc;
	TSNode *kids; /* scratch: children of one node */
	const char **kid_field;
	size_t nkids, kids_alloc, kid_field_alloc;
	TSTreeCursor cursor;
};

static int grow(void **p, size_t *alloc, size_t need, size_t size)
{
	size_t cap = *alloc ? *alloc : 16;
	void *q;

	if (need <= *alloc)
		return 0;
	while (cap < need)
		cap *= 2;
	q = realloc(*p, cap * size);
	if (!q)
		return clm_error_oom();
	*p = q;
	*alloc = cap;
	return 0;
}

/* ---- tokens ---- */

static int is_token_node(TSNode node)
{
	const char *type = ts_node_type(node);

	if (clm_ts_is_comment(node))
		return 0;
	return ts_node_child_count(node) == 0 || !strcmp(type, "string_literal") || !strcmp(type, "string") ||
	       !strcmp(type, "character_literal");
}

static int add_token(struct walk *w, TSNode node)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
	const char *type = ts_node_type(node);
	struct token *t;
	int rc;

	if (end > w->len || start > end)
		return 0;
	if ((rc = grow((void **)&w->tok, &w->tok_alloc, w->ntok + 1, sizeof(*w->tok))) < 0)
		return rc;
	t = &w->tok[w->ntok];
	t->start = start;
	t->end = end;
	if ((rc = clm_symtab_intern(&w->names, w->src + start, end - start, &t->name)) < 0)
		return rc;
	t->is_var = strlen(type) != end - start || memcmp(type, w->src + start, end - start) != 0;
	t->is_identifier = !strcmp(type, "identifier");
	w->ntok++;
	return 0;
}

/* Collect the token sequence in source order (pre-order over leaves), iteratively. */
static int collect_tokens(struct walk *w, TSNode root)
{
	TSTreeCursor c = ts_tree_cursor_new(root);
	int rc = 0;

	for (;;) {
		TSNode node = ts_tree_cursor_current_node(&c);
		if (is_token_node(node)) {
			if ((rc = add_token(w, node)) < 0)
				break;
		} else if (!clm_ts_is_comment(node) && ts_tree_cursor_goto_first_child(&c)) {
			continue;
		}
		while (!ts_tree_cursor_goto_next_sibling(&c))
			if (!ts_tree_cursor_goto_parent(&c))
				goto done;
	}
done:
	ts_tree_cursor_delete(&c);
	return rc;
}

/* First token whose start is >= `start` (tokens are in source order). */
static size_t lower_bound(const struct walk *w, uint32_t start)
{
	size_t lo = 0, hi = w->ntok;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->tok[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The token range [*first, *last) inside `node`'s byte span. */
static void tokens_in(const struct walk *w, TSNode node, size_t *first, size_t *last)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
	size_t i = lower_bound(w, start);

	*first = i;
	while (i < w->ntok && w->tok[i].end <= end && (w->tok[i].start < end || start == end))
		i++;
	*last = i;
}

/* The token that is exactly `node`, or SIZE_MAX. */
static size_t token_of(const struct walk *w, TSNode node)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);

	for (size_t i = lower_bound(w, start); i < w->ntok && w->tok[i].start == start; i++)
		if (w->tok[i].end == end)
			return i;
	return SIZE_MAX;
}

/* ---- variable states ---- */

static size_t vars_find(const struct vars *v, uint32_t name)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v->p[mid].name < name)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Make `pos` the only live definition of `name`. */
static int vars_set(struct vars *v, uint32_t name, uint32_t pos)
{
	size_t i = vars_find(v, name), j = i;
	int rc;

	while (j < v->n && v->p[j].name == name)
		j++;
	if (j == i) {
		if ((rc = grow((void **)&v->p, &v->alloc, v->n + 1, sizeof(*v->p))) < 0)
			return rc;
		memmove(v->p + i + 1, v->p + i, (v->n - i) * sizeof(*v->p));
		v->n++;
	} else if (j > i + 1) {
		memmove(v->p + i + 1, v->p + j, (v->n - j) * sizeof(*v->p));
		v->n -= j - i - 1;
	}
	v->p[i].name = name;
	v->p[i].pos = pos;
	return 0;
}

static int vars_copy(struct vars *dst, const struct vars *src)
{
	int rc = grow((void **)&dst->p, &dst->alloc, src->n ? src->n : 1, sizeof(*dst->p));

	if (rc < 0)
		return rc;
	memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	dst->n = src->n;
	return 0;
}

static int np_cmp(const struct np *a, const struct np *b)
{
	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* dst = dst ∪ src, both sorted and distinct. */
static int vars_union(struct vars *dst, const struct vars *src)
{
	struct np *out;
	size_t i = 0, j = 0, n = 0;

	if (!src->n)
		return 0;
	out = malloc((dst->n + src->n) * sizeof(*out));
	if (!out)
		return clm_error_oom();
	while (i < dst->n || j < src->n) {
		int c = i == dst->n ? 1 : j == src->n ? -1 : np_cmp(&dst->p[i], &src->p[j]);
		out[n++] = c <= 0 ? dst->p[i] : src->p[j];
		i += c <= 0;
		j += c >= 0;
	}
	dst->alloc = dst->n + src->n;
	free(dst->p);
	dst->p = out;
	dst->n = n;
	return 0;
}

/* ---- edges ---- */

static int add_edge(struct walk *w, size_t tok, enum clm_dfg_relation rel, const struct np *from, size_t nfrom)
{
	struct raw_edge *e;
	int rc = grow((void **)&w->edge, &w->edge_alloc, w->nedge + 1, sizeof(*w->edge));

	if (rc < 0)
		return rc;
	e = &w->edge[w->nedge];
	e->var = w->tok[tok].name;
	e->pos = (uint32_t)tok;
	e->rel = rel;
	e->nfrom = nfrom;
	e->from = NULL;
	if (nfrom) {
		e->from = malloc(nfrom * sizeof(*from));
		if (!e->from)
			return clm_error_oom();
		memcpy(e->from, from, nfrom * sizeof(*from));
	}
	w->nedge++;
	return 0;
}

/* A use of token `t`: it comes from the live definitions of its name, or defines it. */
static int visit_token(struct walk *w, size_t t)
{
	const struct token *tok = &w->tok[t];
	size_t i = vars_find(&w->state, tok->name), j = i;

	if (!tok->is_var)
		return 0;
	while (j < w->state.n && w->state.p[j].name == tok->name)
		j++;
	if (j > i)
		return add_edge(w, t, CLM_DFG_COMES_FROM, w->state.p + i, j - i);
	if (tok->is_identifier) {
		int rc = vars_set(&w->state, tok->name, (uint32_t)t);
		if (rc < 0)
			return rc;
	}
	return add_edge(w, t, CLM_DFG_COMES_FROM, NULL, 0);
}

/* Targets in `target` get values from the variable tokens in `source`. */
static int bind(struct walk *w, const struct task *task)
{
	size_t t0, t1, s0 = 0, s1 = 0, ns = 0;
	struct np *src = NULL;
	int rc = 0;

	tokens_in(w, task->node, &t0, &t1);
	if (task->bind != BIND_DECLARE) {
		tokens_in(w, task->source, &s0, &s1);
		src = malloc((s1 - s0 + 1) * sizeof(*src));
		if (!src)
			return clm_error_oom();
		for (size_t s = s0; s < s1; s++)
			if (w->tok[s].is_var) {
				src[ns].name = w->tok[s].name;
				src[ns++].pos = (uint32_t)s;
			}
	}
	for (size_t t = t0; rc == 0 && t < t1; t++) {
		if (!w->tok[t].is_var)
			continue;
		if (task->bind == BIND_DECLARE)
			rc = add_edge(w, t, CLM_DFG_COMES_FROM, NULL, 0);
		else if (task->bind == BIND_ALL)
			rc = add_edge(w, t, task->rel, src, ns);
		else
			for (size_t s = 0; rc == 0 && s < ns; s++)
				rc = add_edge(w, t, task->rel, &src[s], 1);
		if (rc == 0)
			rc = vars_set(&w->state, w->tok[t].name, (uint32_t)t);
	}
	free(src);
	return rc;
}

/* x++: every variable token of the expression is computed from each of them. */
static int update(struct walk *w, TSNode node)
{
	size_t t0, t1;
	int rc = 0;

	tokens_in(w, node, &t0, &t1);
	for (size_t a = t0; rc == 0 && a < t1; a++) {
		if (!w->tok[a].is_var)
			continue;
		for (size_t b = t0; rc == 0 && b < t1; b++)
			if (w->tok[b].is_var) {
				struct np from = { w->tok[b].name, (uint32_t)b };
				rc = add_edge(w, a, CLM_DFG_COMPUTED_FROM, &from, 1);
			}
		if (rc == 0)
			rc = vars_set(&w->state, w->tok[a].name, (uint32_t)a);
	}
	return rc;
}

static int raw_cmp(const void *pa, const void *pb)
{
	const struct raw_edge *a = pa, *b = pb;

	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	if (a->rel != b->rel)
		return a->rel < b->rel ? -1 : 1;
	return a->var < b->var ? -1 : a->var > b->var;
}

static int np_qcmp(const void *a, const void *b)
{
	return np_cmp(a, b);
}

/* Fold edges [from, n) that share (pos, rel, var) into one with the union of their sources:
 * a loop body walked twice adds each flow again. Returns the new edge count. */
static int merge_edges(struct walk *w, size_t from, int by_pos_only, size_t *new_n)
{
	size_t out = from;

	if (w->nedge - from > 1) /* w->edge is NULL while no edge exists */
		qsort(w->edge + from, w->nedge - from, sizeof(*w->edge), raw_cmp);
	for (size_t i = from; i < w->nedge; i++) {
		struct raw_edge *prev = out > from ? &w->edge[out - 1] : NULL, *cur = &w->edge[i];
		int same = prev && prev->pos == cur->pos && (by_pos_only || (prev->rel == cur->rel && prev->var == cur->var));
		if (!same) {
			w->edge[out++] = *cur;
			continue;
		}
		if (cur->nfrom) {
			struct np *p = realloc(prev->from, (prev->nfrom + cur->nfrom) * sizeof(*p));
			if (!p) {
				for (size_t k = i; k < w->nedge; k++)
					free(w->edge[k].from);
				w->nedge = out;
				return clm_error_oom();
			}
			memcpy(p + prev->nfrom, cur->from, cur->nfrom * sizeof(*p));
			prev->from = p;
			prev->nfrom += cur->nfrom;
		}
		free(cur->from);
	}
	for (size_t i = from; i < out; i++) {
		struct raw_edge *e = &w->edge[i];
		size_t k = 0;
		if (!e->nfrom)
			continue;
		qsort(e->from, e->nfrom, sizeof(*e->from), np_qcmp);
		for (size_t j = 0; j < e->nfrom; j++)
			if (!k || np_cmp(&e->from[k - 1], &e->from[j]))
				e->from[k++] = e->from[j];
		e->nfrom = k;
	}
	*new_n = out;
	return 0;
}

/* ---- the task machine ---- */

static int push_task(struct walk *w, struct task t)
{
	int rc = grow((void **)&w->task, &w->task_alloc, w->ntask + 1, sizeof(*w->task));

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

/* Load node's children (and their field names) into w->kids, with a cursor: O(children). */
static int load_children(struct walk *w, TSNode node)
{
	int rc;

	w->nkids = 0;
	ts_tree_cursor_reset(&w->cursor, node);
	if (!ts_tree_cursor_goto_first_child(&w->cursor))
		return 0;
	do {
		if ((rc = grow((void **)&w->kids, &w->kids_alloc, w->nkids + 1, sizeof(*w->kids))) < 0 ||
		    (rc = grow((void **)&w->kid_field, &w->kid_field_alloc, w->nkids + 1, sizeof(*w->kid_field))) < 0)
			return rc;
		w->kids[w->nkids] = ts_tree_cursor_current_node(&w->cursor);
		w->kid_field[w->nkids++] = ts_tree_cursor_current_field_name(&w->cursor);
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

	if (k)
		memcpy(k, w->kids, w->nkids * sizeof(*k));
	return k;
}

/* Python assignment targets and values pair element-wise when both are lists of equal length
 * ("a, b = c, d"); otherwise the whole left side takes from the whole right side. */
static int push_python_assign(struct walk *w, TSNode left, TSNode right)
{
	TSNode *l, *r;
	size_t nl = 0, nr = 0, n;
	int rc;

	if ((rc = load_children(w, left)) < 0)
		return rc;
	l = copy_kids(w);
	if ((rc = load_children(w, right)) < 0 || !l) {
		free(l);
		return rc < 0 ? rc : clm_error_oom();
	}
	r = copy_kids(w);
	if (!r) {
		free(l);
		return clm_error_oom();
	}
	for (size_t i = 0; i < w->nkids; i++)
		if (strcmp(ts_node_type(r[i]), ","))
			r[nr++] = r[i];
	if ((rc = load_children(w, left)) == 0)
		for (size_t i = 0; i < w->nkids; i++)
			if (strcmp(ts_node_type(l[i]), ","))
				l[nl++] = l[i];
	if (nl != nr || nl == 0) {
		l[0] = left;
		r[0] = right;
		nl = nr = 1;
	}
	n = nl;
	/* values are walked first, then every target is bound */
	for (size_t i = n; rc == 0 && i > 0; i--)
		rc = push_bind(w, BIND_ALL, l[i - 1], r[i - 1], CLM_DFG_COMPUTED_FROM);
	for (size_t i = n; rc == 0 && i > 0; i--)
		rc = push_visit(w, r[i - 1]);
	free(l);
	free(r);
	return rc;
}

static int visit_declarator(struct walk *w, TSNode node)
{
	TSNode name = ts_node_child_by_field_name(node, "name", 4);
	TSNode value = ts_node_child_by_field_name(node, "value", 5);
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
		if (!ts_node_is_named(k) && ts_node_child_count(k) == 0)
			continue; /* the "else" keyword itself */
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

/* Classic for: walk everything, then the parts after the initialiser once more (the flows a
 * second iteration adds); duplicates fold at T_LOOP_DONE. */
static int visit_for(struct walk *w, TSNode node)
{
	size_t n, after_init = 0;
	TSNode *kids;
	int rc;

	if ((rc = load_children(w, node)) < 0)
		return rc;
	n = w->nkids;
	for (size_t i = 0; i < n; i++)
		if (w->kid_field[i] && w->rules->for_init && !strcmp(w->kid_field[i], w->rules->for_init))
			after_init = i + 1;
	if (!(kids = copy_kids(w)))
		return clm_error_oom();
	rc = push_kind(w, T_LOOP_DONE, w->nedge, 0);
	if (rc == 0)
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
	rc = push_kind(w, T_LOOP_DONE, w->nedge, 0);
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
	rc = push_kind(w, T_LOOP_DONE, w->nedge, 0);
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
	if (is_token_node(node))
		return (t = token_of(w, node)) == SIZE_MAX ? 0 : visit_token(w, t);
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
		if ((rc = grow((void **)&w->ifs, &w->ifs_alloc, w->nifs + 1, sizeof(*w->ifs))) < 0)
			return rc;
		c = &w->ifs[w->nifs++];
		memset(c, 0, sizeof(*c));
		c->has_else = t.has_else;
		return vars_copy(&c->entry, &w->state);
	case T_IF_MAIN_DONE:
		return vars_copy(&c->acc, &w->state);
	case T_BRANCH_ENTER:
		return vars_copy(&w->state, &c->entry);
	case T_BRANCH_DONE:
		return vars_union(&c->acc, &w->state);
	case T_IF_DONE:
		rc = c->has_else ? 0 : vars_union(&c->acc, &c->entry);
		if (rc == 0)
			rc = vars_copy(&w->state, &c->acc);
		free(c->entry.p);
		free(c->acc.p);
		w->nifs--;
		return rc;
	case T_LOOP_DONE:
		return merge_edges(w, t.mark, 0, &w->nedge);
	}
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Keep the tokens that take part in a flow (have sources or are one), one edge per token. */
static int finish(struct walk *w, struct clm_dfg *out)
{
	unsigned char *used = calloc(w->ntok ? w->ntok : 1, 1);
	size_t n = 0;
	int rc;

	if (!used)
		return clm_error_oom();
	for (size_t i = 0; i < w->nedge; i++) {
		if (w->edge[i].nfrom)
			used[w->edge[i].pos] = 1;
		for (size_t j = 0; j < w->edge[i].nfrom; j++)
			used[w->edge[i].from[j].pos] = 1;
	}
	for (size_t i = 0; i < w->nedge; i++) {
		if (used[w->edge[i].pos])
			w->edge[n++] = w->edge[i];
		else
			free(w->edge[i].from);
	}
	w->nedge = n;
	free(used);
	if ((rc = merge_edges(w, 0, 1, &w->nedge)) < 0)
		return rc;
	if ((rc = grow((void **)&out->edge, &out->alloc, w->nedge ? w->nedge : 1, sizeof(*out->edge))) < 0)
		return rc;
	for (size_t i = 0; i < w->nedge; i++) {
		struct raw_edge *e = &w->edge[i];
		struct clm_dfg_edge *d = &out->edge[out->n];
		size_t k = 0;

		memset(d, 0, sizeof(*d));
		d->var = e->var;
		d->pos = e->pos;
		d->rel = e->rel;
		d->from_var = malloc((e->nfrom ? e->nfrom : 1) * sizeof(*d->from_var));
		d->from_pos = malloc((e->nfrom ? e->nfrom : 1) * sizeof(*d->from_pos));
		out->n++;
		if (!d->from_var || !d->from_pos)
			return clm_error_oom();
		/* e->from is sorted by (name, pos) and distinct, so distinct names fall out of it */
		for (size_t j = 0; j < e->nfrom; j++)
			d->from_pos[j] = e->from[j].pos;
		d->nfrom_pos = e->nfrom;
		qsort(d->from_pos, d->nfrom_pos, sizeof(*d->from_pos), u32_cmp);
		for (size_t j = 0; j < e->nfrom; j++)
			if (!k || d->from_var[k - 1] != e->from[j].name)
				d->from_var[k++] = e->from[j].name;
		d->nfrom_var = k;
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
	for (size_t i = 0; i < w->nedge; i++)
		free(w->edge[i].from);
	for (size_t i = 0; i < w->nifs; i++) {
		free(w->ifs[i].entry.p);
		free(w->ifs[i].acc.p);
	}
	free(w->edge);
	free(w->tok);
	free(w->state.p);
	free(w->task);
	free(w->ifs);
	free(w->kids);
	free(w->kid_field);
	clm_symtab_release(&w->names);
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
	w.src = src;
	w.len = len;
	w.cursor = ts_tree_cursor_new(root);
	rc = collect_tokens(&w, root);
	if (rc == 0)
		rc = push_visit(&w, root);
	while (rc == 0 && w.ntask)
		rc = run_task(&w, w.task[--w.ntask]);
	if (rc == 0)
		rc = finish(&w, out);
	walk_release(&w);
	if (rc < 0)
		clm_dfg_release(out);
	return rc;
}
