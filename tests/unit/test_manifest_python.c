/* parsers/manifests/python*: requirements files, pyproject.toml, Pipfile, setup.py, setup.cfg. */
#include "manifest_test_helpers.h"

static void requirements_txt(void **state)
{
	static const char text[] =
		"# core\n"
		"requests[security,socks] >= 2.31, < 3 ; python_version >= \"3.8\"\n"
		"Django==4.2.7  # LTS\n"
		"zope.interface~=6.0\n"
		"typing_extensions\n"
		"numpy (>=1.24)\n"
		"--index-url https://pypi.example.com/simple\n"
		"-c constraints.txt\n"
		"urllib3==2.0.7 \\\n"
		"    --hash=sha256:c97dfde1f7bd43a71c8d2a58e369e9b2bf692d1334ea9f9cae55add7d0dd0f84\n"
		"-e git+https://github.com/org/tool.git@v1.2#egg=Internal_Tool\n"
		"./local/pkg\n"
		"mylib @ https://example.com/mylib-1.0.tar.gz\n"
		"\r\n"
		"pytest==7.4.3\r\n";

	(void)state;
	assert_deps("requirements.txt", text,
		    "requests >=2.31,<3 [2.31.0] runtime\n"
		    "django ==4.2.7 [4.2.7] runtime\n"
		    "zope-interface ~=6.0 [6.0.0] runtime\n"
		    "typing-extensions  [] runtime\n"
		    "numpy >=1.24 [1.24.0] runtime\n"
		    "urllib3 ==2.0.7 [2.0.7] runtime\n"
		    "internal-tool  [] runtime\n"
		    "mylib @ https://example.com/mylib-1.0.tar.gz [] runtime\n"
		    "pytest ==7.4.3 [7.4.3] runtime\n");
}

static void requirements_includes(void **state)
{
	static const char *const files[] = {
		"reqs/base.txt", "flask==3.0.0\n-r ../common.txt\n",
		"common.txt", "click>=8\n-r reqs/base.txt\n", /* a cycle back to base.txt */
		NULL,
	};
	char *got;

	(void)state;
	got = parse_render("reqs/requirements-dev.txt",
			   "-r base.txt\n--requirement=missing.txt\npytest\n", files);
	assert_string_equal(got, "flask ==3.0.0 [3.0.0] runtime\n"
				 "click >=8 [8.0.0] runtime\n"
				 "pytest  [] runtime\n");
	free(got);
	/* without a reader, includes are skipped */
	assert_deps("requirements.txt", "-r other.txt\nsix\n", "six  [] runtime\n");
}

/* Every file includes ten others under a deeper folder: without a budget that is 10^8 reads
 * (a hostile tree found by fuzzing); with it, at most 64 files are read. */
static int read_fanout(void *ctx, const char *path, const char **data, size_t *len)
{
	static const char text[] = "-r x/0.txt\n-r x/1.txt\n-r x/2.txt\n-r x/3.txt\n-r x/4.txt\n"
				   "-r x/5.txt\n-r x/6.txt\n-r x/7.txt\n-r x/8.txt\n-r x/9.txt\nsix\n";
	(void)path;
	(*(int *)ctx)++;
	*data = text;
	*len = sizeof(text) - 1;
	return 0;
}

static void requirements_include_fanout_is_bounded(void **state)
{
	const struct clm_manifest_parser *p = clm_manifest_for_path("requirements.txt");
	struct clm_dep_list deps = { 0 };
	const char *data;
	size_t len;
	int reads = 0;

	(void)state;
	read_fanout(&reads, "requirements.txt", &data, &len);
	reads = 0;
	assert_int_equal(p->parse("requirements.txt", data, len, read_fanout, &reads, &deps), 0);
	assert_int_equal(reads, 64);
	assert_int_equal(deps.n, 65);
	assert_string_equal(deps.items[0].name, "six");
	clm_dep_list_release(&deps);
}

static void requirements_malformed(void **state)
{
	static const char binary[] = "six\n\0\x01\x02";

	(void)state;
	assert_rejected("requirements.txt", "six\n@@@ not a thing\n", 20, "requirements.txt:2:");
	assert_rejected("requirements.txt", "requests[security>=2\n", 21, "unterminated extras");
	assert_rejected("requirements.txt", "requests 2.0\n", 13, "invalid version specifier");
	assert_rejected("requirements.txt", binary, sizeof(binary) - 1, "requirements.txt:2: binary");
}

static void requirements_diff(void **state)
{
	(void)state;
	assert_diff("requirements.txt",
		    "requests==2.31.0\nflask>=2.0\nsix\n",
		    "# comment changed\nrequests==3.0.0\nflask >= 2.0\nattrs==23.1\n",
		    "added attrs  -> ==23.1 ( -> 23.1.0) runtime\n"
		    "bumped requests ==2.31.0 -> ==3.0.0 (2.31.0 -> 3.0.0) major runtime\n"
		    "removed six  ->  ( -> ) runtime\n");
}

