#include "cl/budget.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int clm_budget_room(const struct clm_strategy *s, const struct clm_gpt *m)
{
	int room = m->cfg.n_positions - (s ? clm_strategy_max_prefix(s) : 0);

	return room < 2 ? 2 : room;
}

void clm_budget_split(size_t room, size_t nsrc, size_t ntgt, size_t *keep_src, size_t *keep_tgt)
{
	size_t tgt;

	if (nsrc + ntgt <= room) {
		*keep_src = nsrc;
		*keep_tgt = ntgt;
		return;
	}
	tgt = nsrc < room && room - nsrc > room / 2 ? room - nsrc : room / 2;
	if (tgt > ntgt)
		tgt = ntgt;
	*keep_tgt = tgt;
	*keep_src = room - tgt < nsrc ? room - tgt : nsrc;
}

/* One line of a source and its ids. */
struct line {
	int32_t *ids;
	size_t n;
};

static void lines_release(struct line *l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		free(l[i].ids);
	free(l);
}

/* Encode every line (with its newline) of `text` separately; *focus_line gets the line of byte
 * `focus`. */
static int encode_lines(struct clm_text_codec *c, const char *text, size_t len, size_t focus, struct line **out,
			size_t *nlines, size_t *focus_line)
{
	size_t n = 1, k = 0;
	int rc = 0;

	for (size_t i = 0; i + 1 < len; i++)
		n += text[i] == '\n';
	*out = calloc(n, sizeof(**out));
	if (!*out)
		return clm_error_oom();
	*focus_line = CLM_BUDGET_NO_FOCUS;
	for (size_t start = 0; start < len && !rc; k++) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		if (focus != CLM_BUDGET_NO_FOCUS && focus >= start && focus < end)
			*focus_line = k;
		rc = c->encode(c->ctx, text + start, end - start, &(*out)[k].ids, &(*out)[k].n);
		start = end;
	}
	*nlines = k;
	return rc;
}

static int append(int32_t **ids, size_t *n, const int32_t *from, size_t count)
{
	int32_t *g = realloc(*ids, (*n + count + 1) * sizeof(*g));

	if (!g)
		return clm_error_oom();
	memcpy(g + *n, from, count * sizeof(*g));
	*ids = g;
	*n += count;
	return 0;
}

/* Lines [lo, hi] around `focus` (never line 0) that fit `room` tokens, growing first downwards
 * (upwards when `up_first`), one whole line at a time. Returns the tokens used. */
static size_t window(const struct line *l, size_t nlines, size_t focus, int up_first, size_t room, size_t *lo,
		     size_t *hi)
{
	size_t used = l[focus].n;

	*lo = *hi = focus;
	for (int grew = 1; grew;) {
		grew = 0;
		for (int side = 0; side < 2; side++) {
			int up = up_first ? side == 0 : side == 1;
			if (up && *lo > 1 && used + l[*lo - 1].n <= room) {
				used += l[--*lo].n;
				grew = 1;
			} else if (!up && *hi + 1 < nlines && used + l[*hi + 1].n <= room) {
				used += l[++*hi].n;
				grew = 1;
			}
		}
	}
	return used;
}

int clm_budget_encode(struct clm_text_codec *c, const char *text, size_t len, enum clm_task_kind kind,
		      size_t focus, size_t keep, int32_t **ids, size_t *n, size_t *cut)
{
	int32_t *all = NULL, *kept = NULL;
	size_t nall = 0, nkept = 0, nlines = 0, focus_line, lo, hi;
	int tail = kind == CLM_KIND_COMPLETE && focus == CLM_BUDGET_NO_FOCUS;
	struct line *l = NULL;
	int rc = c->encode(c->ctx, text, len, &all, &nall);

	if (cut)
		*cut = 0;
	if (rc == 0 && nall > keep)
		rc = encode_lines(c, text, len, focus, &l, &nlines, &focus_line);
	if (rc < 0 || nall <= keep)
		goto out;
	if (nlines < 2 || l[0].n >= keep) {
		/* One line, or a signature longer than the budget: its start (a completion's end). */
		rc = append(&kept, &nkept, all + (tail ? nall - keep : 0), keep);
		goto out;
	}
	if (focus_line == CLM_BUDGET_NO_FOCUS || focus_line == 0)
		focus_line = tail ? nlines - 1 : 1;
	rc = append(&kept, &nkept, l[0].ids, l[0].n);
	if (rc == 0 && l[focus_line].n > keep - l[0].n) {
		/* The focus line alone overflows: as much of it as fits. */
		size_t room = keep - l[0].n;
		rc = append(&kept, &nkept, l[focus_line].ids + (tail ? l[focus_line].n - room : 0), room);
		goto out;
	}
	window(l, nlines, focus_line, tail, keep - l[0].n, &lo, &hi);
	for (size_t i = lo; rc == 0 && i <= hi; i++)
		rc = append(&kept, &nkept, l[i].ids, l[i].n);
out:
	if (rc == 0) {
		const int32_t *src = kept ? kept : all;
		size_t count = kept ? nkept : nall;
		if (cut)
			*cut = nall - count;
		rc = append(ids, n, src, count);
	}
	lines_release(l, nlines);
	free(all);
	free(kept);
	return rc;
}

int clm_budget_fit_prompt(struct clm_text_codec *c, const struct clm_strategy *s, const struct clm_gpt *m,
			  const char *text, enum clm_task_kind kind, size_t focus, size_t gen, struct clm_strbuf *out)
{
	size_t len = strlen(text), n = 0, keep_src, keep_gen;
	int32_t *ids = NULL;
	int rc = c->encode(c->ctx, text, len, &ids, &n);

	/* one position for the separator */
	clm_budget_split((size_t)clm_budget_room(s, m) - 1, n, gen, &keep_src, &keep_gen);
	if (rc == 0 && n <= keep_src)
		rc = clm_strbuf_add(out, text, len);
	else if (rc == 0) {
		free(ids);
		ids = NULL;
		n = 0;
		rc = clm_budget_encode(c, text, len, kind, focus, keep_src, &ids, &n, NULL);
		if (rc == 0)
			rc = c->decode(c->ctx, ids, n, out);
	}
	free(ids);
	return rc;
}
