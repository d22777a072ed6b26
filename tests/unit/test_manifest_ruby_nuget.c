/* parsers/manifests/rubygems.c and nuget.c: Gemfile, *.gemspec, *.csproj,
 * Directory.Packages.props, packages.config. */
#include "manifest_test_helpers.h"

static void gemfile(void **state)
{
	static const char text[] =
		"# frozen_string_literal: true\n"
		"source \"https://rubygems.org\"\n"
		"git_source(:github) { |repo| \"https://github.com/#{repo}.git\" }\n"
		"ruby \"3.2.2\"\n"
		"\n"
		"gem \"rails\", \"~> 7.1.2\"\n"
		"gem 'pg', '~> 1.1', '>= 1.5.4'\n"
		"gem \"puma\", \">= 5.0\" # web server\n"
		"gem 'bootsnap', require: false\n"
		"gem \"rspec-rails\", group: :test\n"
		"gem(\"sidekiq\", \"7.2.0\")\n"
		"gem 'tzinfo-data', platforms: %i[ windows jruby ]\n"
		"\n"
		"group :development, :test do\n"
		"  gem \"debug\", platforms: %i[ mri windows ]\n"
		"  if ENV['CI']\n"
		"    gem 'simplecov', '0.22.0'\n"
		"  end\n"
		"end\n"
		"\n"
		"group :production do\n"
		"  gem 'lograge', :require => false\n"
		"end\n"
		"\n"
		"platforms :jruby do\n"
		"  gem 'activerecord-jdbc-adapter'\n"
		"end\n"
		"gem \"hash#name\", git: \"https://example.com/x.git\"\n"
		/* one-line blocks leave nothing open; gems inside them are not read */
		"if ENV['X'] then gem 'one-line' end\n"
		"[1].each do |x| puts x end\n";

	(void)state;
	assert_deps("Gemfile", text,
		    "rails ~> 7.1.2 [7.1.2] runtime\n"
		    "pg ~> 1.1, >= 1.5.4 [1.5.4] runtime\n"
		    "puma >= 5.0 [5.0.0] runtime\n"
		    "bootsnap  [] runtime\n"
		    "rspec-rails  [] test\n"
		    "sidekiq 7.2.0 [7.2.0] runtime\n"
		    "tzinfo-data  [] runtime\n"
		    "debug  [] dev\n"
		    "simplecov 0.22.0 [0.22.0] dev\n"
		    "lograge  [] production\n"
		    "activerecord-jdbc-adapter  [] runtime\n"
		    "hash#name  [] runtime\n");
}

static void gemspec_and_diff(void **state)
{
	static const char spec[] =
		"Gem::Specification.new do |spec|\n"
		"  spec.name = 'demo'\n"
		"  spec.version = Demo::VERSION\n"
		"  spec.add_dependency 'faraday', '>= 1.0', '< 3'\n"
		"  spec.add_runtime_dependency('zeitwerk', '~> 2.6')\n"
		"  spec.add_development_dependency \"rake\", \"~> 13.0\"\n"
		"end\n";

	(void)state;
	assert_deps("demo.gemspec", spec,
		    "faraday >= 1.0, < 3 [1.0.0] runtime\n"
		    "zeitwerk ~> 2.6 [2.6.0] runtime\n"
		    "rake ~> 13.0 [13.0.0] dev\n");
	assert_diff("Gemfile", "ruby '3.1'\ngem 'rails', '~> 7.0.8'\ngem 'pg'\n",
		    "ruby '3.2'\ngem 'rails', '~> 7.1.2'\ngem 'pg'\n",
		    "bumped rails ~> 7.0.8 -> ~> 7.1.2 (7.0.8 -> 7.1.2) minor runtime\n");
}

static void gemfile_malformed(void **state)
{
	(void)state;
	assert_rejected("Gemfile", "gem 'rails\n", 11, "Gemfile:1: unterminated string");
	assert_rejected("Gemfile", "group :test do\n  gem 'x'\n", 24,
			"Gemfile:1: block is not closed with 'end'");
	assert_rejected("Gemfile", "gem 'x'\nend\n", 12, "Gemfile:2: 'end' without a block");
	assert_rejected("Gemfile", "gem rails_name\n", 15, "Gemfile:1: gem needs a quoted name");
}

