/* parsers/manifests/npm.c and go.c: package.json and go.mod. */
#include "manifest_test_helpers.h"

static const char package_json[] =
	"{\n"
	"  \"name\": \"@acme/web\",\n"
	"  \"version\": \"3.2.1\",\n"
	"  \"dependencies\": {\n"
	"    \"react\": \"^18.2.0\",\n"
	"    \"@tanstack/query\": \"~5.8.4\",\n"
	"    \"lodash\": \"npm:lodash-es@^4.17.21\",\n"
	"    \"internal\": \"file:../internal\",\n"
	"    \"sibling\": \"workspace:^1.0.0\"\n"
	"  },\n"
	"  \"devDependencies\": { \"typescript\": \">=5.2.0 <5.4\", \"jest\": \"29.x\" },\n"
	"  \"peerDependencies\": { \"react-dom\": \"^17.0.0 || ^18.0.0\" },\n"
	"  \"optionalDependencies\": { \"fsevents\": \"*\" },\n"
	"  \"bundledDependencies\": [\"react\"]\n"
	"}\n";

static void npm_package_json(void **state)
{
	(void)state;
	assert_deps("package.json", package_json,
		    "react ^18.2.0 [18.2.0] runtime\n"
		    "@tanstack/query ~5.8.4 [5.8.4] runtime\n"
		    "lodash npm:lodash-es@^4.17.21 [4.17.21] runtime\n"
		    "typescript >=5.2.0 <5.4 [5.2.0] dev\n"
		    "jest 29.x [29.0.0] dev\n"
		    "react-dom ^17.0.0 || ^18.0.0 [17.0.0] peer\n"
		    "fsevents * [] optional\n");
}

static void npm_release_only_change(void **state)
{
	static const char v1[] = "{\"name\":\"x\",\"version\":\"1.0.0\",\"dependencies\":"
				 "{\"react\":\"^18.2.0\"}}";
	static const char v2[] = "{\"name\":\"x\",\"version\":\"2.0.0\",\"dependencies\":"
				 "{\"react\":\"^18.2.0\"}}";
	static const char v3[] = "{\"name\":\"x\",\"version\":\"2.0.0\",\"dependencies\":"
				 "{\"react\":\"^19.0.0\",\"zod\":\"^3.22.4\"},"
				 "\"devDependencies\":{\"vitest\":\"^1.0.0\"}}";

	(void)state;
	assert_diff("package.json", v1, v2, "");
	assert_diff("package.json", v2, v3,
		    "bumped react ^18.2.0 -> ^19.0.0 (18.2.0 -> 19.0.0) major runtime\n"
		    "added vitest  -> ^1.0.0 ( -> 1.0.0) dev\n"
		    "added zod  -> ^3.22.4 ( -> 3.22.4) runtime\n");
}

static void npm_malformed(void **state)
{
	static const char truncated[] = "{\"dependencies\": {\"react\": \"^18\"";
	static const char bad_section[] = "{\"dependencies\": [\"react\"]}";
	static const char bad_version[] = "{\"devDependencies\": {\"react\": 18}}";

	(void)state;
	assert_rejected("web/package.json", truncated, sizeof(truncated) - 1, "web/package.json");
	assert_rejected("package.json", bad_section, sizeof(bad_section) - 1,
			"\"dependencies\" must be an object");
	assert_rejected("package.json", bad_version, sizeof(bad_version) - 1,
			"version of \"react\" must be a string");
	assert_rejected("package.json", "[1,2]", 5, "top level must be an object");
	for (size_t n = 0; n < sizeof(package_json) - 1; n += 7) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("package.json")->parse("package.json", package_json, n, NULL,
							      NULL, &deps);
		clm_dep_list_release(&deps);
	}
}

static void npm_many_dependencies(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	struct clm_dep_list deps = { 0 };

	(void)state;
	clm_strbuf_addstr(&sb, "{\"dependencies\":{");
	for (int i = 0; i < 5000; i++)
		clm_strbuf_addf(&sb, "%s\"pkg-%d\":\"^%d.0.0\"", i ? "," : "", i, i % 50);
	clm_strbuf_addstr(&sb, "}}");
	assert_int_equal(clm_manifest_for_path("package.json")
				 ->parse("package.json", sb.buf, sb.len, NULL, NULL, &deps),
			 0);
	assert_int_equal(deps.n, 5000);
	assert_string_equal(deps.items[4999].lower, "49.0.0");
	clm_dep_list_release(&deps);
	clm_strbuf_release(&sb);
}

