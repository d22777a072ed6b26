/* A small, defensive XML reader for manifests (pom.xml, *.csproj, packages.config): elements,
 * attributes, character data and CDATA, the five predefined entities and character references.
 * DTDs are skipped and never expanded; nesting is bounded; any malformed markup is rejected. */
#ifndef CLM_PARSERS_MANIFESTS_XML_H
#define CLM_PARSERS_MANIFESTS_XML_H

#include <stddef.h>

struct clm_xml_attr {
	char *name, *value;
};

struct clm_xml {
	char *name;                  /* as written, with any namespace prefix */
	char *text;                  /* character data directly inside, decoded and trimmed */
	struct clm_xml_attr *attrs;
	size_t nattrs;
	struct clm_xml **children;   /* in document order */
	size_t n;
	size_t line;                 /* 1-based line of the start tag */
};

/* Parse `len` bytes. On success *root is the document element, freed with clm_xml_free; on
 * malformed input returns CLM_EINVALID with a message naming `path` and the line. */
int clm_xml_parse(const char *path, const char *data, size_t len, struct clm_xml **root);

/* Free an element and everything under it. */
void clm_xml_free(struct clm_xml *e);

/* The first child element called `name`, or NULL. */
const struct clm_xml *clm_xml_child(const struct clm_xml *e, const char *name);

/* The text of the first child called `name`, or NULL when there is no such child. */
const char *clm_xml_child_text(const struct clm_xml *e, const char *name);

/* The value of attribute `name` (matched without regard to case, as MSBuild does), or NULL. */
const char *clm_xml_attr(const struct clm_xml *e, const char *name);

#endif