static void pyproject(void **state)
{
	static const char text[] =
		"[build-system]\n"
		"requires = [\"setuptools>=61\", \"wheel\"]\n"
		"\n"
		"[project]\n"
		"name = \"demo\"\n"
		"version = \"1.4.0\"\n"
		"dependencies = [\n"
		"  \"httpx>=0.25\",  # comment\n"
		"  'pydantic[email]==2.5.2; python_version>=\"3.8\"',\n"
		"]\n"
		"\n"
		"[project.optional-dependencies]\n"
		"test = [\"pytest>=7\", \"coverage\"]\n"
		"docs = [\"sphinx\"]\n"
		"\n"
		"[dependency-groups]\n"
		"lint = [\"ruff==0.1.6\", {include-group = \"test\"}]\n"
		"\n"
		"[tool.poetry.dependencies]\n"
		"python = \"^3.9\"\n"
		"Requests = \"^2.31\"\n"
		"rich = { version = \"~13.7\", optional = true }\n"
		"mylib = { git = \"https://github.com/org/mylib.git\" }\n"
		"anyio = [{ version = \"^3\", python = \"<3.8\" }, { version = \"^4\", python = \">=3.8\" }]\n"
		"\n"
		"[tool.poetry.dev-dependencies]\n"
		"black = \"*\"\n"
		"\n"
		"[tool.poetry.group.typing.dependencies]\n"
		"mypy = \"1.7.1\"\n";

	(void)state;
	assert_deps("pyproject.toml", text,
		    "httpx >=0.25 [0.25.0] runtime\n"
		    "pydantic ==2.5.2 [2.5.2] runtime\n"
		    "pytest >=7 [7.0.0] test\n"
		    "coverage  [] test\n"
		    "sphinx  [] docs\n"
		    "ruff ==0.1.6 [0.1.6] lint\n"
		    "setuptools >=61 [61.0.0] build\n"
		    "wheel  [] build\n"
		    "requests ^2.31 [2.31.0] runtime\n"
		    "rich ~13.7 [13.7.0] runtime\n"
		    "mylib  [] runtime\n"
		    "anyio ^3 [3.0.0] runtime\n"
		    "black  [] dev\n"
		    "mypy 1.7.1 [1.7.1] typing\n");
}

static void pyproject_release_only_change(void **state)
{
	static const char old_text[] = "[project]\nname = \"demo\"\nversion = \"1.4.0\"\n"
				       "dependencies = [\"httpx>=0.25\"]\n";
	static const char new_text[] = "[project]\nname = \"demo\"\nversion = \"1.5.0\"\n"
				       "dependencies = [\"httpx>=0.25\"]\n";

	(void)state;
	assert_diff("pyproject.toml", old_text, new_text, "");
	assert_diff("pyproject.toml", old_text,
		    "[project]\nname = \"demo\"\nversion = \"2.0.0\"\n"
		    "dependencies = [\"httpx>=0.26\"]\n",
		    "bumped httpx >=0.25 -> >=0.26 (0.25.0 -> 0.26.0) minor runtime\n");
}

static void pyproject_malformed(void **state)
{
	static const char bad_toml[] = "[project]\ndependencies = [\"a\"\nname = 1\n";
	static const char not_array[] = "[project]\ndependencies = \"requests\"\n";
	static const char bad_item[] = "[project]\ndependencies = [\n\"ok\",\n\"!!\"]\n";

	(void)state;
	assert_rejected("pyproject.toml", bad_toml, sizeof(bad_toml) - 1, "pyproject.toml:");
	assert_rejected("pyproject.toml", bad_toml, sizeof(bad_toml) - 1, "invalid TOML");
	assert_rejected("pyproject.toml", not_array, sizeof(not_array) - 1,
			"pyproject.toml:2: [project] dependencies must be an array");
	assert_rejected("pyproject.toml", bad_item, sizeof(bad_item) - 1, "pyproject.toml:4:");
	/* truncated anywhere: either parses or is rejected, never crashes */
	for (size_t n = 0; n < sizeof(bad_item) - 1; n++) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("pyproject.toml")->parse("pyproject.toml", bad_item, n, NULL,
								NULL, &deps);
		clm_dep_list_release(&deps);
	}
}

static void pipfile(void **state)
{
	static const char text[] =
		"[[source]]\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\nname = \"pypi\"\n\n"
		"[packages]\nrequests = \"*\"\nDjango = \">=4.2,<5\"\n"
		"records = {version = \"==0.5.3\", extras = [\"pandas\"]}\n"
		"\"-e .\" = {extras = [\"socks\"]}\n"
		"\"e1839a8\" = {path = \".\", editable = true}\n\n"
		"[dev-packages]\npytest = \"==7.4.3\"\n\n[requires]\npython_version = \"3.11\"\n";

	(void)state;
	assert_deps("Pipfile", text,
		    "requests  [] runtime\n"
		    "django >=4.2,<5 [4.2.0] runtime\n"
		    "records ==0.5.3 [0.5.3] runtime\n"
		    "pytest ==7.4.3 [7.4.3] dev\n");
}

