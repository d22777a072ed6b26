/* Maven: pom.xml dependencies named groupId:artifactId, versions with ${property} references
 * resolved from <properties> and the project's own coordinates, versions of dependencies
 * without one taken from <dependencyManagement>. The parent POM is a dependency (group
 * "parent"); the project's own <version> is not, and neither are the modules of the same build:
 * a parent POM found in the same tree (at <relativePath>, by default ../pom.xml) and
 * dependencies with the project's own groupId and version. Profiles and build plugins are not
 * read. */
#include "parsers/manifests/common.h"
#include "parsers/manifests/xml.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/treepath.h"

#include <stdlib.h>
#include <string.h>

struct pom {
	const char *path;
	const struct clm_xml *project, *properties, *parent;
	struct clm_dep **managed_index; /* dependencyManagement entries sorted by name */
	size_t nmanaged;
	struct clm_strbuf own_group, own_version; /* declared or inherited from <parent>, expanded */
};

static int maven_matches(const char *path)
{
	const char *base = clm_path_basename(path);
	return !strcmp(base, "pom.xml");
}

/* The value of property `name`: <properties>, then the project's and parent's coordinates. */
static const char *property(const struct pom *pom, const char *name)
{
	const char *v = clm_xml_child_text(pom->properties, name);

	if (v)
		return v;
	if (!strncmp(name, "project.", 8))
		name += 8;
	if (!strncmp(name, "parent.", 7))
		return clm_xml_child_text(pom->parent, name + 7);
	if (!strcmp(name, "version") || !strcmp(name, "groupId") || !strcmp(name, "artifactId")) {
		v = clm_xml_child_text(pom->project, name);
		return v ? v : clm_xml_child_text(pom->parent, name);
	}
	return NULL;
}

/* clm_expand_refs callback over property(). */
static const char *lookup_property(const void *ctx, const char *name, size_t n)
{
	char key[256];

	if (!n || n >= sizeof(key))
		return NULL;
	memcpy(key, name, n);
	key[n] = '\0';
	return property(ctx, key);
}

/* `value` with ${property} references resolved. */
static int expand(const struct pom *pom, const char *value, struct clm_strbuf *out)
{
	return clm_expand_refs(value, "${", '}', lookup_property, pom, out);
}

static const char *scope_group(const char *scope)
{
	if (!scope || !*scope || !strcmp(scope, "compile") || !strcmp(scope, "runtime"))
		return "runtime";
	return scope; /* test, provided, system, import */
}

/* "groupId:artifactId" of a <dependency> or <parent>, expanded; CLM_EINVALID when either part
 * is missing. */
static int coordinates(const struct pom *pom, const struct clm_xml *d, struct clm_strbuf *name)
{
	const char *group = clm_xml_child_text(d, "groupId");
	const char *artifact = clm_xml_child_text(d, "artifactId");

	if (!group || !*group || !artifact || !*artifact)
		return clm_manifest_reject(pom->path, d->line, "<%s> needs a groupId and an artifactId",
					   d->name);
	clm_strbuf_reset(name);
	if (expand(pom, group, name) < 0 || clm_strbuf_addch(name, ':') < 0)
		return clm_error_oom();
	return expand(pom, artifact, name);
}

static int compare_by_name(const void *a, const void *b)
{
	const struct clm_dep *x = *(const struct clm_dep *const *)a;
	const struct clm_dep *y = *(const struct clm_dep *const *)b;
	return strcmp(x->name, y->name);
}

/* Non-zero when "group:artifact" `name` at `version` is a module of this build: the project's
 * own groupId and version (`${project.version}` and the like). */
static int is_own_module(const struct pom *pom, const char *name, const char *version)
{
	size_t g = pom->own_group.len;

	return g && pom->own_version.len && !strncmp(name, pom->own_group.buf, g) && name[g] == ':' &&
	       !strcmp(version, pom->own_version.buf);
}

/* Non-zero when the parent POM is part of this tree: the file at <relativePath> (default
 * ../pom.xml; an empty one means "look in repositories") names the same artifactId. */
static int parent_in_tree(const struct pom *pom, clm_manifest_read_fn read, void *read_ctx)
{
	const char *rel = clm_xml_child_text(pom->parent, "relativePath");
	const char *artifact = clm_xml_child_text(pom->parent, "artifactId");
	struct clm_strbuf target = CLM_STRBUF_INIT;
	struct clm_xml *root = NULL;
	const char *data, *theirs;
	size_t len, n;
	int found = 0;

	if (!read || (rel && !*rel) || !artifact)
		return 0;
	if (!rel)
		rel = "..";
	n = strlen(rel);
	if (clm_tree_path_resolve(pom->path, rel, n, &target) > 0 && (n < 4 || strcmp(rel + n - 4, ".xml") != 0))
		clm_strbuf_addstr(&target, target.len ? "/pom.xml" : "pom.xml");
	if (target.len && read(read_ctx, target.buf, &data, &len) == 0 &&
	    clm_xml_parse(target.buf, data, len, &root) == 0) {
		theirs = clm_xml_child_text(root, "artifactId");
		found = theirs && !strcmp(theirs, artifact);
	}
	clm_error_clear();
	clm_xml_free(root);
	clm_strbuf_release(&target);
	return found;
}