static const char csproj[] =
	"\xef\xbb\xbf<Project Sdk=\"Microsoft.NET.Sdk\">\n"
	"  <PropertyGroup>\n"
	"    <TargetFramework>net8.0</TargetFramework>\n"
	"    <Version>4.5.0</Version>\n"
	"    <EfVersion>8.0.0</EfVersion>\n"
	"  </PropertyGroup>\n"
	"  <ItemGroup>\n"
	"    <PackageReference Include=\"Newtonsoft.Json\" Version=\"13.0.3\" />\n"
	"    <PackageReference Include=\"Microsoft.EntityFrameworkCore\" Version=\"$(EfVersion)\" />\n"
	"    <PackageReference Include=\"Serilog\">\n"
	"      <Version>3.1.1</Version>\n"
	"    </PackageReference>\n"
	"    <PackageReference Include=\"xunit\" Version=\"[2.6.2, 3.0)\" />\n"
	"    <PackageReference Update=\"Elsewhere\" Version=\"1.0.0\" />\n"
	"    <ProjectReference Include=\"..\\Core\\Core.csproj\" />\n"
	"  </ItemGroup>\n"
	"  <Choose><When Condition=\"'$(Configuration)'=='Debug'\"><ItemGroup>\n"
	"    <PackageReference Include=\"Debug.Helper\" Version=\"1.*\" />\n"
	"  </ItemGroup></When></Choose>\n"
	"</Project>\n";

static void csproj_and_central(void **state)
{
	static const char props[] =
		"<Project>\n"
		"  <PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>"
		"</PropertyGroup>\n"
		"  <ItemGroup>\n"
		"    <PackageVersion Include=\"Polly\" Version=\"8.2.0\" />\n"
		"    <PackageVersion Include=\"Dapper\" Version=\"2.1.24\" />\n"
		"  </ItemGroup>\n"
		"</Project>\n";
	static const char config[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<packages>\n"
		"  <package id=\"jQuery\" version=\"3.7.1\" targetFramework=\"net48\" />\n"
		"  <package id=\"StyleCop.Analyzers\" version=\"1.1.118\" developmentDependency=\"true\" />\n"
		"</packages>\n";

	(void)state;
	assert_deps("src/App/App.csproj", csproj,
		    "Newtonsoft.Json 13.0.3 [13.0.3] runtime\n"
		    "Microsoft.EntityFrameworkCore 8.0.0 [8.0.0] runtime\n"
		    "Serilog 3.1.1 [3.1.1] runtime\n"
		    "xunit [2.6.2, 3.0) [2.6.2] runtime\n"
		    "Debug.Helper 1.* [1.0.0] runtime\n");
	assert_deps("Directory.Packages.props", props,
		    "Polly 8.2.0 [8.2.0] managed\n"
		    "Dapper 2.1.24 [2.1.24] managed\n");
	assert_deps("packages.config", config,
		    "jQuery 3.7.1 [3.7.1] runtime\n"
		    "StyleCop.Analyzers 1.1.118 [1.1.118] dev\n");
}

static void nuget_diff_and_malformed(void **state)
{
	static const char v1[] = "<Project><PropertyGroup><Version>1.0.0</Version></PropertyGroup>"
				 "<ItemGroup><PackageReference Include=\"Polly\" Version=\"7.2.4\"/>"
				 "</ItemGroup></Project>";
	static const char v2[] = "<Project><PropertyGroup><Version>1.1.0</Version></PropertyGroup>"
				 "<ItemGroup><PackageReference Include=\"Polly\" Version=\"7.2.4\"/>"
				 "</ItemGroup></Project>";
	static const char v3[] = "<Project><PropertyGroup><Version>1.1.0</Version></PropertyGroup>"
				 "<ItemGroup><PackageReference Include=\"Polly\" Version=\"8.2.0\"/>"
				 "</ItemGroup></Project>";
	static const char no_include[] = "<Project><ItemGroup>\n<PackageReference Version=\"1\"/>"
					 "</ItemGroup></Project>";

	(void)state;
	assert_diff("App.csproj", v1, v2, "");
	assert_diff("App.csproj", v2, v3,
		    "bumped Polly 7.2.4 -> 8.2.0 (7.2.4 -> 8.2.0) major runtime\n");
	assert_rejected("App.csproj", no_include, sizeof(no_include) - 1,
			"App.csproj:2: <PackageReference> without Include");
	assert_rejected("App.csproj", "<Project><ItemGroup></Project>", 30, "closing tag");
	assert_rejected("packages.config", "<packages><package version=\"1\"/></packages>", 43,
			"packages.config:1: <package> without an id");
	assert_rejected("App.csproj", "<packages/>", 11, "not <Project>");
	for (size_t n = 0; n < sizeof(csproj) - 1; n += 3) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("App.csproj")->parse("App.csproj", csproj, n, NULL, NULL, &deps);
		clm_dep_list_release(&deps);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gemfile),
		cmocka_unit_test(gemspec_and_diff),
		cmocka_unit_test(gemfile_malformed),
		cmocka_unit_test(csproj_and_central),
		cmocka_unit_test(nuget_diff_and_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
