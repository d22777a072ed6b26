#include "report/svg.h"
#include "report/markup.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>

/* Light to dark blue: every step is also a step in lightness, so a grey print keeps the order. */
static void scale_colour(double t, char out[8])
{
	static const int lo[3] = { 247, 251, 255 }, hi[3] = { 8, 48, 107 };
	int c[3];

	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	for (int i = 0; i < 3; i++)
		c[i] = (int)lround(lo[i] + (hi[i] - lo[i]) * t);
	snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static int text_at(struct clm_strbuf *out, double x, double y, const char *anchor, const char *cls, const char *text)
{
	int rc = clm_strbuf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);

	if (rc == 0)
		rc = clm_markup_escape(out, text);
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "</text>");
	return rc;
}

static int svg_open(struct clm_strbuf *out, double w, double h, const char *cls, const char *title)
{
	int rc = clm_strbuf_addf(out, "<svg class=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", cls, w, h);

	if (rc == 0)
		rc = clm_markup_escape(out, title);
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "\">");
	return rc;
}

int clm_svg_heatmap(struct clm_strbuf *out, const struct clm_heatmap *h)
{
	const double cell_w = 56, cell_h = 28, left = 48, top = 24;
	double max = 0;
	int rc;

	for (size_t i = 0; i < h->rows * h->cols; i++)
		if (isfinite(h->values[i]) && h->values[i] > max)
			max = h->values[i];
	rc = svg_open(out, left + cell_w * (double)h->cols + 4, top + cell_h * (double)h->rows + 4, "heatmap", h->title);
	/* Empty cells are hatched, not just pale, so they read apart from a score of zero. */
	if (rc == 0)
		rc = clm_strbuf_addstr(out, "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" "
					    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
					    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch\"/></pattern></defs>");
	for (size_t j = 0; rc == 0 && j < h->cols; j++)
		rc = text_at(out, left + cell_w * ((double)j + 0.5), top - 8, "middle", "label", h->col_labels[j]);
	for (size_t i = 0; rc == 0 && i < h->rows; i++) {
		double y = top + cell_h * (double)i;
		rc = text_at(out, left - 6, y + cell_h * 0.65, "end", "label", h->row_labels[i]);
		for (size_t j = 0; rc == 0 && j < h->cols; j++) {
			double v = h->values[i * h->cols + j], x = left + cell_w * (double)j;
			char fill[8], num[32];
			if (!isfinite(v)) {
				rc = clm_strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
							  "fill=\"url(#hatch)\" class=\"cell empty\"><title>not learned yet</title></rect>",
						     x, y, cell_w, cell_h);
				continue;
			}
			scale_colour(max > 0 ? v / max : 0, fill);
			snprintf(num, sizeof(num), "%.2f", v);
			rc = clm_strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
						  "class=\"cell\" data-row=\"%zu\" data-col=\"%zu\" data-value=\"%s\"/>",
					     x, y, cell_w, cell_h, fill, i, j, num);
			if (rc == 0)
				rc = text_at(out, x + cell_w / 2, y + cell_h * 0.65, "middle",
					     max > 0 && v / max > 0.55 ? "value dark" : "value", num);
		}
	}
	return rc ? rc : clm_strbuf_addstr(out, "</svg>");
}

static int marker(struct clm_strbuf *out, enum clm_marker m, double x, double y, int hollow, int series)
{
	const char *cls = hollow ? "mark hollow" : "mark";

	switch (m) {
	case CLM_MARKER_SQUARE:
		return clm_strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" class=\"%s s%d\"/>", x - 3.5,
				       y - 3.5, cls, series);
	case CLM_MARKER_TRIANGLE:
		return clm_strbuf_addf(out, "<path d=\"M%.1f %.1fl4 7h-8z\" class=\"%s s%d\"/>", x, y - 4.5, cls, series);
	case CLM_MARKER_CROSS:
		return clm_strbuf_addf(out, "<path d=\"M%.1f %.1fl8 8m0 -8l-8 8\" class=\"%s cross s%d\"/>", x - 4, y - 4, cls,
				       series);
	default:
		return clm_strbuf_addf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.8\" class=\"%s s%d\"/>", x, y, cls, series);
	}
}

