/* Every dependency-manifest parser: the first byte picks the manifest file name (and with it the
 * parser and its dialect), the rest is the file. Includes (-r other.txt, file: references) read
 * the same bytes again, so include cycles are exercised too. A parsed list is diffed against
 * nothing and against itself, and every spec goes through the lower-bound normaliser. */
#include "fuzz.h"
#include "parsers/manifest.h"
#include "util/error.h"

static const char *const manifest_names[] = {
	"requirements.txt", "requirements/dev.in", "pyproject.toml", "setup.py", "setup.cfg", "Pipfile",
	"package.json", "go.mod", "Cargo.toml", "pom.xml", "build.gradle", "build.gradle.kts",
	"gradle/libs.versions.toml", "Gemfile", "x.gemspec", "app.csproj", "Directory.Packages.props",
	"packages.config",
};

static int read_same(void *ctx, const char *path, const char **data, size_t *len)
{
	const struct { const char *data; size_t len; } *self = ctx;

	(void)path;
	*data = self->data;
	*len = self->len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t n_names = sizeof(manifest_names) / sizeof(manifest_names[0]);
	struct clm_dep_list deps = { 0 };
	struct clm_dep_change_list changes = { 0 };
	struct { const char *data; size_t len; } self;
	const struct clm_manifest_parser *p;
	const char *name;
	char lower[64];

	if (size < 1)
		return 0;
	name = manifest_names[data[0] % n_names];
	p = clm_manifest_for_path(name);
	if (!p)
		abort(); /* the table above names only manifests */
	self.data = (const char *)data + 1;
	self.len = size - 1;
	if (p->parse(name, self.data, self.len, read_same, &self, &deps) == 0) {
		clm_manifest_diff(NULL, &deps, &changes);
		clm_manifest_diff(&deps, &deps, &changes);
		for (size_t i = 0; i < deps.n; i++)
			clm_version_lower_bound(deps.items[i].spec, lower, sizeof(lower));
		for (size_t i = 0; i < changes.n; i++)
			clm_semver_classify(changes.items[i].from_lower, changes.items[i].to_lower);
	}
	clm_dep_change_list_release(&changes);
	clm_dep_list_release(&deps);
	return 0;
}
