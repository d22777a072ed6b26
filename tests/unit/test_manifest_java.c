/* parsers/manifests/maven.c, gradle.c and the XML reader: pom.xml, build.gradle(.kts),
 * version catalogs. */
#include "manifest_test_helpers.h"

static const char pom_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<!-- the service -->\n"
	"<project xmlns=\"http://maven.apache.org/POM/4.0.0\"\n"
	"         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	"  <modelVersion>4.0.0</modelVersion>\n"
	"  <parent>\n"
	"    <groupId>org.springframework.boot</groupId>\n"
	"    <artifactId>spring-boot-starter-parent</artifactId>\n"
	"    <version>3.1.5</version>\n"
	"  </parent>\n"
	"  <groupId>com.acme</groupId>\n"
	"  <artifactId>service</artifactId>\n"
	"  <version>1.2.0-SNAPSHOT</version>\n"
	"  <properties>\n"
	"    <java.version>17</java.version>\n"
	"    <guava.version>32.1.3-jre</guava.version>\n"
	"    <jackson.base>2.15</jackson.base>\n"
	"    <jackson.version>${jackson.base}.3</jackson.version>\n"
	"    <loop>${loop}</loop>\n"
	"  </properties>\n"
	"  <dependencyManagement>\n"
	"    <dependencies>\n"
	"      <dependency>\n"
	"        <groupId>com.fasterxml.jackson</groupId>\n"
	"        <artifactId>jackson-bom</artifactId>\n"
	"        <version>${jackson.version}</version>\n"
	"        <type>pom</type>\n"
	"        <scope>import</scope>\n"
	"      </dependency>\n"
	"      <dependency>\n"
	"        <groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>"
	"<version>[2.0,2.1)</version>\n"
	"      </dependency>\n"
	"    </dependencies>\n"
	"  </dependencyManagement>\n"
	"  <dependencies>\n"
	"    <dependency>\n"
	"      <groupId>com.google.guava</groupId>\n"
	"      <artifactId>guava</artifactId>\n"
	"      <version>${guava.version}</version>\n"
	"    </dependency>\n"
	"    <dependency>\n"
	"      <groupId>org.slf4j</groupId>\n"
	"      <artifactId>slf4j-api</artifactId>\n"
	"    </dependency>\n"
	"    <dependency>\n"
	"      <groupId>${project.groupId}</groupId>\n"
	"      <artifactId>common</artifactId>\n"
	"      <version>${project.version}</version>\n"
	"    </dependency>\n"
	"    <dependency>\n"
	"      <groupId>junit</groupId>\n"
	"      <artifactId>junit</artifactId>\n"
	"      <version><![CDATA[4.13.2]]></version>\n"
	"      <scope>test</scope>\n"
	"    </dependency>\n"
	"    <dependency>\n"
	"      <groupId>odd</groupId><artifactId>a&amp;b</artifactId><version>${loop}</version>\n"
	"    </dependency>\n"
	"  </dependencies>\n"
	"  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId>\n"
	"    <artifactId>maven-compiler-plugin</artifactId><version>3.11.0</version>\n"
	"  </plugin></plugins></build>\n"
	"</project>\n";

static void maven_pom(void **state)
{
	(void)state;
	assert_deps("pom.xml", pom_xml,
		    "org.springframework.boot:spring-boot-starter-parent 3.1.5 [3.1.5] parent\n"
		    "com.google.guava:guava 32.1.3-jre [32.1.3-jre] runtime\n"
		    "org.slf4j:slf4j-api [2.0,2.1) [2.0.0] runtime\n"
		    "junit:junit 4.13.2 [4.13.2] test\n"
		    "odd:a&b ${loop} [] runtime\n"
		    "com.fasterxml.jackson:jackson-bom 2.15.3 [2.15.3] managed\n"
		    "org.slf4j:slf4j-api [2.0,2.1) [2.0.0] managed\n");
}

/* Modules of one multi-module build: the parent POM at ../pom.xml and a sibling at the
 * project's own version are the project itself; a parent elsewhere and another release of the
 * same group are dependencies. */