/* The y range of a chart: always includes 0, never empty. */
static void y_range(const struct clm_line_chart *c, double *lo, double *hi)
{
	*lo = 0, *hi = 0;
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->n; i++)
			if (isfinite(c->series[s].y[i])) {
				*lo = fmin(*lo, c->series[s].y[i]);
				*hi = fmax(*hi, c->series[s].y[i]);
			}
	for (size_t p = 0; p < c->npoints; p++)
		if (isfinite(c->points[p].y)) {
			*lo = fmin(*lo, c->points[p].y);
			*hi = fmax(*hi, c->points[p].y);
		}
	if (*hi - *lo < 1e-9)
		*hi = *lo + 1;
	*hi += (*hi - *lo) * 0.08;
}

/* Labels at the ends of an axis grow inwards, so they are not cut off at the edge. */
static const char *edge_anchor(size_t i, size_t n)
{
	return n < 2 ? "middle" : i == 0 ? "start" : i + 1 == n ? "end" : "middle";
}

/* Tick labels with enough decimals to tell the ticks apart. */
static int tick_decimals(double range)
{
	return range >= 4 ? 1 : range >= 0.4 ? 2 : range >= 0.04 ? 3 : 5;
}

int clm_svg_line_chart(struct clm_strbuf *out, const struct clm_line_chart *c)
{
	const double w = 720, h = 320, left = 56, right = 16, top = 40, bottom = 78;
	const double pw = w - left - right, ph = h - top - bottom;
	size_t label_every = c->n > 12 ? (c->n + 11) / 12 : 1;
	double lo, hi;
	int rc;

	y_range(c, &lo, &hi);
#define X(i) (left + (c->n > 1 ? pw * (double)(i) / (double)(c->n - 1) : pw / 2))
#define Y(v) (top + ph * (1 - ((v) - lo) / (hi - lo)))
	rc = svg_open(out, w, h, "linechart", c->title);
	for (int t = 0; rc == 0 && t <= 4; t++) {
		double v = lo + (hi - lo) * t / 4;
		char num[32];
		snprintf(num, sizeof(num), "%.*f", tick_decimals(hi - lo), v);
		rc = clm_strbuf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", left,
				     w - right, Y(v), Y(v));
		if (rc == 0)
			rc = text_at(out, left - 6, Y(v) + 4, "end", "label", num);
	}
	if (rc == 0 && lo < 0)
		rc = clm_strbuf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"zero\"/>", left,
				     w - right, Y(0), Y(0));
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		if (c->x_labels && c->x_labels[i] && (i % label_every == 0 || i + 1 == c->n))
			rc = text_at(out, X(i), top + ph + 16, "middle", "label", c->x_labels[i]);
		/* A release mark is a dashed rule across the plot and its name under the axis. */
		if (rc == 0 && c->x_marks && c->x_marks[i]) {
			rc = clm_strbuf_addf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"release\"/>", X(i),
					     X(i), top, top + ph);
			if (rc == 0)
				rc = text_at(out, X(i), top + ph + 32, edge_anchor(i, c->n), "release-label", c->x_marks[i]);
		}
	}
	for (size_t s = 0; rc == 0 && s < c->nseries; s++) {
		const struct clm_series *sr = &c->series[s];
		int pen_down = 0;
		rc = clm_strbuf_addf(out, "<path class=\"series s%zu\"%s%s%s d=\"", s, sr->dash ? " stroke-dasharray=\"" : "",
				     sr->dash ? sr->dash : "", sr->dash ? "\"" : "");
		for (size_t i = 0; rc == 0 && i < c->n; i++) {
			if (!isfinite(sr->y[i])) {
				pen_down = 0;
				continue;
			}
			rc = clm_strbuf_addf(out, "%s%.1f %.1f ", pen_down ? "L" : "M", X(i), Y(sr->y[i]));
			pen_down = 1;
		}
		if (rc == 0)
			rc = clm_strbuf_addstr(out, "\"/>");
		for (size_t i = 0; rc == 0 && i < c->n; i++)
			if (isfinite(sr->y[i]))
				rc = marker(out, sr->marker, X(i), Y(sr->y[i]), 0, (int)s);
		/* Legend: a sample of the line with its marker, then the name. */
		if (rc == 0) {
			double lx = left + 8 + 150 * (double)s;
			rc = clm_strbuf_addf(out, "<path class=\"series s%zu\"%s%s%s d=\"M%.1f 16h28\"/>", s,
					     sr->dash ? " stroke-dasharray=\"" : "", sr->dash ? sr->dash : "", sr->dash ? "\"" : "", lx);
			if (rc == 0)
				rc = marker(out, sr->marker, lx + 14, 16, 0, (int)s);
			if (rc == 0)
				rc = text_at(out, lx + 34, 20, "start", "legend", sr->name);
		}
	}
	for (size_t p = 0; rc == 0 && p < c->npoints; p++) {
		const struct clm_chart_point *pt = &c->points[p];
		double px = left + (c->n > 1 ? pw * pt->x / (double)(c->n - 1) : pw / 2);
		if (!isfinite(pt->y))
			continue;
		rc = marker(out, CLM_MARKER_CROSS, px, Y(pt->y), 1, 0);
		if (rc == 0)
			rc = text_at(out, px + 6, Y(pt->y) - 6, "start", "point-label", pt->label);
	}
