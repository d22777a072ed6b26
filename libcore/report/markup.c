#include "report/markup.h"

int clm_markup_escape(struct clm_strbuf *out, const char *s)
{
	int rc = 0;

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && rc == 0; p++) {
		switch (*p) {
		case '&': rc = clm_strbuf_addstr(out, "&amp;"); break;
		case '<': rc = clm_strbuf_addstr(out, "&lt;"); break;
		case '>': rc = clm_strbuf_addstr(out, "&gt;"); break;
		case '"': rc = clm_strbuf_addstr(out, "&quot;"); break;
		case '\'': rc = clm_strbuf_addstr(out, "&#39;"); break;
		default:
			/* A terminal escape or a NUL-like byte has no business in a page. */
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
				rc = clm_strbuf_addstr(out, "\xef\xbf\xbd");
			else
				rc = clm_strbuf_addch(out, (char)*p);
		}
	}
	return rc;
}

int clm_markup_element(struct clm_strbuf *out, const char *tag, const char *text)
{
	int rc = clm_strbuf_addf(out, "<%s>", tag);

	if (rc == 0)
		rc = clm_markup_escape(out, text);
	if (rc == 0)
		rc = clm_strbuf_addf(out, "</%s>", tag);
	return rc;
}
