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

static void test_same_but_space(void **state)
{
	(void)state;
	assert_true(clm_text_same_but_space("f(a, b)", 7, "f(a,\n    b)", 11));
	assert_true(clm_text_same_but_space("", 0, " \n", 2));
	assert_false(clm_text_same_but_space("f(a, b)", 7, "f(a, c)", 7));
	assert_false(clm_text_same_but_space("f(a)", 4, "f(a) ;", 6));
	/* All whitespace is ignored, even between two words: "ab" and "a b" count as the same. */
	assert_true(clm_text_same_but_space("ab", 2, "a b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_symbols),
		cmocka_unit_test(test_whitespace_counts),
		cmocka_unit_test(test_blank_lines_reach_the_cap),
		cmocka_unit_test(test_same_but_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