static void maven_modules(void **state)
{
	static const char parent[] =
		"<project><groupId>com.acme</groupId><artifactId>acme-parent</artifactId>"
		"<version>2.0.0</version><packaging>pom</packaging></project>";
	static const char module[] =
		"<project><parent><groupId>com.acme</groupId><artifactId>acme-parent</artifactId>"
		"<version>2.0.0</version></parent><artifactId>extras</artifactId><dependencies>"
		"<dependency><groupId>com.acme</groupId><artifactId>core</artifactId>"
		"<version>${project.version}</version></dependency>"
		"<dependency><groupId>com.acme</groupId><artifactId>legacy</artifactId>"
		"<version>1.4.0</version></dependency></dependencies></project>";
	static const char elsewhere[] =
		"<project><parent><groupId>com.acme</groupId><artifactId>acme-parent</artifactId>"
		"<version>2.0.0</version><relativePath/></parent><artifactId>extras</artifactId></project>";
	const char *const tree[] = { "pom.xml", parent, NULL };
	char *got;

	(void)state;
	got = parse_render("extras/pom.xml", module, tree);
	assert_string_equal(got, "com.acme:legacy 1.4.0 [1.4.0] runtime\n");
	free(got);
	got = parse_render("extras/pom.xml", module, NULL);
	assert_string_equal(got, "com.acme:acme-parent 2.0.0 [2.0.0] parent\n"
				 "com.acme:legacy 1.4.0 [1.4.0] runtime\n");
	free(got);
	got = parse_render("extras/pom.xml", elsewhere, tree);
	assert_string_equal(got, "com.acme:acme-parent 2.0.0 [2.0.0] parent\n");
	free(got);
}

/* A property bump changes the dependency; the project's own version does not count. */
static void maven_diff(void **state)
{
	static const char v1[] =
		"<project><groupId>g</groupId><artifactId>a</artifactId><version>1.0.0</version>"
		"<properties><lib.version>2.3.1</lib.version></properties><dependencies>"
		"<dependency><groupId>x</groupId><artifactId>lib</artifactId>"
		"<version>${lib.version}</version></dependency></dependencies></project>";
	static const char v2[] =
		"<project><groupId>g</groupId><artifactId>a</artifactId><version>1.1.0</version>"
		"<properties><lib.version>2.3.1</lib.version></properties><dependencies>"
		"<dependency><groupId>x</groupId><artifactId>lib</artifactId>"
		"<version>${lib.version}</version></dependency></dependencies></project>";
	static const char v3[] =
		"<project><groupId>g</groupId><artifactId>a</artifactId><version>1.1.0</version>"
		"<properties><lib.version>3.0.0</lib.version></properties><dependencies>"
		"<dependency><groupId>x</groupId><artifactId>lib</artifactId>"
		"<version>${lib.version}</version></dependency></dependencies></project>";

	(void)state;
	assert_diff("pom.xml", v1, v2, "");
	assert_diff("pom.xml", v2, v3, "bumped x:lib 2.3.1 -> 3.0.0 (2.3.1 -> 3.0.0) major runtime\n");
}

static void maven_malformed(void **state)
{
	static const char *const bad[] = {
		"<project><dependencies></project>", "closing tag does not match",
		"<project><dependencies>", "pom.xml:1: invalid XML: element <dependencies> is not closed",
		"<project>\n<version a=b/></project>", "pom.xml:2: invalid XML: attribute value must be quoted",
		"<project><!-- open", "unterminated comment",
		"<project></project><project/>", "more than one root",
		"text<project/>", "text outside the root",
		"", "no root element",
		"<settings/>", "root element is <settings>, not <project>",
		"<project><dependencies><dependency><artifactId>x</artifactId></dependency>"
		"</dependencies></project>", "pom.xml:1: <dependency> needs a groupId",
		"<project><![CDATA[x</project>", "unterminated CDATA",
		"<project attr=\"x></project>", "unterminated attribute value",
		"<project></>", "closing tag does not match",
	};
	struct clm_strbuf deep = CLM_STRBUF_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i += 2)
		assert_rejected("pom.xml", bad[i], strlen(bad[i]), bad[i + 1]);
	for (int i = 0; i < 100000; i++)
		clm_strbuf_addstr(&deep, "<a>");
	assert_rejected("pom.xml", deep.buf, deep.len, "nested too deeply");
	clm_strbuf_release(&deep);
	for (size_t n = 0; n < sizeof(pom_xml) - 1; n += 5) {
		struct clm_dep_list deps = { 0 };
		clm_manifest_for_path("pom.xml")->parse("pom.xml", pom_xml, n, NULL, NULL, &deps);
		clm_dep_list_release(&deps);
	}
}

