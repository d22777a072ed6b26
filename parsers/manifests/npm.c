/* npm: package.json dependency objects, read with jansson. The package's own "version" is not
 * a dependency and is never looked at. */
#include "parsers/manifests/common.h"
#include "util/error.h"
#include "util/json.h"

#include <string.h>

static int npm_matches(const char *path)
{
	/* installed packages are not the project's manifests */
	return !strcmp(clm_path_basename(path), "package.json") &&
	       !strstr(path, "node_modules/");
}

/* A directory of this repository or a workspace sibling ("file:../x", "link:", "workspace:^1",
 * "portal:"): part of the project, not a release of a library. */
static int is_local_spec(const char *spec)
{
	static const char *const prefixes[] = { "file:", "link:", "workspace:", "portal:", NULL };

	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(spec, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static int add_section(const char *path, json_t *root, const char *key, const char *group,
		       struct clm_dep_list *out)
{
	json_t *deps = json_object_get(root, key), *spec;
	const char *name;
	int rc = 0;

	if (!deps || json_is_null(deps))
		return 0;
	if (!json_is_object(deps))
		return clm_manifest_reject(path, 0, "\"%s\" must be an object", key);
	json_object_foreach(deps, name, spec) {
		if (!json_is_string(spec))
			return clm_manifest_reject(path, 0, "\"%s\": version of \"%s\" must be a string",
						   key, name);
		if (!*name)
			return clm_manifest_reject(path, 0, "\"%s\": empty package name", key);
		if (is_local_spec(json_string_value(spec)))
			continue;
		if ((rc = clm_manifest_add_str(out, name, json_string_value(spec), group)) < 0)
			return rc;
	}
	return 0;
}

static int npm_parse(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		     void *read_ctx, struct clm_dep_list *out)
{
	static const struct { const char *key, *group; } sections[] = {
		{ "dependencies", "runtime" },
		{ "devDependencies", "dev" },
		{ "peerDependencies", "peer" },
		{ "optionalDependencies", "optional" },
	};
	json_t *root;
	int rc = 0;

	(void)read;
	(void)read_ctx;
	if (!(root = clm_json_parse(data, len, path)))
		return CLM_EINVALID;
	if (!json_is_object(root))
		rc = clm_manifest_reject(path, 0, "top level must be an object");
	for (size_t i = 0; !rc && i < sizeof(sections) / sizeof(sections[0]); i++)
		rc = add_section(path, root, sections[i].key, sections[i].group, out);
	json_decref(root);
	return rc;
}

const struct clm_manifest_parser clm_manifest_npm = { "npm", npm_matches, npm_parse };