static const char go_mod[] =
	"module github.com/acme/service/v2\n"
	"\n"
	"go 1.21\n"
	"\n"
	"toolchain go1.21.5\n"
	"\n"
	"require (\n"
	"\tgithub.com/go-redis/redis/v8 v8.11.5\n"
	"\tgithub.com/stretchr/testify v1.8.4 // a comment\n"
	"\tgolang.org/x/sys v0.15.0 // indirect\n"
	"\tgopkg.in/yaml.v3 v3.0.1\n"
	"\t\"github.com/quoted/mod\" v1.0.0\n"
	")\n"
	"\n"
	"require github.com/google/uuid v1.4.0\n"
	"\n"
	"replace github.com/stretchr/testify => github.com/acme/testify v1.8.5-fix\n"
	"\n"
	"replace (\n"
	"\tgithub.com/google/uuid v1.4.0 => ../uuid\n"
	"\tgithub.com/not/required => github.com/fork/required v0.2.0\n"
	")\n"
	"\n"
	"exclude golang.org/x/net v0.1.0\n"
	"retract [v2.0.0, v2.0.5]\n";

static void go_mod_parse(void **state)
{
	(void)state;
	assert_deps("go.mod", go_mod,
		    "github.com/go-redis/redis v8.11.5 [8.11.5] runtime (github.com/go-redis/redis/v8)\n"
		    "github.com/stretchr/testify v1.8.4 => github.com/acme/testify v1.8.5-fix "
		    "[1.8.5-fix] runtime (github.com/stretchr/testify)\n"
		    "golang.org/x/sys v0.15.0 [0.15.0] indirect (golang.org/x/sys)\n"
		    "gopkg.in/yaml v3.0.1 [3.0.1] runtime (gopkg.in/yaml.v3)\n"
		    "github.com/quoted/mod v1.0.0 [1.0.0] runtime (github.com/quoted/mod)\n"
		    "github.com/google/uuid v1.4.0 => ../uuid [1.4.0] runtime (github.com/google/uuid)\n"
		    "github.com/not/required => github.com/fork/required v0.2.0 [0.2.0] replace "
		    "(github.com/not/required)\n");
}

static void go_major_path_change(void **state)
{
	static const char v8[] = "module m\n\nrequire (\n\tgithub.com/go-redis/redis/v8 v8.11.5\n"
				 "\tgithub.com/pkg/errors v0.9.1\n)\n";
	static const char v9[] = "module m\n\nrequire (\n\tgithub.com/go-redis/redis/v9 v9.0.0\n"
				 "\tgithub.com/pkg/errors v0.9.1\n)\n";
	static const char both[] = "module m\n\nrequire (\n\tgithub.com/go-redis/redis/v8 v8.11.5\n"
				   "\tgithub.com/go-redis/redis/v9 v9.0.0\n)\n";
	static const char yaml2[] = "module m\nrequire gopkg.in/yaml.v2 v2.4.0\n";
	static const char yaml3[] = "module m\nrequire gopkg.in/yaml.v3 v3.0.1\n";

	(void)state;
	assert_diff("go.mod", v8, v9,
		    "bumped github.com/go-redis/redis v8.11.5 -> v9.0.0 (8.11.5 -> 9.0.0) major "
		    "runtime\n");
	/* a migration that keeps both majors for a while adds one, then removes the other */
	assert_diff("go.mod", v8, both,
		    "added github.com/go-redis/redis  -> v9.0.0 ( -> 9.0.0) runtime\n"
		    "removed github.com/pkg/errors v0.9.1 ->  (0.9.1 -> ) runtime\n");
	assert_diff("go.mod", yaml2, yaml3,
		    "bumped gopkg.in/yaml v2.4.0 -> v3.0.1 (2.4.0 -> 3.0.1) major runtime\n");
	/* the module's own path (and its /v2) is not a dependency */
	assert_diff("go.mod", "module github.com/a/b\nrequire x.io/y v1.0.0\n",
		    "module github.com/a/b/v2\nrequire x.io/y v1.0.0\n", "");
}

static void go_mod_malformed(void **state)
{
	(void)state;
	assert_rejected("go.mod", "module m\nrequire (\n\tx.io/y v1.0.0\n", 32,
			"go.mod:2: block is not closed");
	assert_rejected("go.mod", "module m\nrequire x.io/y\n", 23, "go.mod:2: usage: require");
	assert_rejected("go.mod", "module m\nrequire x.io/y 1.0.0\n", 29, "go.mod:2: invalid version");
	assert_rejected("go.mod", "module m\nrequire \"x.io/y v1.0.0\n", 31,
			"go.mod:2: unterminated quoted string");
	assert_rejected("go.mod", "module m\n)\n", 11, "go.mod:2: unexpected ')'");
	assert_rejected("go.mod", "replace a => \n", 14, "go.mod:1: usage: replace");
	for (size_t n = 0; n < sizeof(go_mod) - 1; n++) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("go.mod")->parse("go.mod", go_mod, n, NULL, NULL, &deps);
		clm_dep_list_release(&deps);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(npm_package_json),
		cmocka_unit_test(npm_release_only_change),
		cmocka_unit_test(npm_malformed),
		cmocka_unit_test(npm_many_dependencies),
		cmocka_unit_test(go_mod_parse),
		cmocka_unit_test(go_major_path_change),
		cmocka_unit_test(go_mod_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