/* The managed version for `name`, or NULL. */
static const char *managed_version(const struct pom *pom, const char *name)
{
	struct clm_dep key = { .name = (char *)name }, *kp = &key, **hit;

	if (!pom->nmanaged)
		return NULL;
	hit = bsearch(&kp, pom->managed_index, pom->nmanaged, sizeof(kp), compare_by_name);
	return hit ? (*hit)->spec : NULL;
}

/* The <dependency> children of `deps` into `out`; versions missing outside dependency
 * management come from it. */
static int add_dependencies(const struct pom *pom, const struct clm_xml *deps, int managed,
			    struct clm_dep_list *out)
{
	struct clm_strbuf name = CLM_STRBUF_INIT, version = CLM_STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; deps && i < deps->n && !rc; i++) {
		const struct clm_xml *d = deps->children[i];
		const char *v = clm_xml_child_text(d, "version");

		if (strcmp(d->name, "dependency"))
			continue;
		if ((rc = coordinates(pom, d, &name)) < 0)
			break;
		clm_strbuf_reset(&version);
		if (!v && !managed)
			v = managed_version(pom, name.buf);
		if (v)
			rc = expand(pom, v, &version);
		if (!rc && !is_own_module(pom, name.buf, version.buf))
			rc = clm_manifest_add_str(out, name.buf, version.buf,
						  managed ? "managed" :
							    scope_group(clm_xml_child_text(d, "scope")));
	}
	clm_strbuf_release(&name);
	clm_strbuf_release(&version);
	return rc;
}

/* Read <dependencyManagement> and index it by name for versionless dependencies. */
static int read_managed(struct pom *pom, struct clm_dep_list *managed)
{
	const struct clm_xml *dm = clm_xml_child(pom->project, "dependencyManagement");
	int rc = add_dependencies(pom, clm_xml_child(dm, "dependencies"), 1, managed);

	if (rc < 0 || !managed->n)
		return rc;
	pom->managed_index = malloc(managed->n * sizeof(*pom->managed_index));
	if (!pom->managed_index)
		return clm_error_oom();
	for (size_t i = 0; i < managed->n; i++)
		pom->managed_index[i] = &managed->items[i];
	qsort(pom->managed_index, managed->n, sizeof(*pom->managed_index), compare_by_name);
	pom->nmanaged = managed->n;
	return 0;
}

/* The project's groupId and version, expanded. */
static int expand_own(struct pom *pom)
{
	const char *group = property(pom, "groupId"), *version = property(pom, "version");

	if ((group && expand(pom, group, &pom->own_group) < 0) ||
	    (version && expand(pom, version, &pom->own_version) < 0))
		return clm_error_oom();
	return 0;
}

static int add_parent(const struct pom *pom, struct clm_dep_list *out)
{
	struct clm_strbuf name = CLM_STRBUF_INIT, version = CLM_STRBUF_INIT;
	const char *v = clm_xml_child_text(pom->parent, "version");
	int rc = coordinates(pom, pom->parent, &name);

	if (!rc && v)
		rc = expand(pom, v, &version);
	if (!rc)
		rc = clm_manifest_add_str(out, name.buf, version.buf, "parent");
	clm_strbuf_release(&name);
	clm_strbuf_release(&version);
	return rc;
}

static int maven_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		       void *read_ctx, struct clm_dep_list *out)
{
	struct clm_dep_list managed = { 0 };
	struct clm_xml *root;
	struct pom pom;
	int rc;

	if ((rc = clm_xml_parse(path, data, len, &root)) < 0)
		return rc;
	if (strcmp(root->name, "project")) {
		rc = clm_manifest_reject(path, root->line, "root element is <%s>, not <project>",
					 root->name);
		clm_xml_free(root);
		return rc;
	}
	memset(&pom, 0, sizeof(pom));
	pom.path = path;
	pom.project = root;
	pom.properties = clm_xml_child(root, "properties");
	pom.parent = clm_xml_child(root, "parent");
	clm_strbuf_init(&pom.own_group);
	clm_strbuf_init(&pom.own_version);
	rc = expand_own(&pom);
	if (!rc)
		rc = read_managed(&pom, &managed);
	if (!rc && pom.parent && !parent_in_tree(&pom, read, read_ctx))
		rc = add_parent(&pom, out);
	if (!rc)
		rc = add_dependencies(&pom, clm_xml_child(root, "dependencies"), 0, out);
	for (size_t i = 0; i < managed.n && !rc; i++)
		rc = clm_dep_list_add(out, managed.items[i].name, managed.items[i].spec,
				      managed.items[i].lower, managed.items[i].group, NULL);
	free(pom.managed_index);
	clm_strbuf_release(&pom.own_group);
	clm_strbuf_release(&pom.own_version);
	clm_dep_list_release(&managed);
	clm_xml_free(root);
	return rc;
}

const struct clm_manifest_parser clm_manifest_maven = { "maven", maven_matches, maven_parse };
