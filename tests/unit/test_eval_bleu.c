/* libcore/eval: BLEU, smoothed BLEU and exact match against the CodeXGLUE evaluators' numbers. */
#include "test_helpers.h"
#include "eval/bleu.h"
#include "eval/lines.h"
#include "eval/tokenize.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>

static void read_lines(const char *dir, const char *name, struct clm_lines *out)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;

	assert_int_equal(clm_strbuf_addf(&path, "%s/%s", dir, name), 0);
	assert_int_equal(clm_lines_read(path.buf, out), 0);
	clm_strbuf_release(&path);
}

static void reproduces_every_expected_number(void **state)
{
	struct clm_strbuf dir = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	json_t *cases;
	size_t i, checked = 0;
	(void)state;

	assert_int_equal(clm_strbuf_addf(&dir, "%s/metrics", clm_test_data()), 0);
	assert_int_equal(clm_strbuf_addf(&path, "%s/expected.json", dir.buf), 0);
	assert_int_equal(clm_read_file(path.buf, 0, &text), 0);
	cases = clm_json_parse(text.buf, text.len, path.buf);
	assert_non_null(cases);
	assert_true(json_array_size(cases) >= 12);
	for (i = 0; i < json_array_size(cases); i++) {
		json_t *c = json_array_get(cases, i);
		struct clm_lines ref = CLM_LINES_INIT, pred = CLM_LINES_INIT;
		double want_bleu, want_em, want_smooth, bleu, smooth, em;
		int64_t lines;

		assert_int_equal(clm_json_get_number(c, "corpus_bleu4", &want_bleu, "case"), 0);
		assert_int_equal(clm_json_get_number(c, "exact_match", &want_em, "case"), 0);
		assert_int_equal(clm_json_get_number(c, "smoothed_sentence_bleu4", &want_smooth, "case"), 0);
		assert_int_equal(clm_json_get_int(c, "lines", 1, 1000000, &lines, "case"), 0);
		read_lines(dir.buf, clm_json_get_string(c, "ref", "case"), &ref);
		read_lines(dir.buf, clm_json_get_string(c, "pred", "case"), &pred);
		assert_int_equal(ref.n, (size_t)lines);
		assert_int_equal(pred.n, (size_t)lines);
		assert_int_equal(clm_bleu_corpus(ref.line, pred.line, ref.n, &bleu), 0);
		assert_int_equal(clm_bleu_smoothed(ref.line, pred.line, ref.n, &smooth), 0);
		em = clm_exact_match(ref.line, pred.line, ref.n);
		if (fabs(bleu - want_bleu) > 0.01 || fabs(smooth - want_smooth) > 0.01 || fabs(em - want_em) > 0.01)
			fail_msg("%s: bleu %.4f (want %.2f), smooth %.4f (want %.2f), em %.4f (want %.2f)",
				 clm_json_get_string(c, "name", "case"), bleu, want_bleu, smooth, want_smooth,
				 em, want_em);
		checked++;
		clm_lines_release(&ref);
		clm_lines_release(&pred);
	}
	assert_int_equal(checked, json_array_size(cases));
	json_decref(cases);
	clm_strbuf_release(&text);
	clm_strbuf_release(&path);
	clm_strbuf_release(&dir);
}

/* Hand-computed: hyp "a b c d" vs ref "a b c e": matches 3,2,1,0 of 4,3,2,1; with add-one
 * smoothing p = 4/5, 3/4, 2/3, 1/2 and no brevity penalty. */
static void corpus_bleu_hand_example(void **state)
{
	const char *ref[] = { "a b c e" }, *pred[] = { "  a b\tc d " };
	double s;
	(void)state;

	assert_int_equal(clm_bleu_corpus(ref, pred, 1, &s), 0);
	assert_float_equal(s, 100.0 * pow(0.8 * 0.75 * (2.0 / 3.0) * 0.5, 0.25), 1e-9);
}

/* Clipping: "the the the" against "the cat" matches one unigram; brevity penalty applies
 * when the corpus hypothesis is shorter. */
static void corpus_bleu_clips_and_penalises(void **state)
{
	const char *ref[] = { "the cat sat on the mat" }, *pred[] = { "the the the" };
	double s, p1 = 3.0 / 4.0, p2 = 1.0 / 3.0, p3 = 1.0 / 2.0, p4 = 1.0, bp = exp(1.0 - 6.0 / 3.0);
	(void)state;

	/* unigram matches min(3, 2) = 2 -> (2+1)/(3+1); bigram "the the" absent -> (0+1)/(2+1) */
	assert_int_equal(clm_bleu_corpus(ref, pred, 1, &s), 0);
	assert_float_equal(s, 100.0 * pow(p1 * p2 * p3 * p4, 0.25) * bp, 1e-9);
}

