/* NuGet: PackageReference items of MSBuild projects (*.csproj, *.fsproj, *.vbproj,
 * Directory.Build.props), central PackageVersion items (Directory.Packages.props, group
 * "managed") and packages.config. $(Property) versions come from the file's PropertyGroups. */
#include "parsers/manifests/common.h"
#include "parsers/manifests/xml.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct msbuild {
	const char *path;
	const struct clm_xml **props; /* PropertyGroup children, in document order */
	size_t nprops, alloc;
	struct clm_dep_list *out;
};

static int nuget_matches(const char *path)
{
	const char *base = clm_path_basename(path);

	return clm_has_suffix(base, ".csproj") || clm_has_suffix(base, ".fsproj") ||
	       clm_has_suffix(base, ".vbproj") || !strcmp(base, "Directory.Packages.props") ||
	       !strcmp(base, "Directory.Build.props") || !strcmp(base, "packages.config");
}

static int collect_properties(struct msbuild *m, const struct clm_xml *e)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct clm_xml *c = e->children[i];
		int rc;

		if (strcmp(e->name, "PropertyGroup")) {
			if ((rc = collect_properties(m, c)) < 0)
				return rc;
			continue;
		}
		if (CLM_ALLOC_GROW(m->props, m->nprops + 1, m->alloc) < 0)
			return CLM_ENOMEM;
		m->props[m->nprops++] = c;
	}
	return 0;
}

/* The last definition of property `name` (MSBuild names are case-insensitive). */
static const char *property(const struct msbuild *m, const char *name, size_t n)
{
	for (size_t i = m->nprops; i-- > 0;)
		if (strlen(m->props[i]->name) == n && !strncasecmp(m->props[i]->name, name, n))
			return m->props[i]->text;
	return NULL;
}

/* clm_expand_refs callback over property(). */
static const char *lookup_property(const void *ctx, const char *name, size_t n)
{
	return property(ctx, name, n);
}

/* An item with the package id in Include and the version in an attribute or child element. */
static int add_item(const struct msbuild *m, const struct clm_xml *e, const char *group)
{
	struct clm_strbuf version = CLM_STRBUF_INIT;
	const char *id = clm_xml_attr(e, "Include");
	const char *v = clm_xml_attr(e, "Version");
	int rc;

	if (!id) {
		if (clm_xml_attr(e, "Update") || clm_xml_attr(e, "Remove"))
			return 0; /* changes items declared elsewhere */
		return clm_manifest_reject(m->path, e->line, "<%s> without Include", e->name);
	}
	if (!*id)
		return clm_manifest_reject(m->path, e->line, "<%s> with an empty Include", e->name);
	if (!v)
		v = clm_xml_child_text(e, "Version");
	if (!v)
		v = clm_xml_attr(e, "VersionOverride");
	rc = clm_expand_refs(v ? v : "", "$(", ')', lookup_property, m, &version);
	if (!rc)
		rc = clm_manifest_add_str(m->out, id, version.buf, group);
	clm_strbuf_release(&version);
	return rc;
}

static int add_items(const struct msbuild *m, const struct clm_xml *e)
{
	int rc = 0;

	for (size_t i = 0; i < e->n && !rc; i++) {
		const struct clm_xml *c = e->children[i];
		if (!strcmp(c->name, "PackageReference") || !strcmp(c->name, "GlobalPackageReference"))
			rc = add_item(m, c, "runtime");
		else if (!strcmp(c->name, "PackageVersion"))
			rc = add_item(m, c, "managed");
		else
			rc = add_items(m, c);
	}
	return rc;
}

static int parse_packages_config(const char *path, const struct clm_xml *root,
				 struct clm_dep_list *out)
{
	int rc = 0;

	if (strcmp(root->name, "packages"))
		return clm_manifest_reject(path, root->line, "root element is <%s>, not <packages>",
					   root->name);
	for (size_t i = 0; i < root->n && !rc; i++) {
		const struct clm_xml *p = root->children[i];
		const char *id = clm_xml_attr(p, "id"), *version = clm_xml_attr(p, "version");
		const char *dev = clm_xml_attr(p, "developmentDependency");

		if (strcmp(p->name, "package"))
			continue;
		if (!id || !*id)
			return clm_manifest_reject(path, p->line, "<package> without an id");
		rc = clm_manifest_add_str(out, id, version ? version : "",
					  dev && !strcasecmp(dev, "true") ? "dev" : "runtime");
	}
	return rc;
}

static int nuget_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		       void *read_ctx, struct clm_dep_list *out)
{
	struct msbuild m = { path, NULL, 0, 0, out };
	struct clm_xml *root;
	int rc;

	(void)read;
	(void)read_ctx;
	if ((rc = clm_xml_parse(path, data, len, &root)) < 0)
		return rc;
	if (!strcmp(clm_path_basename(path), "packages.config")) {
		rc = parse_packages_config(path, root, out);
	} else if (strcmp(root->name, "Project")) {
		rc = clm_manifest_reject(path, root->line, "root element is <%s>, not <Project>",
					 root->name);
	} else {
		rc = collect_properties(&m, root);
		if (!rc)
			rc = add_items(&m, root);
	}
	free(m.props);
	clm_xml_free(root);
	return rc;
}

const struct clm_manifest_parser clm_manifest_nuget = { "nuget", nuget_matches, nuget_parse };