#undef X
#undef Y
	return rc ? rc : clm_strbuf_addstr(out, "</svg>");
}

int clm_svg_bar_chart(struct clm_strbuf *out, const struct clm_bar_chart *c)
{
	const double left = 170, bar_w = 420, row = 26, top = 8;
	double max = 0;
	int rc;

	for (size_t i = 0; i < c->n; i++) {
		if (isfinite(c->values[i]))
			max = fmax(max, c->values[i]);
		if (c->hi && isfinite(c->hi[i]))
			max = fmax(max, c->hi[i]);
	}
	if (max <= 0)
		max = 1;
	rc = svg_open(out, left + bar_w + 90, top + row * (double)c->n + 8, "barchart", c->title);
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		double y = top + row * (double)i, v = c->values[i];
		char num[32];
		rc = text_at(out, left - 8, y + row * 0.62, "end", "label", c->labels[i]);
		if (rc == 0 && !isfinite(v)) {
			rc = text_at(out, left + 4, y + row * 0.62, "start", "value", "n/a");
			continue;
		}
		if (rc == 0 && v > 0)
			rc = clm_strbuf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"bar\"/>",
					     left, y + 4, bar_w * v / max, row - 8);
		if (rc == 0 && c->lo && c->hi && isfinite(c->lo[i]) && isfinite(c->hi[i])) {
			double x0 = left + bar_w * fmax(c->lo[i], 0) / max, x1 = left + bar_w * c->hi[i] / max, ym = y + row / 2;
			rc = clm_strbuf_addf(out, "<path class=\"errorbar\" d=\"M%.1f %.1fH%.1fM%.1f %.1fv8M%.1f %.1fv8\"/>", x0, ym,
					     x1, x0, ym - 4, x1, ym - 4);
		}
		snprintf(num, sizeof(num), "%.2f", v);
		if (rc == 0)
			rc = text_at(out, left + bar_w * fmax(0, fmax(v, c->hi && isfinite(c->hi[i]) ? c->hi[i] : v)) / max + 6,
				     y + row * 0.62, "start", "value", num);
	}
	return rc ? rc : clm_strbuf_addstr(out, "</svg>");
}