static void empty_inputs_do_not_divide_by_zero(void **state)
{
	const char *ref[] = { "" }, *pred[] = { "" }, *ref2[] = { "a b" };
	double s = -1;
	(void)state;

	assert_int_equal(clm_bleu_corpus(ref, pred, 1, &s), 0);
	assert_float_equal(s, 0, 0);
	assert_int_equal(clm_bleu_corpus(ref2, pred, 1, &s), 0);
	assert_float_equal(s, 0, 0);
	assert_int_equal(clm_bleu_corpus(NULL, NULL, 0, &s), 0);
	assert_float_equal(s, 0, 0);
	assert_int_equal(clm_bleu_smoothed(NULL, NULL, 0, &s), 0);
	assert_float_equal(s, 0, 0);
	/* the evaluator scores an empty hypothesis exp(-len(ref)) and two empty lines 100 */
	assert_int_equal(clm_bleu_smoothed_one("", "", &s), 0);
	assert_float_equal(s, 100.0, 1e-9);
	assert_int_equal(clm_bleu_smoothed_one("a b", "", &s), 0);
	assert_float_equal(s, 100.0 * exp(-2.0), 1e-9);
	assert_float_equal(clm_exact_match(NULL, NULL, 0), 0, 0);
}

/* Smoothed BLEU lowercases and splits words, punctuation and underscores, so these agree. */
static void smoothed_bleu_tokenization(void **state)
{
	struct clm_eval_tokenizer tk;
	struct clm_ids a = CLM_IDS_INIT, b = CLM_IDS_INIT;
	double s;
	(void)state;

	assert_int_equal(clm_bleu_smoothed_one("Returns the my_value.", "returns THE my _ value .", &s), 0);
	assert_float_equal(s, 100.0, 1e-9);
	assert_int_equal(clm_eval_tokenizer_init(&tk), 0);
	assert_int_equal(clm_tokenize_words_puncts(&tk, "Foo(x_1)+= 2.5 \xc3\x89t\xc3\xa9", &a), 0);
	/* foo ( x _ 1 ) + = 2 . 5 été */
	assert_int_equal(a.n, 12);
	assert_int_equal(clm_tokenize_words_puncts(&tk, "foo ( x _ 1 ) + = 2 . 5 \xc3\xa9t\xc3\xa9", &b), 0);
	assert_int_equal(b.n, 12);
	assert_memory_equal(a.id, b.id, 12 * sizeof(*a.id));
	assert_int_equal(clm_tokenize_whitespace(&tk, "\t a  b\xc2\xa0" "c\n", &a), 0);
	assert_int_equal(a.n, 3);
	clm_ids_release(&a);
	clm_ids_release(&b);
	clm_eval_tokenizer_release(&tk);
}

/* The tokens joined by " | ", for comparing with what Python prints. */
static void expect_tokens(struct clm_eval_tokenizer *tk, const char *line, const char *want)
{
	struct clm_ids ids = CLM_IDS_INIT;
	struct clm_strbuf got = CLM_STRBUF_INIT;

	assert_int_equal(clm_tokenize_words_puncts(tk, line, &ids), 0);
	for (size_t i = 0; i < ids.n; i++)
		assert_int_equal(clm_strbuf_addf(&got, "%s%s", i ? " | " : "", clm_symtab_name(&tk->syms, ids.id[i], NULL)), 0);
	assert_string_equal(got.buf, want);
	clm_strbuf_release(&got);
	clm_ids_release(&ids);
}

/* Expected strings are what the code-to-text evaluator's splitPuncts + normalize print:
 * Python's \w covers Unicode letters and numbers ("x²") but not symbols ("ⓧ") or combining
 * marks; lower() turns "İ" into "i" + U+0307 and a word-final "Σ" into "ς". */
static void smoothed_bleu_unicode_like_python(void **state)
{
	struct clm_eval_tokenizer tk;
	(void)state;

	assert_int_equal(clm_eval_tokenizer_init(&tk), 0);
	expect_tokens(&tk, "\xc4\xb0stanbul x\xc2\xb2 \xe2\x93\xa7 \xce\xa3\xce\x91\xce\xa3 na\xc3\xafve",
		      "i | \xcc\x87 | stanbul | x\xc2\xb2 | \xe2\x93\xa7 | \xcf\x83\xce\xb1\xcf\x82 | na\xc3\xafve");
	expect_tokens(&tk, "e\xcc\x81t\xc3\xa9 __init__", "e | \xcc\x81 | t\xc3\xa9 | _ | _ | init | _ | _");
	clm_eval_tokenizer_release(&tk);
}

static void exact_match_strips_like_python(void **state)
{
	const char *ref[] = { "return x ;", "a", "b" }, *pred[] = { "  return x ;\t", "a b", "B" };
	(void)state;

	assert_float_equal(clm_exact_match(ref, pred, 3), 100.0 / 3.0, 1e-9);
}

static void lines_split_like_readlines(void **state)
{
	struct clm_lines l = CLM_LINES_INIT;
	(void)state;

	assert_int_equal(clm_lines_split("a\nb\r\nc\rd", 9, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.line[1], "b");
	assert_string_equal(l.line[3], "d");
	assert_int_equal(clm_lines_split("a\n\n", 3, &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.line[1], "");
	assert_int_equal(clm_lines_split("", 0, &l), 0);
	assert_int_equal(l.n, 0);
	clm_lines_release(&l);
	assert_int_equal(clm_lines_read("does-not-exist.txt", &l), CLM_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reproduces_every_expected_number),
		cmocka_unit_test(corpus_bleu_hand_example),
		cmocka_unit_test(corpus_bleu_clips_and_penalises),
		cmocka_unit_test(empty_inputs_do_not_divide_by_zero),
		cmocka_unit_test(smoothed_bleu_tokenization),
		cmocka_unit_test(smoothed_bleu_unicode_like_python),
		cmocka_unit_test(exact_match_strips_like_python),
		cmocka_unit_test(lines_split_like_readlines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
