/* pyproject.toml and Pipfile, read through the TOML document tree. */
#include "parsers/manifests/python.h"
#include "parsers/manifests/toml.h"
#include "util/error.h"

#include <string.h>

/* An array of PEP 508 strings (tables such as {include-group = ...} are skipped). */
static int add_requirement_array(const char *path, const struct clm_toml *arr, const char *what,
				 const char *group, struct clm_dep_list *out)
{
	int rc = 0;

	if (!arr)
		return 0;
	if (arr->kind != CLM_TOML_ARRAY)
		return clm_manifest_reject(path, arr->line, "%s must be an array", what);
	for (size_t i = 0; i < arr->n && !rc; i++) {
		const struct clm_toml *v = arr->items[i];
		struct clm_span s = { v->str, v->str ? strlen(v->str) : 0 };

		if (v->kind == CLM_TOML_TABLE)
			continue;
		if (v->kind != CLM_TOML_STRING)
			return clm_manifest_reject(path, v->line, "%s must hold strings", what);
		rc = clm_pypi_add_requirement(path, v->line, s, group, out);
	}
	return rc;
}

/* A table of arrays of requirements, one group per key (optional-dependencies, groups). */
static int add_requirement_groups(const char *path, const struct clm_toml *t, const char *what,
				  struct clm_dep_list *out)
{
	int rc = 0;

	if (!t)
		return 0;
	if (t->kind != CLM_TOML_TABLE)
		return clm_manifest_reject(path, t->line, "%s must be a table", what);
	for (size_t i = 0; i < t->n && !rc; i++)
		rc = add_requirement_array(path, t->items[i], what, t->items[i]->key, out);
	return rc;
}

/* The version of a name = spec entry: a string, a table with "version" (none for git or path
 * sources), or an array of such tables (Poetry's multiple constraints: the first one). */
static const char *entry_version(const struct clm_toml *v)
{
	if (v->kind == CLM_TOML_ARRAY && v->n)
		v = v->items[0];
	if (v->kind == CLM_TOML_STRING)
		return v->str;
	if (v->kind == CLM_TOML_TABLE) {
		const char *version = clm_toml_string(v, "version");
		return version ? version : "";
	}
	return NULL;
}

/* A table of name = version entries (Poetry, Pipfile); `skip` names a key that is not a
 * package (Poetry's "python"). Local directories ({path = "."}, Pipenv's "-e ." keys) are the
 * project or its siblings, not releases of a library, and make no dependency. */
static int add_named_table(const char *path, const struct clm_toml *t, const char *what,
			   const char *group, const char *skip, struct clm_dep_list *out)
{
	int rc = 0;

	if (!t)
		return 0;
	if (t->kind != CLM_TOML_TABLE)
		return clm_manifest_reject(path, t->line, "%s must be a table", what);
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct clm_toml *v = t->items[i];
		const char *version = entry_version(v);

		if ((skip && !strcmp(v->key, skip)) || !clm_pypi_valid_name(v->key) ||
		    (v->kind == CLM_TOML_TABLE && clm_toml_get(v, "path")))
			continue;
		if (!version)
			return clm_manifest_reject(path, v->line, "%s: bad entry for '%s'", what,
						   v->key);
		rc = clm_pypi_add_named(v->key, version, group, out);
	}
	return rc;
}

static int add_poetry(const char *path, const struct clm_toml *poetry, struct clm_dep_list *out)
{
	const struct clm_toml *groups = clm_toml_get(poetry, "group");
	int rc;

	rc = add_named_table(path, clm_toml_get(poetry, "dependencies"),
			     "[tool.poetry.dependencies]", "runtime", "python", out);
	if (!rc)
		rc = add_named_table(path, clm_toml_get(poetry, "dev-dependencies"),
				     "[tool.poetry.dev-dependencies]", "dev", "python", out);
	if (groups && groups->kind != CLM_TOML_TABLE)
		return clm_manifest_reject(path, groups->line, "[tool.poetry.group] must be a table");
	for (size_t i = 0; groups && i < groups->n && !rc; i++)
		rc = add_named_table(path, clm_toml_get(groups->items[i], "dependencies"),
				     "[tool.poetry.group.*.dependencies]", groups->items[i]->key,
				     "python", out);
	return rc;
}

