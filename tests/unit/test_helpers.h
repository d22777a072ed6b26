/* Common includes for cmocka unit tests. cmocka needs these headers before its own. */
#ifndef CLM_TEST_HELPERS_H
#define CLM_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* A fresh temporary directory for one test; caller frees the string (directory is left for
 * tests/run.sh's scratch cleanup since tests run inside it). */
static inline char *clm_test_tmpdir(void)
{
	char *tmpl = strdup("clm-unit-XXXXXX");
	return tmpl && mkdtemp(tmpl) ? tmpl : NULL;
}

/* The repository's test data folder, tests/data (CLM_DATA, set by tests/run.sh; the relative path
 * when a test binary runs by hand from the top of the repository). */
static inline const char *clm_test_data(void)
{
	const char *s = getenv("CLM_DATA");
	return s ? s : "tests/data";
}

#endif
