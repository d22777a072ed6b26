/* Writing HTML and SVG text: escaping every string that comes from a repository, a model or a
 * server (commit messages, code, package names are untrusted), and numbers in a fixed format. */
#ifndef CLM_REPORT_MARKUP_H
#define CLM_REPORT_MARKUP_H

#include "util/strbuf.h"

/* Append `s` with &, <, >, " and ' escaped, so it is inert as element text and as a quoted
 * attribute value; other control characters than tab and newline become U+FFFD. 0 or CLM_ENOMEM. */
int clm_markup_escape(struct clm_strbuf *out, const char *s);

/* Append "<tag>escaped text</tag>"; `tag` is ours (never from data). 0 or CLM_ENOMEM. */
int clm_markup_element(struct clm_strbuf *out, const char *tag, const char *text);

#endif
