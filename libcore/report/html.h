/* The report as one self-contained HTML page: inline CSS and SVG, no script, no network, every
 * string from the report escaped. Rendered from the JSON of report/collect.h, so the page and
 * `report --json` show the same data. */
#ifndef CLM_REPORT_HTML_H
#define CLM_REPORT_HTML_H

#include <jansson.h>
#include "util/strbuf.h"

/* Append the page for `report` to `out`; 0 or negative with a message. */
int clm_report_html(const json_t *report, struct clm_strbuf *out);

#endif
