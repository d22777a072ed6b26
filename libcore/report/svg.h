/* Inline SVG charts for the report: a heatmap with the numbers in its cells, line charts with
 * marked x positions, and bar charts with error bars. Every chart is readable without colour:
 * values are printed, series differ by dash pattern and marker shape, empty cells are hatched.
 * Charts scale with the page (viewBox, width 100%). */
#ifndef CLM_REPORT_SVG_H
#define CLM_REPORT_SVG_H

#include <stddef.h>
#include "util/strbuf.h"

/* A matrix of scores; NAN marks a cell with no value (a task not learned yet). */
struct clm_heatmap {
	size_t rows, cols;
	const double *values;           /* rows x cols, row-major */
	const char *const *row_labels;  /* rows entries, short ("T1") */
	const char *const *col_labels;  /* cols entries */
	const char *title;              /* accessible name of the figure */
};

/* Append the heatmap as an <svg> element; 0 or negative. */
int clm_svg_heatmap(struct clm_strbuf *out, const struct clm_heatmap *h);

/* Marker shapes of line series, so series differ without colour. */
enum clm_marker { CLM_MARKER_CIRCLE, CLM_MARKER_SQUARE, CLM_MARKER_TRIANGLE, CLM_MARKER_CROSS };

struct clm_series {
	const char *name;
	const double *y;        /* one value per x position; NAN leaves a gap */
	enum clm_marker marker;
	const char *dash;       /* stroke-dasharray, NULL for a solid line */
};

/* A point drawn apart from the series (a candidate that failed the gate), hollow, with a label. */
struct clm_chart_point {
	double x, y;
	const char *label;
};

struct clm_line_chart {
	size_t n;                          /* x positions 0..n-1 */
	const char *const *x_labels;       /* n entries (NULL entries print nothing) */
	const char *const *x_marks;        /* n entries or NULL: a release mark ("pin v1.0") at x */
	size_t nseries;
	const struct clm_series *series;
	size_t npoints;
	const struct clm_chart_point *points;
	const char *title;
};

/* Append the line chart as an <svg> element with its legend; 0 or negative. */
int clm_svg_line_chart(struct clm_strbuf *out, const struct clm_line_chart *c);

struct clm_bar_chart {
	size_t n;
	const char *const *labels;   /* n entries */
	const double *values;        /* n entries; NAN draws no bar and prints "n/a" */
	const double *lo, *hi;       /* n entries each or NULL: an error bar from lo to hi */
	const char *title;
};

/* Append horizontal bars with their values printed; 0 or negative. */
int clm_svg_bar_chart(struct clm_strbuf *out, const struct clm_bar_chart *c);

#endif
