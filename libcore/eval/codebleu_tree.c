#include "eval/codebleu_tree.h"
#include "parsers/codebleu_syntax.h"
#include "parsers/dataflow.h"
#include "util/error.h"
#include "util/symtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The number of items of `ref` found in `pred`, each prediction item used at most once
 * (a multiset intersection); both arrays are sorted in place. */
static size_t multiset_matches(uint64_t *ref, size_t nref, uint64_t *pred, size_t npred)
{
	size_t i = 0, j = 0, m = 0;

	if (!nref || !npred)
		return 0;
	qsort(ref, nref, sizeof(*ref), u64_cmp);
	qsort(pred, npred, sizeof(*pred), u64_cmp);
	while (i < nref && j < npred) {
		if (ref[i] == pred[j])
			m++, i++, j++;
		else if (ref[i] < pred[j])
			i++;
		else
			j++;
	}
	return m;
}

/* The syntax match counts each reference subtree present anywhere in the prediction, however
 * often (list membership in the reference): so only membership is tested here. */
static size_t membership_matches(const uint64_t *ref, size_t nref, uint64_t *pred, size_t npred)
{
	size_t m = 0;

	if (!nref || !npred)
		return 0;
	qsort(pred, npred, sizeof(*pred), u64_cmp);
	for (size_t i = 0; i < nref; i++)
		m += bsearch(&ref[i], pred, npred, sizeof(*pred), u64_cmp) != NULL;
	return m;
}

/* Hash each flow with its variables renamed var_0, var_1, ... in order of first use (sources
 * before the target), so matching ignores variable names. Caller frees *out. */
static int normalised_flows(const struct clm_dfg *g, uint64_t **out)
{
	uint32_t max_name = 0, next = 0, *norm;
	uint64_t *h = malloc((g->n ? g->n : 1) * sizeof(*h));

	for (size_t i = 0; i < g->n; i++) {
		if (g->edge[i].var > max_name)
			max_name = g->edge[i].var;
		for (size_t j = 0; j < g->edge[i].nfrom_var; j++)
			if (g->edge[i].from_var[j] > max_name)
				max_name = g->edge[i].from_var[j];
	}
	norm = calloc((size_t)max_name + 1, sizeof(*norm));
	if (!h || !norm) {
		free(h);
		free(norm);
		return clm_error_oom();
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct clm_dfg_edge *e = &g->edge[i];
		uint64_t x = clm_hash_mix(0x666c6f77ULL, (uint64_t)e->rel);
		for (size_t j = 0; j < e->nfrom_var; j++)
			if (!norm[e->from_var[j]])
				norm[e->from_var[j]] = ++next;
		if (!norm[e->var])
			norm[e->var] = ++next;
		x = clm_hash_mix(x, norm[e->var]);
		x = clm_hash_mix(x, e->nfrom_var);
		for (size_t j = 0; j < e->nfrom_var; j++)
			x = clm_hash_mix(x, norm[e->from_var[j]]);
		h[i] = x;
	}
	free(norm);
	*out = h;
	return 0;
}

/* One parsed snippet: its subtree hashes and normalised flow hashes. */
struct sample {
	uint64_t *subtrees, *flows;
	size_t nsubtrees, nflows;
};

static int analyse(TSParser *parser, const char *lang, const char *code, struct sample *s)
{
	size_t len = strlen(code);
	struct clm_dfg g = CLM_DFG_INIT;
	TSTree *tree;
	TSNode root;
	int rc;

	memset(s, 0, sizeof(*s));
	if (len > UINT32_MAX)
		return clm_error_set(CLM_EINVALID, "sample of %zu bytes is too long to parse", len);
	tree = ts_parser_parse_string(parser, NULL, code, (uint32_t)len);
	if (!tree)
		return 0;
	root = ts_tree_root_node(tree);
	rc = clm_syntax_subtree_hashes(root, &s->subtrees, &s->nsubtrees);
	if (rc == 0)
		rc = clm_dataflow_extract(lang, root, code, len, &g);
	if (rc == 0 && (rc = normalised_flows(&g, &s->flows)) == 0)
		s->nflows = g.n;
	clm_dfg_release(&g);
	ts_tree_delete(tree);
	return rc;
}

static void sample_release(struct sample *s)
{
	free(s->subtrees);
	free(s->flows);
}

int clm_codebleu_tree_counts(TSParser *parser, const char *lang, const char *ref, const char *pred,
			     struct clm_codebleu_tree_counts *acc)
{
	struct sample r = { NULL, NULL, 0, 0 }, p = { NULL, NULL, 0, 0 };
	int rc = analyse(parser, lang, ref, &r);

	if (rc == 0)
		rc = analyse(parser, lang, pred, &p);
	if (rc == 0) {
		acc->ref_subtrees += r.nsubtrees;
		acc->matched_subtrees += membership_matches(r.subtrees, r.nsubtrees, p.subtrees, p.nsubtrees);
		acc->ref_flows += r.nflows;
		acc->matched_flows += multiset_matches(r.flows, r.nflows, p.flows, p.nflows);
	}
	sample_release(&r);
	sample_release(&p);
	return rc;
}