/* setuptools' dynamic metadata {file = "a.txt"} or {file = ["a.txt", "b.txt"]}. */
static int add_dynamic_files(const char *path, const struct clm_toml *spec, const char *group,
			     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	const struct clm_toml *file = clm_toml_get(spec, "file");
	int rc = 0;

	if (!file)
		return 0;
	if (file->kind == CLM_TOML_STRING)
		return clm_pypi_add_file(path, file->str, group, read, read_ctx, out);
	if (file->kind != CLM_TOML_ARRAY)
		return clm_manifest_reject(path, file->line, "dynamic file must be a string or an array");
	for (size_t i = 0; i < file->n && !rc; i++)
		if (file->items[i]->kind == CLM_TOML_STRING)
			rc = clm_pypi_add_file(path, file->items[i]->str, group, read, read_ctx, out);
	return rc;
}

/* [project] dependencies and optional-dependencies, or their dynamic files when absent. */
static int add_project(const char *path, const struct clm_toml *doc, clm_manifest_read_fn read,
		       void *read_ctx, struct clm_dep_list *out)
{
	const struct clm_toml *project = clm_toml_get(doc, "project");
	const struct clm_toml *dynamic = clm_toml_at(doc, "tool.setuptools.dynamic"), *extras;
	int rc = 0;

	if (clm_toml_get(project, "dependencies"))
		rc = add_requirement_array(path, clm_toml_get(project, "dependencies"),
					   "[project] dependencies", "runtime", out);
	else
		rc = add_dynamic_files(path, clm_toml_get(dynamic, "dependencies"), "runtime", read,
				       read_ctx, out);
	if (rc)
		return rc;
	if (clm_toml_get(project, "optional-dependencies"))
		return add_requirement_groups(path, clm_toml_get(project, "optional-dependencies"),
					      "[project.optional-dependencies]", out);
	extras = clm_toml_get(dynamic, "optional-dependencies");
	for (size_t i = 0; extras && extras->kind == CLM_TOML_TABLE && i < extras->n && !rc; i++)
		rc = add_dynamic_files(path, extras->items[i], extras->items[i]->key, read, read_ctx,
				       out);
	return rc;
}

int clm_pypi_parse_pyproject(const char *path, const char *data, size_t len,
			     clm_manifest_read_fn read, void *read_ctx, struct clm_dep_list *out)
{
	struct clm_toml *doc;
	const struct clm_toml *poetry;
	int rc = clm_toml_parse(path, data, len, &doc);

	if (rc < 0)
		return rc;
	poetry = clm_toml_at(doc, "tool.poetry");
	rc = add_project(path, doc, read, read_ctx, out);
	if (!rc)
		rc = add_requirement_groups(path, clm_toml_get(doc, "dependency-groups"),
					    "[dependency-groups]", out);
	if (!rc)
		rc = add_requirement_groups(path, clm_toml_at(doc, "tool.pdm.dev-dependencies"),
					    "[tool.pdm.dev-dependencies]", out);
	if (!rc)
		rc = add_requirement_array(path, clm_toml_at(doc, "build-system.requires"),
					   "[build-system] requires", "build", out);
	if (!rc && poetry)
		rc = add_poetry(path, poetry, out);
	clm_toml_free(doc);
	return rc;
}

int clm_pypi_parse_pipfile(const char *path, const char *data, size_t len,
			   struct clm_dep_list *out)
{
	struct clm_toml *doc;
	int rc = clm_toml_parse(path, data, len, &doc);

	if (rc < 0)
		return rc;
	rc = add_named_table(path, clm_toml_get(doc, "packages"), "[packages]", "runtime", NULL,
			     out);
	if (!rc)
		rc = add_named_table(path, clm_toml_get(doc, "dev-packages"), "[dev-packages]", "dev",
				     NULL, out);
	clm_toml_free(doc);
	return rc;
}
