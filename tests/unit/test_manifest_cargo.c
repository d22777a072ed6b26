/* parsers/manifests/cargo.c: Cargo.toml dependency tables. */
#include "manifest_test_helpers.h"

static const char cargo_toml[] =
	"[package]\n"
	"name = \"demo\"\n"
	"version = \"0.4.2\"\n"
	"edition = \"2021\"\n"
	"\n"
	"[dependencies]\n"
	"serde = { version = \"1.0.193\", features = [\"derive\"] }\n"
	"tokio = \"1.35\"\n"
	"rand = { workspace = true }\n"
	"local = { path = \"../local\" }\n"
	"json = { package = \"serde_json\", version = \"=1.0.108\", optional = true }\n"
	"regex.version = \"1.10\"\n"
	"\n"
	"[dependencies.clap]\n"
	"version = \"~4.4\"\n"
	"default-features = false\n"
	"\n"
	"[dev-dependencies]\n"
	"criterion = \"0.5\"\n"
	"\n"
	"[build-dependencies]\n"
	"cc = \"1\"\n"
	"\n"
	"[target.'cfg(windows)'.dependencies]\n"
	"winapi = { version = \"0.3.9\", features = [\"winuser\"] }\n"
	"\n"
	"[target.\"cfg(unix)\".dev-dependencies]\n"
	"nix = \">=0.27, <0.28\"\n"
	"\n"
	"[workspace]\n"
	"members = [\"crates/*\"]\n"
	"\n"
	"[workspace.dependencies]\n"
	"anyhow = \"1.0.75\"\n"
	"\n"
	"[[bin]]\n"
	"name = \"tool\"\n"
	"[[bin]]\n"
	"name = \"other\"\n";

static void cargo_tables(void **state)
{
	(void)state;
	assert_deps("Cargo.toml", cargo_toml,
		    "serde 1.0.193 [1.0.193] runtime\n"
		    "tokio 1.35 [1.35.0] runtime\n"
		    "rand  [] runtime\n"
		    "serde_json =1.0.108 [1.0.108] runtime\n"
		    "regex 1.10 [1.10.0] runtime\n"
		    "clap ~4.4 [4.4.0] runtime\n"
		    "criterion 0.5 [0.5.0] dev\n"
		    "cc 1 [1.0.0] build\n"
		    "anyhow 1.0.75 [1.0.75] workspace\n"
		    "winapi 0.3.9 [0.3.9] runtime\n"
		    "nix >=0.27, <0.28 [0.27.0] dev\n");
}

static void cargo_diff(void **state)
{
	static const char v1[] = "[package]\nname = \"demo\"\nversion = \"0.4.2\"\n\n"
				 "[dependencies]\ntokio = \"1.35\"\nserde = \"1.0.190\"\n";
	static const char v2[] = "[package]\nname = \"demo\"\nversion = \"0.5.0\"\n\n"
				 "[dependencies]\ntokio = \"1.35\"\nserde = \"1.0.190\"\n";
	static const char v3[] = "[package]\nname = \"demo\"\nversion = \"0.5.0\"\n\n"
				 "[dependencies]\ntokio = { version = \"1.36\", features = [\"full\"] }\n"
				 "serde = \"1.0.193\"\n";

	(void)state;
	assert_diff("Cargo.toml", v1, v2, "");
	assert_diff("Cargo.toml", v2, v3,
		    "bumped serde 1.0.190 -> 1.0.193 (1.0.190 -> 1.0.193) patch runtime\n"
		    "bumped tokio 1.35 -> 1.36 (1.35.0 -> 1.36.0) minor runtime\n");
}

static void cargo_malformed(void **state)
{
	static const char bad[] = "[dependencies]\nserde = 1\n";
	static const char not_table[] = "dependencies = \"serde\"\n";
	static const char broken[] = "[dependencies\nserde = \"1\"\n";
	static const char redefined[] = "[dependencies]\nserde = \"1\"\n[dependencies.serde.x]\n";

	(void)state;
	assert_rejected("Cargo.toml", bad, sizeof(bad) - 1,
			"Cargo.toml:2: dependency 'serde' must be a string or a table");
	assert_rejected("Cargo.toml", not_table, sizeof(not_table) - 1,
			"Cargo.toml:1: [dependencies] must be a table");
	assert_rejected("Cargo.toml", broken, sizeof(broken) - 1, "Cargo.toml:1: invalid TOML");
	assert_rejected("Cargo.toml", redefined, sizeof(redefined) - 1, "is not a table");
	for (size_t n = 0; n < sizeof(cargo_toml) - 1; n += 3) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("Cargo.toml")->parse("Cargo.toml", cargo_toml, n, NULL, NULL,
							    &deps);
		clm_dep_list_release(&deps);
	}
}

static void cargo_many_dependencies(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	struct clm_dep_list deps = { 0 };

	(void)state;
	clm_strbuf_addstr(&sb, "[dependencies]\n");
	for (int i = 0; i < 3000; i++)
		clm_strbuf_addf(&sb, "crate%d = { version = \"%d.1\" }\ndotted%d.version = \"1\"\n", i,
				i, i);
	assert_int_equal(clm_manifest_for_path("Cargo.toml")
				 ->parse("Cargo.toml", sb.buf, sb.len, NULL, NULL, &deps),
			 0);
	assert_int_equal(deps.n, 6000);
	assert_string_equal(deps.items[5998].name, "crate2999");
	assert_string_equal(deps.items[5998].lower, "2999.1.0");
	clm_dep_list_release(&deps);
	clm_strbuf_release(&sb);
}

/* The TOML reader: string forms, escapes, quoted and dotted keys, comments inside arrays. */
static void toml_strings_and_keys(void **state)
{
	static const char text[] =
		"[project]\n"
		"dependencies = [\n"
		"  \"b\\u0061sic>=1\",   # escape \\u0061 is 'a'\n"
		"  'literal>=0.1',\n"
		"  '''multi>=2''',\n"
		"  \"\"\"\n"
		"multi-basic>=3\\\n"
		"   .1\"\"\",\n"
		"]\n"
		"[tool.poetry]\n"
		"dependencies.\"quoted.name\" = \"^1.0\"\n"
		"dependencies.raw = 'no\\escape'\n"
		"\"dev-dependencies\" = { 'x' = { version = \"2\" } }\n";

	(void)state;
	assert_deps("pyproject.toml", text,
		    "basic >=1 [1.0.0] runtime\n"
		    "literal >=0.1 [0.1.0] runtime\n"
		    "multi >=2 [2.0.0] runtime\n"
		    "multi-basic >=3.1 [3.1.0] runtime\n"
		    "quoted-name ^1.0 [1.0.0] runtime\n"
		    "raw no\\escape [] runtime\n"
		    "x 2 [2.0.0] dev\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cargo_tables),
		cmocka_unit_test(cargo_diff),
		cmocka_unit_test(cargo_malformed),
		cmocka_unit_test(cargo_many_dependencies),
		cmocka_unit_test(toml_strings_and_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
