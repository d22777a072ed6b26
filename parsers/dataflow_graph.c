#include "parsers/dataflow_graph.h"
#include "parsers/codebleu_syntax.h"
#include "parsers/walk.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

/* ---- tokens ---- */

int clm_dfg_is_token_node(TSNode node)
{
	const char *type = ts_node_type(node);

	if (clm_ts_is_comment(node))
		return 0;
	return ts_node_child_count(node) == 0 || !strcmp(type, "string_literal") || !strcmp(type, "string") ||
	       !strcmp(type, "character_literal");
}

static int add_token(struct clm_dfg_tokens *t, TSNode node, const char *src, size_t len)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
	const char *type = ts_node_type(node);
	struct clm_dfg_token *tok;
	int rc;

	if (end > len || start > end)
		return 0;
	if ((rc = CLM_ALLOC_GROW(t->tok, t->n + 1, t->alloc)) < 0)
		return rc;
	tok = &t->tok[t->n];
	tok->start = start;
	tok->end = end;
	if ((rc = clm_symtab_intern(&t->names, src + start, end - start, &tok->name)) < 0)
		return rc;
	tok->is_var = strlen(type) != end - start || memcmp(type, src + start, end - start) != 0;
	tok->is_identifier = !strcmp(type, "identifier");
	t->n++;
	return 0;
}

struct token_walk {
	struct clm_dfg_tokens *t;
	const char *src;
	size_t len;
};

/* A token node is added whole; comments are left out with everything under them. */
static int token_visit(TSNode node, size_t depth, void *ctx)
{
	struct token_walk *w = ctx;

	(void)depth;
	if (clm_dfg_is_token_node(node)) {
		int rc = add_token(w->t, node, w->src, w->len);
		return rc < 0 ? rc : CLM_WALK_SKIP;
	}
	return clm_ts_is_comment(node) ? CLM_WALK_SKIP : CLM_WALK_DESCEND;
}

int clm_dfg_tokens_collect(struct clm_dfg_tokens *t, TSNode root, const char *src, size_t len)
{
	struct token_walk w = { t, src, len };

	return clm_ts_walk(root, token_visit, &w);
}

/* First token whose start is >= `start` (tokens are in source order). */
static size_t lower_bound(const struct clm_dfg_tokens *t, uint32_t start)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->tok[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void clm_dfg_tokens_in(const struct clm_dfg_tokens *t, TSNode node, size_t *first, size_t *last)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);
	size_t i = lower_bound(t, start);

	*first = i;
	while (i < t->n && t->tok[i].end <= end && (t->tok[i].start < end || start == end))
		i++;
	*last = i;
}

size_t clm_dfg_token_of(const struct clm_dfg_tokens *t, TSNode node)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node);

	for (size_t i = lower_bound(t, start); i < t->n && t->tok[i].start == start; i++)
		if (t->tok[i].end == end)
			return i;
	return SIZE_MAX;
}

void clm_dfg_tokens_release(struct clm_dfg_tokens *t)
{
	free(t->tok);
	clm_symtab_release(&t->names);
	t->tok = NULL;
	t->n = t->alloc = 0;
}

/* ---- live definitions ---- */

static size_t vars_find(const struct clm_dfg_vars *v, uint32_t name)
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

void clm_dfg_vars_get(const struct clm_dfg_vars *v, uint32_t name, size_t *first, size_t *last)
{
	size_t i = vars_find(v, name), j = i;

	while (j < v->n && v->p[j].name == name)
		j++;
	*first = i;
	*last = j;
}

