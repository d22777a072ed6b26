/* Which imports belong to which dependency: each ecosystem names packages and modules differently. */
#include "parsers/imports.h"

#include <ctype.h>
#include <string.h>

/* PyPI distributions whose import name differs from the distribution name. */
static const char *const pypi_aliases[][2] = {
	{ "beautifulsoup4", "bs4" }, { "scikit_learn", "sklearn" }, { "pillow", "PIL" },
	{ "pyyaml", "yaml" },        { "opencv_python", "cv2" },    { "protobuf", "google" },
	{ "python_dateutil", "dateutil" }, { "attrs", "attr" },     { NULL, NULL },
};

/* Lower-case `s` with '-' and '.' turned into '_' (PEP 503 style) into buf; 0 when too long. */
static int normalise(const char *s, size_t len, char *buf, size_t cap)
{
	if (len + 1 > cap)
		return 0;
	for (size_t i = 0; i < len; i++)
		buf[i] = (s[i] == '-' || s[i] == '.') ? '_' : (char)tolower((unsigned char)s[i]);
	buf[len] = '\0';
	return 1;
}

static int has_prefix_path(const char *s, const char *prefix, char sep)
{
	size_t n = strlen(prefix);
	return !strncmp(s, prefix, n) && (s[n] == '\0' || s[n] == sep);
}

static int pypi_match(const char *package, const char *module)
{
	char pkg[256], top[256];
	const char *dot = strchr(module, '.');
	size_t tl = dot ? (size_t)(dot - module) : strlen(module);

	if (!normalise(package, strlen(package), pkg, sizeof(pkg)) || !normalise(module, tl, top, sizeof(top)))
		return 0;
	if (!strcmp(pkg, top))
		return 1;
	for (int i = 0; pypi_aliases[i][0]; i++)
		if (!strcmp(pkg, pypi_aliases[i][0]) && !strncmp(module, pypi_aliases[i][1], tl) &&
		    strlen(pypi_aliases[i][1]) == tl)
			return 1;
	return (!strncmp(pkg, "python_", 7) && !strcmp(pkg + 7, top)) ||
	       (!strncmp(pkg, "py", 2) && !strcmp(pkg + 2, top));
}

/* Go: compare paths with /vN major-version elements removed. */
static int go_match(const char *package, const char *module)
{
	const char *p = package, *m = module;

	for (;;) {
		if (*m == '/' && m[1] == 'v' && isdigit((unsigned char)m[2])) {
			const char *q = m + 2;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == '/' || *q == '\0')
				m = q;
		}
		if (*p == '\0')
			return *m == '\0' || *m == '/';
		if (*p != *m)
			return 0;
		p++;
		m++;
	}
}

/* Maven coordinates "group:artifact" rarely spell the Java package exactly: accept the group as
 * a prefix, the group without its last element (com.fasterxml.jackson.core -> com.fasterxml.jackson)
 * when it has three or more, or the artifact as one element of the package (gson). */
static int maven_match(const char *package, const char *module)
{
	const char *colon = strchr(package, ':'), *artifact = colon ? colon + 1 : "";
	size_t gl = colon ? (size_t)(colon - package) : strlen(package), al = strlen(artifact);
	const char *last_dot = NULL, *p;
	int dots = 0;

	if (gl && !strncmp(module, package, gl) && (module[gl] == '\0' || module[gl] == '.'))
		return 1;
	for (size_t i = 0; i < gl; i++)
		if (package[i] == '.') {
			dots++;
			last_dot = package + i;
		}
	if (dots >= 2 && !strncmp(module, package, (size_t)(last_dot - package)) &&
	    module[last_dot - package] == '.')
		return 1;
	for (p = module; al && (p = strstr(p, artifact)); p++)
		if ((p == module || p[-1] == '.') && (p[al] == '\0' || p[al] == '.'))
			return 1;
	return 0;
}

int clm_import_from_package(const char *ecosystem, const char *package, const char *module)
{
	if (!strcmp(ecosystem, "pypi"))
		return pypi_match(package, module);
	if (!strcmp(ecosystem, "npm"))
		return has_prefix_path(module, package, '/');
	if (!strcmp(ecosystem, "go"))
		return go_match(package, module);
	if (!strcmp(ecosystem, "cargo")) {
		char pkg[256];
		return normalise(package, strlen(package), pkg, sizeof(pkg)) && !strcmp(pkg, module);
	}
	if (!strcmp(ecosystem, "maven") || !strcmp(ecosystem, "gradle"))
		return maven_match(package, module);
	if (!strcmp(ecosystem, "nuget"))
		return has_prefix_path(module, package, '.');
	if (!strcmp(ecosystem, "rubygems")) {
		char slashed[256];
		size_t n = strlen(package);
		if (n + 1 > sizeof(slashed))
			return 0;
		for (size_t i = 0; i <= n; i++)
			slashed[i] = package[i] == '-' ? '/' : package[i];
		return has_prefix_path(module, package, '/') || has_prefix_path(module, slashed, '/');
	}
	return 0;
}
