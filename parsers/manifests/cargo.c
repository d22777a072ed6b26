/* Cargo: Cargo.toml dependency tables (plain, dev, build, per target, workspace), read through
 * the TOML document tree. A renamed dependency (package = "real") is named by its crate. */
#include "parsers/manifests/common.h"
#include "parsers/manifests/toml.h"
#include "util/error.h"

#include <string.h>

static const struct { const char *key, *group; } tables[] = {
	{ "dependencies", "runtime" },
	{ "dev-dependencies", "dev" },
	{ "dev_dependencies", "dev" },
	{ "build-dependencies", "build" },
	{ "build_dependencies", "build" },
};

static int cargo_matches(const char *path)
{
	return !strcmp(clm_path_basename(path), "Cargo.toml");
}

static int add_table(const char *path, const struct clm_toml *t, const char *group,
		     struct clm_dep_list *out)
{
	int rc = 0;

	if (!t)
		return 0;
	if (t->kind != CLM_TOML_TABLE)
		return clm_manifest_reject(path, t->line, "[%s] must be a table", t->key);
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct clm_toml *d = t->items[i];
		const char *name = d->key, *spec = NULL;

		if (d->kind == CLM_TOML_STRING) {
			spec = d->str;
		} else if (d->kind == CLM_TOML_TABLE) {
			const char *package = clm_toml_string(d, "package");
			if (clm_toml_get(d, "path"))
				continue; /* a crate of this repository (a workspace member), not a release */
			spec = clm_toml_string(d, "version");
			if (package)
				name = package;
			if (!spec)
				spec = ""; /* git or workspace-inherited */
		} else {
			return clm_manifest_reject(path, d->line, "dependency '%s' must be a string or a table",
						   d->key);
		}
		rc = clm_manifest_add_str(out, name, spec, group);
	}
	return rc;
}

/* The dependency tables directly under `t` (the root or one target). */
static int add_tables(const char *path, const struct clm_toml *t, struct clm_dep_list *out)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && !rc; i++)
		rc = add_table(path, clm_toml_get(t, tables[i].key), tables[i].group, out);
	return rc;
}

static int cargo_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		       void *read_ctx, struct clm_dep_list *out)
{
	const struct clm_toml *target;
	struct clm_toml *doc;
	int rc;

	(void)read;
	(void)read_ctx;
	if ((rc = clm_toml_parse(path, data, len, &doc)) < 0)
		return rc;
	rc = add_tables(path, doc, out);
	if (!rc)
		rc = add_table(path, clm_toml_at(doc, "workspace.dependencies"), "workspace", out);
	target = clm_toml_get(doc, "target");
	if (!rc && target && target->kind != CLM_TOML_TABLE)
		rc = clm_manifest_reject(path, target->line, "[target] must be a table");
	for (size_t i = 0; !rc && target && i < target->n; i++)
		rc = add_tables(path, target->items[i], out);
	clm_toml_free(doc);
	return rc;
}

const struct clm_manifest_parser clm_manifest_cargo = { "cargo", cargo_matches, cargo_parse };
