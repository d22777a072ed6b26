/* Manifest parser throughput: one generated manifest per ecosystem with CLM_BENCH_DEPS
 * dependencies (default 20000), parsed and diffed against itself with one bump. Baseline
 * measured in the same run: counting the lines of the same bytes with memchr. */
#include "parsers/manifest.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;
	const char *end = p + n;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		lines++;
		p++;
	}
	return lines;
}

typedef void (*generate_fn)(struct clm_strbuf *sb, int n, int bump);

static void gen_requirements(struct clm_strbuf *sb, int n, int bump)
{
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "package-%d[extra]>=%d.1,<%d ; python_version>'3.8'  # c\n", i,
				i + (i == bump), i + 100);
}

static void gen_package_json(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addstr(sb, "{\"version\":\"1.0.0\",\"dependencies\":{\n");
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "%s\"p%d\":\"^%d.0.0\"\n", i ? "," : "", i, i + (i == bump));
	clm_strbuf_addstr(sb, "}}\n");
}

static void gen_go_mod(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addstr(sb, "module m\n\ngo 1.21\n\nrequire (\n");
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "\tgithub.com/o/p%d/v%d v%d.%d.0 // indirect\n", i,
				2 + (i == bump), 2 + (i == bump), i);
	clm_strbuf_addstr(sb, ")\n");
}

static void gen_cargo(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addstr(sb, "[package]\nname = \"x\"\nversion = \"0.1.0\"\n\n[dependencies]\n");
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "c%d = { version = \"%d.1\", features = [\"a\"] }\n", i,
				i + (i == bump));
}

static void gen_pom(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addf(sb, "<project>\n<properties><v>1.%d</v></properties>\n<dependencies>\n",
			bump >= 0);
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "<dependency><groupId>g</groupId><artifactId>a%d</artifactId>"
				    "<version>${v}</version></dependency>\n", i);
	clm_strbuf_addstr(sb, "</dependencies>\n</project>\n");
}

static void gen_gradle(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addf(sb, "def v = '1.%d'\ndependencies {\n", bump >= 0);
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "    implementation \"g:a%d:$v\"\n", i);
	clm_strbuf_addstr(sb, "}\n");
}

static void gen_gemfile(struct clm_strbuf *sb, int n, int bump)
{
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "gem 'g%d', '~> %d.0'\n", i, i + (i == bump));
}

static void gen_csproj(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addstr(sb, "<Project>\n<ItemGroup>\n");
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "<PackageReference Include=\"P%d\" Version=\"%d.0\"/>\n", i,
				i + (i == bump));
	clm_strbuf_addstr(sb, "</ItemGroup>\n</Project>\n");
}

static void gen_setup_py(struct clm_strbuf *sb, int n, int bump)
{
	clm_strbuf_addstr(sb, "from setuptools import setup\nsetup(install_requires=[\n");
	for (int i = 0; i < n; i++)
		clm_strbuf_addf(sb, "    'p%d>=%d',\n", i, i + (i == bump));
	clm_strbuf_addstr(sb, "])\n");
}

static const struct {
	const char *path;
	generate_fn generate;
} cases[] = {
	{ "requirements.txt", gen_requirements }, { "package.json", gen_package_json },
	{ "go.mod", gen_go_mod },                 { "Cargo.toml", gen_cargo },
	{ "pom.xml", gen_pom },                   { "build.gradle", gen_gradle },
	{ "Gemfile", gen_gemfile },               { "App.csproj", gen_csproj },
	{ "setup.py", gen_setup_py },
};

int main(void)
{
	const char *env = getenv("CLM_BENCH_DEPS");
	int n = env ? atoi(env) : 20000, failures = 0;
	double total_parse = 0, total_base = 0;
	size_t total_bytes = 0;

	if (n < 1)
		n = 1;
	printf("config: %d dependencies per manifest, parse of old and new version + diff\n", n);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct clm_manifest_parser *p = clm_manifest_for_path(cases[c].path);
		struct clm_strbuf old_text = CLM_STRBUF_INIT, new_text = CLM_STRBUF_INIT;
		struct clm_dep_list a = { 0 }, b = { 0 };
		struct clm_dep_change_list changes = { 0 };
		double t0, t1, t2, t3;
		size_t lines;

		cases[c].generate(&old_text, n, -1);
		cases[c].generate(&new_text, n, n / 2);
		t0 = seconds();
		lines = count_lines(old_text.buf, old_text.len) + count_lines(new_text.buf, new_text.len);
		t1 = seconds();
		if (p->parse(cases[c].path, old_text.buf, old_text.len, NULL, NULL, &a) < 0 ||
		    p->parse(cases[c].path, new_text.buf, new_text.len, NULL, NULL, &b) < 0 ||
		    clm_manifest_diff(&a, &b, &changes) < 0) {
			fprintf(stderr, "bench_manifests: %s failed\n", cases[c].path);
			failures++;
		}
		t2 = seconds();
		t3 = t2 - t1;
		printf("%-18s deps=%zu changes=%zu bytes=%zu lines=%zu parse_diff_ms=%.1f "
		       "MB_per_s=%.1f baseline_memchr_ms=%.3f\n",
		       cases[c].path, b.n, changes.n, old_text.len + new_text.len, lines, t3 * 1e3,
		       (double)(old_text.len + new_text.len) / 1e6 / (t3 > 0 ? t3 : 1e-9),
		       (t1 - t0) * 1e3);
		total_parse += t3;
		total_base += t1 - t0;
		total_bytes += old_text.len + new_text.len;
		clm_dep_list_release(&a);
		clm_dep_list_release(&b);
		clm_dep_change_list_release(&changes);
		clm_strbuf_release(&old_text);
		clm_strbuf_release(&new_text);
	}
	printf("bytes: %zu\n", total_bytes);
	printf("parse_diff_s: %.3f\n", total_parse);
	printf("MB_per_s: %.1f\n", (double)total_bytes / 1e6 / (total_parse > 0 ? total_parse : 1e-9));
	printf("baseline_memchr_s: %.4f\n", total_base);
	printf("ratio_vs_memchr: %.0f\n", total_parse / (total_base > 0 ? total_base : 1e-9));
	return failures ? 1 : 0;
}