static void maven_many_dependencies(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	struct clm_dep_list deps = { 0 };

	(void)state;
	clm_strbuf_addstr(&sb, "<project><dependencyManagement><dependencies>");
	for (int i = 0; i < 3000; i++)
		clm_strbuf_addf(&sb, "<dependency><groupId>g</groupId><artifactId>a%d</artifactId>"
				     "<version>1.%d</version></dependency>", i, i);
	clm_strbuf_addstr(&sb, "</dependencies></dependencyManagement><dependencies>");
	for (int i = 0; i < 3000; i++)
		clm_strbuf_addf(&sb, "<dependency><groupId>g</groupId><artifactId>a%d</artifactId>"
				     "</dependency>", i);
	clm_strbuf_addstr(&sb, "</dependencies></project>");
	assert_int_equal(clm_manifest_for_path("pom.xml")->parse("pom.xml", sb.buf, sb.len, NULL,
								 NULL, &deps),
			 0);
	assert_int_equal(deps.n, 6000);
	assert_string_equal(deps.items[2999].name, "g:a2999");
	assert_string_equal(deps.items[2999].spec, "1.2999");
	assert_string_equal(deps.items[2999].group, "runtime");
	clm_dep_list_release(&deps);
	clm_strbuf_release(&sb);
}

static void gradle_groovy(void **state)
{
	static const char text[] =
		"buildscript {\n"
		"    ext.kotlin_version = '1.9.21'\n"
		"    dependencies {\n"
		"        classpath \"org.jetbrains.kotlin:kotlin-gradle-plugin:$kotlin_version\"\n"
		"    }\n"
		"}\n"
		"plugins { id 'java' }\n"
		"def jacksonVersion = \"2.16.0\"\n"
		"group = 'com.acme'\n"
		"version = '1.0.0'\n"
		"/* dependencies { implementation 'commented:out:1.0' } */\n"
		"dependencies {\n"
		"    implementation 'com.google.guava:guava:32.1.3-jre' // inline comment\n"
		"    implementation \"com.fasterxml.jackson.core:jackson-databind:${jacksonVersion}\"\n"
		"    implementation platform('org.springframework.boot:spring-boot-dependencies:3.2.0')\n"
		"    implementation 'org.springframework.boot:spring-boot-starter-web'\n"
		"    implementation project(':core')\n"
		"    implementation group: 'org.apache.commons', name: 'commons-lang3', version: '3.14.0'\n"
		"    runtimeOnly 'org.postgresql:postgresql:42.7.0:jdk8@jar'\n"
		"    testImplementation('org.junit.jupiter:junit-jupiter:5.10.1') {\n"
		"        exclude group: 'org.hamcrest'\n"
		"    }\n"
		"    annotationProcessor 'org.projectlombok:lombok:1.18.30'\n"
		"    implementation libs.okhttp\n"
		"    implementation files('libs/local.jar')\n"
		"}\n"
		"repositories { mavenCentral() }\n"
		"task hello { doLast { println 'not:a:dependency' } }\n";

	(void)state;
	assert_deps("app/build.gradle", text,
		    "org.jetbrains.kotlin:kotlin-gradle-plugin 1.9.21 [1.9.21] build\n"
		    "com.google.guava:guava 32.1.3-jre [32.1.3-jre] runtime\n"
		    "com.fasterxml.jackson.core:jackson-databind 2.16.0 [2.16.0] runtime\n"
		    "org.springframework.boot:spring-boot-dependencies 3.2.0 [3.2.0] runtime\n"
		    "org.springframework.boot:spring-boot-starter-web  [] runtime\n"
		    "org.apache.commons:commons-lang3 3.14.0 [3.14.0] runtime\n"
		    "org.postgresql:postgresql 42.7.0 [42.7.0] runtime\n"
		    "org.junit.jupiter:junit-jupiter 5.10.1 [5.10.1] test\n"
		    "org.projectlombok:lombok 1.18.30 [1.18.30] build\n");
}

