/* Every manifest parser on deterministic mutations of real-looking manifests: each either
 * parses or rejects with CLM_EINVALID and a message naming the path; under check-asan this also
 * proves no out-of-bounds read or leak. The mutations come from a fixed-seed generator, so a
 * failure reproduces. */
#include "manifest_test_helpers.h"

static const struct {
	const char *path, *text;
} corpus[] = {
	{ "requirements.txt", "requests[socks]>=2.31,<3 ; python_version>'3.8'\n-r base.txt\n"
			      "-e git+https://x/y.git#egg=z\nDjango==4.2  # c\nfoo @ https://x\n" },
	{ "pyproject.toml", "[project]\ndependencies = [\"a>=1\", 'b[x]==2']\n"
			    "[project.optional-dependencies]\nt = [\"c\"]\n[tool.poetry.dependencies]\n"
			    "d = { version = \"^1\" }\ne = \"~2\"\n" },
	{ "setup.py", "from setuptools import setup\nR = ['a>=1']\nsetup(install_requires=R,\n"
		      "  extras_require={'x': [\"b==2\"]}, tests_require=('c',))\n" },
	{ "setup.cfg", "[options]\ninstall_requires =\n    a>=1\n    b\n[options.extras_require]\n"
		       "x = c==1\n" },
	{ "Pipfile", "[packages]\na = \"*\"\nb = {version = \"==1\"}\n[dev-packages]\nc = \"1\"\n" },
	{ "package.json", "{\"version\":\"1.0.0\",\"dependencies\":{\"a\":\"^1.2\",\"b\":\"~2\"},"
			  "\"devDependencies\":{\"c\":\">=1 <2\"}}" },
	{ "go.mod", "module m\n\nrequire (\n\tgithub.com/a/b/v2 v2.1.0\n\tx.io/y v0.1.0 // indirect\n)\n"
		    "replace x.io/y => ../y\nrequire \"q.io/r\" v1.0.0\n" },
	{ "Cargo.toml", "[package]\nversion = \"1.0.0\"\n[dependencies]\na = \"1\"\nb = { version = \"2\", "
			"package = \"c\" }\n[target.'cfg(unix)'.dependencies]\nd = \"3\"\n" },
	{ "pom.xml", "<project><properties><v>1</v></properties><parent><groupId>p</groupId>"
		     "<artifactId>q</artifactId><version>2</version></parent><dependencies><dependency>"
		     "<groupId>g</groupId><artifactId>a</artifactId><version>${v}</version>"
		     "</dependency></dependencies><!-- c --></project>" },
	{ "build.gradle", "def v = '1'\ndependencies {\n  implementation \"g:a:$v\"\n"
			  "  testImplementation group: 'g', name: 'b', version: '2'\n}\n" },
	{ "build.gradle.kts", "val v = \"1\"\ndependencies {\n  implementation(platform(\"g:a:$v\"))\n"
			      "  /* c */ api(\"g:b:2\") { because(\"x\") }\n}\n" },
	{ "gradle/libs.versions.toml", "[versions]\nk = \"1\"\n[libraries]\na = \"g:a:1\"\n"
				       "b = { module = \"g:b\", version.ref = \"k\" }\n" },
	{ "Gemfile", "source 'https://rubygems.org'\ngem 'a', '~> 1.0'\ngroup :test do\n"
		     "  gem \"b\", '>= 2', require: false\nend\n" },
	{ "App.csproj", "<Project><PropertyGroup><V>1.0</V></PropertyGroup><ItemGroup>"
			"<PackageReference Include=\"A\" Version=\"$(V)\"/><PackageReference "
			"Include=\"B\"><Version>2.0</Version></PackageReference></ItemGroup></Project>" },
	{ "packages.config", "<?xml version=\"1.0\"?><packages><package id=\"A\" version=\"1\"/>"
			     "</packages>" },
};

static uint32_t next_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/* Apply one random edit: flip, delete, duplicate or insert a syntax character. */
static void mutate(char *buf, size_t *len, size_t cap, uint32_t *rng)
{
	static const char specials[] = "\"'<>[]{}()=:,#\\/\n\r\t$@ ;.*&!-~^\0";
	size_t pos = *len ? next_random(rng) % *len : 0;

	switch (next_random(rng) % 4) {
	case 0:
		if (*len)
			buf[pos] = specials[next_random(rng) % (sizeof(specials) - 1)];
		break;
	case 1:
		if (*len) {
			memmove(buf + pos, buf + pos + 1, *len - pos - 1);
			(*len)--;
		}
		break;
	case 2:
		*len = pos; /* truncate */
		break;
	default:
		if (*len < cap) {
			memmove(buf + pos + 1, buf + pos, *len - pos);
			buf[pos] = specials[next_random(rng) % (sizeof(specials) - 1)];
			(*len)++;
		}
	}
}

static void mutations_never_crash(void **state)
{
	uint32_t rng = 12345;
	size_t parsed = 0, rejected = 0;

	(void)state;
	for (size_t c = 0; c < sizeof(corpus) / sizeof(corpus[0]); c++) {
		const struct clm_manifest_parser *p = clm_manifest_for_path(corpus[c].path);
		size_t base_len = strlen(corpus[c].text), cap = base_len + 64;

		assert_non_null(p);
		for (int iter = 0; iter < 400; iter++) {
			/* exact-size heap copy so ASan sees any read past the end */
			char *buf = malloc(cap);
			size_t len = base_len;
			struct clm_dep_list deps = { 0 };
			int rc, edits = 1 + (int)(next_random(&rng) % 4);

			memcpy(buf, corpus[c].text, base_len);
			for (int e = 0; e < edits; e++)
				mutate(buf, &len, cap, &rng);
			char *exact = malloc(len ? len : 1);
			memcpy(exact, buf, len);
			clm_error_clear();
			rc = p->parse(corpus[c].path, exact, len, test_tree_read, NULL, &deps);
			if (rc == 0) {
				parsed++;
			} else {
				if (rc != CLM_EINVALID)
					fail_msg("%s: unexpected code %d (%s)", corpus[c].path, rc, clm_error());
				if (!strstr(clm_error(), corpus[c].path))
					fail_msg("%s: message does not name the path: %s", corpus[c].path,
						 clm_error());
				rejected++;
			}
			for (size_t i = 0; i < deps.n; i++)
				assert_non_null(deps.items[i].name);
			clm_dep_list_release(&deps);
			free(exact);
			free(buf);
		}
	}
	/* both outcomes must occur, or the mutations test nothing */
	assert_true(parsed > 100);
	assert_true(rejected > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mutations_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