static void setup_py(void **state)
{
	static const char text[] =
		"import setuptools\n"
		"from setuptools import setup, find_packages\n"
		"\n"
		"TESTS = ['pytest>=7', \"mock\"]\n"
		"\n"
		"setuptools.setup(\n"
		"    name='demo',\n"
		"    version='0.3.1',\n"
		"    packages=find_packages(),\n"
		"    install_requires=[\n"
		"        'requests>=2.31,<3',\n"
		"        \"click\" \"==8.1.7\",\n"
		"        dynamic_requirement(),\n"
		"    ],\n"
		"    setup_requires=('setuptools_scm',),\n"
		"    tests_require=TESTS,\n"
		"    extras_require={\n"
		"        'yaml': ['PyYAML>=6.0'],\n"
		"        \"all\": TESTS,\n"
		"    },\n"
		")\n";

	(void)state;
	assert_deps("setup.py", text,
		    "requests >=2.31,<3 [2.31.0] runtime\n"
		    "click ==8.1.7 [8.1.7] runtime\n"
		    "setuptools-scm  [] build\n"
		    "pytest >=7 [7.0.0] test\n"
		    "mock  [] test\n"
		    "pyyaml >=6.0 [6.0.0] yaml\n"
		    "pytest >=7 [7.0.0] all\n"
		    "mock  [] all\n");
	assert_deps("setup.py",
		    "from setuptools import setup\n"
		    "setup(install_requires='''\n  six>=1.16  # compat\n  attrs\n''',\n"
		    "      extras_require=dict(dev=['black']))\n",
		    "six >=1.16 [1.16.0] runtime\n"
		    "attrs  [] runtime\n"
		    "black  [] dev\n");
	assert_rejected("setup.py", "setup(install_requires=['a'\n", 28, "setup.py:");
}

static void setup_cfg(void **state)
{
	static const char text[] =
		"[metadata]\nname = demo\nversion = 2.0.0\n\n"
		"[options]\npackages = find:\ninstall_requires =\n"
		"    requests>=2.31\n"
		"    importlib-metadata; python_version<\"3.8\"\n"
		"\n"
		"    packaging  # inline comment\n"
		"python_requires = >=3.8\n"
		"setup_requires = setuptools_scm\n\n"
		"[options.extras_require]\ntest =\n    pytest\n    pytest-cov>=4\n"
		"docs = sphinx>=7\n";

	(void)state;
	assert_deps("setup.cfg", text,
		    "requests >=2.31 [2.31.0] runtime\n"
		    "importlib-metadata  [] runtime\n"
		    "packaging  [] runtime\n"
		    "setuptools-scm  [] build\n"
		    "pytest  [] test\n"
		    "pytest-cov >=4 [4.0.0] test\n"
		    "sphinx >=7 [7.0.0] docs\n");
	assert_rejected("setup.cfg", "[options\ninstall_requires = a\n", 30,
			"setup.cfg:1: unterminated section header");
	assert_rejected("setup.cfg", "[options]\njust words\n", 21, "setup.cfg:2:");
}

/* setuptools reads requirements from files named in pyproject.toml and setup.cfg. */
static void dynamic_requirement_files(void **state)
{
	static const char *const files[] = {
		"pkg/requirements.txt", "attrs>=23\n-r more.txt\n",
		"pkg/more.txt", "six\n",
		"pkg/requirements-test.txt", "pytest==7.4.3\n",
		NULL,
	};
	char *got;

	(void)state;
	got = parse_render("pkg/pyproject.toml",
			   "[project]\nname = \"x\"\ndynamic = [\"dependencies\", \"optional-dependencies\"]\n"
			   "[tool.setuptools.dynamic]\ndependencies = {file = [\"requirements.txt\"]}\n"
			   "optional-dependencies.test = { file = \"requirements-test.txt\" }\n",
			   files);
	assert_string_equal(got, "attrs >=23 [23.0.0] runtime\n"
				 "six  [] runtime\n"
				 "pytest ==7.4.3 [7.4.3] test\n");
	free(got);
	got = parse_render("pkg/setup.cfg",
			   "[options]\ninstall_requires = file: requirements.txt, missing.txt\n"
			   "[options.extras_require]\ntest = file: requirements-test.txt\n",
			   files);
	assert_string_equal(got, "attrs >=23 [23.0.0] runtime\n"
				 "six  [] runtime\n"
				 "pytest ==7.4.3 [7.4.3] test\n");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requirements_txt),
		cmocka_unit_test(requirements_includes),
		cmocka_unit_test(requirements_include_fanout_is_bounded),
		cmocka_unit_test(requirements_malformed),
		cmocka_unit_test(requirements_diff),
		cmocka_unit_test(pyproject),
		cmocka_unit_test(pyproject_release_only_change),
		cmocka_unit_test(pyproject_malformed),
		cmocka_unit_test(pipfile),
		cmocka_unit_test(setup_py),
		cmocka_unit_test(setup_cfg),
		cmocka_unit_test(dynamic_requirement_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