int clm_dfg_vars_set(struct clm_dfg_vars *v, uint32_t name, uint32_t pos)
{
	size_t i, j;
	int rc;

	clm_dfg_vars_get(v, name, &i, &j);
	if (j == i) {
		if ((rc = CLM_ALLOC_GROW(v->p, v->n + 1, v->alloc)) < 0)
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

int clm_dfg_vars_copy(struct clm_dfg_vars *dst, const struct clm_dfg_vars *src)
{
	int rc = CLM_ALLOC_GROW(dst->p, src->n ? src->n : 1, dst->alloc);

	if (rc < 0)
		return rc;
	if (src->n)
		memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	dst->n = src->n;
	return 0;
}

static int np_cmp(const struct clm_dfg_np *a, const struct clm_dfg_np *b)
{
	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int clm_dfg_vars_union(struct clm_dfg_vars *dst, const struct clm_dfg_vars *src)
{
	struct clm_dfg_np *out;
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

int clm_dfg_edges_add(struct clm_dfg_edges *g, uint32_t var, uint32_t pos, enum clm_dfg_relation rel,
		      const struct clm_dfg_np *from, size_t nfrom)
{
	struct clm_dfg_raw_edge *e;
	int rc = CLM_ALLOC_GROW(g->e, g->n + 1, g->alloc);

	if (rc < 0)
		return rc;
	e = &g->e[g->n];
	e->var = var;
	e->pos = pos;
	e->rel = rel;
	e->nfrom = nfrom;
	e->from = NULL;
	if (nfrom) {
		e->from = malloc(nfrom * sizeof(*from));
		if (!e->from)
			return clm_error_oom();
		memcpy(e->from, from, nfrom * sizeof(*from));
	}
	g->n++;
	return 0;
}

static int raw_cmp(const void *pa, const void *pb)
{
	const struct clm_dfg_raw_edge *a = pa, *b = pb;

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

/* Sort an edge's sources and drop repeats. */
static void dedupe_sources(struct clm_dfg_raw_edge *e)
{
	size_t k = 0;

	if (!e->nfrom)
		return;
	qsort(e->from, e->nfrom, sizeof(*e->from), np_qcmp);
	for (size_t j = 0; j < e->nfrom; j++)
		if (!k || np_cmp(&e->from[k - 1], &e->from[j]))
			e->from[k++] = e->from[j];
	e->nfrom = k;
}

int clm_dfg_edges_merge(struct clm_dfg_edges *g, size_t first, int by_pos_only)
{
	size_t out = first;

	if (g->n <= first)
		return 0;
	qsort(g->e + first, g->n - first, sizeof(*g->e), raw_cmp);
	for (size_t i = first; i < g->n; i++) {
		struct clm_dfg_raw_edge *prev = out > first ? &g->e[out - 1] : NULL, *cur = &g->e[i];
		int same = prev && prev->pos == cur->pos &&
			   (by_pos_only || (prev->rel == cur->rel && prev->var == cur->var));
		if (!same) {
			g->e[out++] = *cur;
			continue;
		}
		if (cur->nfrom) {
			struct clm_dfg_np *p = realloc(prev->from, (prev->nfrom + cur->nfrom) * sizeof(*p));
			if (!p) {
				for (size_t k = i; k < g->n; k++)
					free(g->e[k].from);
				g->n = out;
				return clm_error_oom();
			}
			memcpy(p + prev->nfrom, cur->from, cur->nfrom * sizeof(*p));
			prev->from = p;
			prev->nfrom += cur->nfrom;
		}
		free(cur->from);
	}
	g->n = out;
	for (size_t i = first; i < out; i++)
		dedupe_sources(&g->e[i]);
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Convert one cleaned edge; its sources are sorted by (name, pos) and distinct. */
static int export_edge(const struct clm_dfg_raw_edge *e, struct clm_dfg_edge *d)
{
	size_t k = 0;

	memset(d, 0, sizeof(*d));
	d->var = e->var;
	d->pos = e->pos;
	d->rel = e->rel;
	d->from_var = malloc((e->nfrom ? e->nfrom : 1) * sizeof(*d->from_var));
	d->from_pos = malloc((e->nfrom ? e->nfrom : 1) * sizeof(*d->from_pos));
	if (!d->from_var || !d->from_pos)
		return clm_error_oom();
	for (size_t j = 0; j < e->nfrom; j++) {
		d->from_pos[j] = e->from[j].pos;
		if (!k || d->from_var[k - 1] != e->from[j].name)
			d->from_var[k++] = e->from[j].name;
	}
	d->nfrom_pos = e->nfrom;
	d->nfrom_var = k;
	qsort(d->from_pos, d->nfrom_pos, sizeof(*d->from_pos), u32_cmp);
	return 0;
}

int clm_dfg_edges_finish(struct clm_dfg_edges *g, size_t ntokens, struct clm_dfg *out)
{
	unsigned char *used = calloc(ntokens ? ntokens : 1, 1);
	size_t n = 0;
	int rc;

	if (!used)
		return clm_error_oom();
	for (size_t i = 0; i < g->n; i++) {
		if (g->e[i].nfrom)
			used[g->e[i].pos] = 1;
		for (size_t j = 0; j < g->e[i].nfrom; j++)
			used[g->e[i].from[j].pos] = 1;
	}
	for (size_t i = 0; i < g->n; i++) {
		if (used[g->e[i].pos])
			g->e[n++] = g->e[i];
		else
			free(g->e[i].from);
	}
	g->n = n;
	free(used);
	if ((rc = clm_dfg_edges_merge(g, 0, 1)) < 0)
		return rc;
	if ((rc = CLM_ALLOC_GROW(out->edge, g->n ? g->n : 1, out->alloc)) < 0)
		return rc;
	for (size_t i = 0; i < g->n; i++) {
		rc = export_edge(&g->e[i], &out->edge[out->n]);
		out->n++;
		if (rc < 0)
			return rc;
	}
	return 0;
}

void clm_dfg_edges_release(struct clm_dfg_edges *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->e[i].from);
	free(g->e);
	g->e = NULL;
	g->n = g->alloc = 0;
}