static void gradle_kotlin(void **state)
{
	static const char text[] =
		"plugins {\n    kotlin(\"jvm\") version \"1.9.21\"\n}\n"
		"val ktorVersion: String = \"2.3.6\"\n"
		"val raw = \"\"\"multi\nline\"\"\"\n"
		"dependencies {\n"
		"    implementation(\"io.ktor:ktor-server-core:$ktorVersion\")\n"
		"    implementation(platform(\"io.arrow-kt:arrow-stack:1.2.1\"))\n"
		"    testImplementation(kotlin(\"test\"))\n"
		"    testImplementation(group = \"io.mockk\", name = \"mockk\", version = \"1.13.8\")\n"
		"    implementation(\"org.jetbrains.kotlinx:kotlinx-coroutines-core:${property(\"cv\")}\")\n"
		"    constraints {\n"
		"        implementation(\"commons-io:commons-io:2.15.1\") { because(\"CVE\") }\n"
		"    }\n"
		"}\n";

	(void)state;
	assert_deps("build.gradle.kts", text,
		    "io.ktor:ktor-server-core 2.3.6 [2.3.6] runtime\n"
		    "io.arrow-kt:arrow-stack 1.2.1 [1.2.1] runtime\n"
		    "io.mockk:mockk 1.13.8 [1.13.8] test\n"
		    "org.jetbrains.kotlinx:kotlinx-coroutines-core ${property(\"cv\")} [] runtime\n"
		    "commons-io:commons-io 2.15.1 [2.15.1] runtime\n");
}

static void gradle_malformed_and_diff(void **state)
{
	(void)state;
	assert_rejected("build.gradle", "dependencies {\n  implementation 'a:b:1\n}\n", 40,
			"build.gradle:2: unterminated string");
	assert_rejected("build.gradle", "dependencies {\n  implementation 'a:b:1'\n", 39,
			"build.gradle:1: '{' is never closed");
	assert_rejected("build.gradle", "}\n", 2, "build.gradle:1: unbalanced '}'");
	assert_rejected("build.gradle", "/* open\n", 8, "unterminated comment");
	assert_diff("build.gradle",
		    "version = '1.0'\ndependencies { implementation 'a:b:1.0' }\n",
		    "version = '2.0'\ndependencies { implementation 'a:b:1.0' }\n", "");
	assert_diff("build.gradle",
		    "dependencies { implementation 'a:b:1.0'\n testImplementation 'c:d:2.0' }\n",
		    "dependencies { implementation 'a:b:1.1' }\n",
		    "bumped a:b 1.0 -> 1.1 (1.0.0 -> 1.1.0) minor runtime\n"
		    "removed c:d 2.0 ->  (2.0.0 -> ) test\n");
}

static void gradle_catalog(void **state)
{
	static const char text[] =
		"[versions]\n"
		"kotlin = \"1.9.21\"\n"
		"ktor = { strictly = \"2.3.6\" }\n"
		"\n"
		"[libraries]\n"
		"guava = \"com.google.guava:guava:32.1.3-jre\"\n"
		"kotlin-stdlib = { module = \"org.jetbrains.kotlin:kotlin-stdlib\", version.ref = \"kotlin\" }\n"
		"ktor-core = { group = \"io.ktor\", name = \"ktor-server-core\", version.ref = \"ktor\" }\n"
		"bom = { module = \"org.example:bom\" }\n"
		"junit = { module = \"org.junit.jupiter:junit-jupiter\", version = \"5.10.1\" }\n"
		"\n"
		"[plugins]\n"
		"kotlin-jvm = { id = \"org.jetbrains.kotlin.jvm\", version.ref = \"kotlin\" }\n";

	(void)state;
	assert_deps("gradle/libs.versions.toml", text,
		    "com.google.guava:guava 32.1.3-jre [32.1.3-jre] runtime\n"
		    "org.jetbrains.kotlin:kotlin-stdlib 1.9.21 [1.9.21] runtime\n"
		    "io.ktor:ktor-server-core 2.3.6 [2.3.6] runtime\n"
		    "org.example:bom  [] runtime\n"
		    "org.junit.jupiter:junit-jupiter 5.10.1 [5.10.1] runtime\n");
	assert_rejected("gradle/libs.versions.toml", "[libraries]\nx = { version = \"1\" }\n", 33,
			"gradle/libs.versions.toml:2: library 'x' has no module");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(maven_pom), cmocka_unit_test(maven_modules),
		cmocka_unit_test(maven_diff),
		cmocka_unit_test(maven_malformed),
		cmocka_unit_test(maven_many_dependencies),
		cmocka_unit_test(gradle_groovy),
		cmocka_unit_test(gradle_kotlin),
		cmocka_unit_test(gradle_malformed_and_diff),
		cmocka_unit_test(gradle_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
