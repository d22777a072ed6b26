/* data/function_texts: the approximate token count that caps mined functions. */
#include "test_helpers.h"
#include "data/function_texts.h"

#include <stdlib.h>
#include <string.h>

static size_t count(const char *s)
{
	return clm_approx_tokens(s, strlen(s));
}

static void test_words_and_symbols(void **state)
{
	(void)state;
	assert_int_equal(count(""), 0);
	assert_int_equal(count("return a_b + 42"), 4);
	assert_int_equal(count("f(x)"), 4);
}

static void test_whitespace_counts(void **state)
{
	(void)state;
	assert_int_equal(count("a b"), 2);        /* a single space folds into the next word */
	assert_int_equal(count("a\nb"), 3);       /* a line break is a token */
	assert_int_equal(count("a\n    b"), 4);   /* so is indentation */
	assert_int_equal(count("\n\n\n"), 3);     /* and every blank line */
}

static void test_blank_lines_reach_the_cap(void **state)
{
	size_t n = 100000;
	char *s = malloc(n + 1);

	(void)state;
	assert_non_null(s);
	memset(s, '\n', n);
	s[n] = '\0';
	assert_int_equal(clm_approx_tokens(s, n), n);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_symbols),
		cmocka_unit_test(test_whitespace_counts),
		cmocka_unit_test(test_blank_lines_reach_the_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
