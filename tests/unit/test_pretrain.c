/* libcore/update/pretrain: a short run writes a model directory that loads back, and a run stopped
 * and resumed ends with exactly the weights of an unbroken one. */
#include "test_helpers.h"
#include <math.h>
#include "io/safetensors.h"
#include "nn/config.h"
#include "nn/model.h"
#include "update/pretrain.h"
#include "nn/tensormap.h"
#include "tok/hf_json.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

static const char *sources[] = {
	"def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n",
	"int square(int x)\n{\n\treturn x * x;\n}\n\nint cube(int x)\n{\n\treturn x * square(x);\n}\n",
	"fn main() {\n    let v: Vec<i32> = (0..10).map(|x| x * 2).collect();\n    println!(\"{:?}\", v);\n}\n",
};

static char *make_corpus(void)
{
	char *dir = clm_test_tmpdir(), path[512];
	const char *names[] = { "a.py", "b.c", "c.rs" };
	for (int i = 0; i < 3; i++) {
		struct clm_strbuf sb = CLM_STRBUF_INIT;
		for (int k = 0; k < 40; k++)
			clm_strbuf_addf(&sb, "%s# %d\n", sources[i], k);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_int_equal(clm_write_file_atomic(path, sb.buf, sb.len), 0);
		clm_strbuf_release(&sb);
	}
	return dir;
}

static void small_opts(struct clm_pretrain_opts *o, const char *corpus, const char *out, int steps)
{
	clm_pretrain_defaults(o);
	o->corpus = corpus;
	o->out_dir = out;
	o->steps = steps;
	o->batch_size = 2;
	o->seq_len = 32;
	o->vocab_size = 300;
	o->checkpoint_every = 2;
	o->quiet = 1;
}

static void read_all(const char *dir, const char *name, struct clm_strbuf *sb)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	clm_strbuf_reset(sb);
	assert_int_equal(clm_read_file(path, 0, sb), 0);
}

static void run_writes_a_loadable_model(void **state)
{
	struct clm_pretrain_opts o;
	struct clm_pretrain_result r;
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	struct clm_gpt_config cfg;
	struct clm_tokenizer tok;
	struct clm_tensor_list w = { 0 };
	struct clm_gpt m;
	char *corpus = make_corpus(), *out = clm_test_tmpdir(), path[512];
	json_t *j;
	(void)state;
	small_opts(&o, corpus, out, 12);
	o.lr = 1e-2f;
	assert_int_equal(clm_pretrain(&o, &r), 0);
	assert_int_equal(r.files, 3);
	assert_int_equal(r.steps_done, 12);
	assert_int_equal(r.resumed_from, 0);
	assert_int_equal(r.vocab_size, 300);
	assert_true(r.train_tokens > 100);
	assert_true(r.last_loss < r.first_loss); /* the loss falls even in 12 steps on repetitive code */
	read_all(out, "config.json", &sb);
	j = clm_json_parse(sb.buf, sb.len, "config.json");
	assert_non_null(j);
	assert_int_equal(clm_gpt_config_from_json(j, &cfg), 0);
	assert_int_equal(cfg.vocab_size, 300);
	assert_string_equal(json_string_value(json_object_get(j, "model_type")), "gpt2");
	json_decref(j);
	snprintf(path, sizeof(path), "%s/tokenizer.json", out);
	assert_int_equal(clm_tok_load_hf(&tok, path), 0);
	assert_int_equal(tok.n_tokens, 300);
	assert_int_equal(clm_tok_special_id(&tok, "<|endoftext|>"), 300 - 8);
	snprintf(path, sizeof(path), "%s/model.safetensors", out);
	assert_int_equal(clm_safetensors_read(path, 0, &w, NULL), 0);
	assert_int_equal(clm_gpt_from_tensors(&m, &cfg, &w), 0);
	clm_gpt_release(&m);
	clm_tensor_list_release(&w);
	clm_tok_release(&tok);
	clm_strbuf_release(&sb);
	free(corpus);
	free(out);
}

static void resumed_run_equals_unbroken_run(void **state)
{
	struct clm_pretrain_opts o;
	struct clm_pretrain_result r;
	struct clm_strbuf a = CLM_STRBUF_INIT, b = CLM_STRBUF_INIT;
	char *corpus = make_corpus(), *straight = clm_test_tmpdir(), *broken = clm_test_tmpdir();
	volatile sig_atomic_t stop = 0;
	(void)state;
	small_opts(&o, corpus, straight, 6);
	assert_int_equal(clm_pretrain(&o, &r), 0);
	/* Stop the second run after its first step: it checkpoints and reports the interruption. */
	small_opts(&o, corpus, broken, 6);
	stop = 1;
	o.stop = &stop;
	assert_int_equal(clm_pretrain(&o, &r), CLM_EINTERRUPT);
	assert_int_equal(r.steps_done, 1);
	assert_int_equal(r.interrupted, 1);
	assert_non_null(strstr(clm_error(), "resume"));
	o.stop = NULL;
	assert_int_equal(clm_pretrain(&o, &r), 0);
	assert_int_equal(r.resumed_from, 1);
	assert_int_equal(r.steps_done, 6);
	read_all(straight, "model.safetensors", &a);
	read_all(broken, "model.safetensors", &b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	/* A different corpus does not silently continue the checkpoint; --fresh starts over. */
	free(corpus);
	corpus = make_corpus();
	o.corpus = corpus;
	o.steps = 8;
	assert_int_equal(clm_pretrain(&o, &r), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "--fresh"));
	o.fresh = 1;
	assert_int_equal(clm_pretrain(&o, &r), 0);
	assert_int_equal(r.resumed_from, 0);
	assert_int_equal(r.steps_done, 8);
	clm_strbuf_release(&a);
	clm_strbuf_release(&b);
	free(corpus);
	free(straight);
	free(broken);
}

static void bad_settings_are_refused(void **state)
{
	struct clm_pretrain_opts o;
	struct clm_pretrain_result r;
	char *corpus = make_corpus(), *out = clm_test_tmpdir();
	(void)state;
	small_opts(&o, corpus, out, 2);
	o.config = "huge";
	assert_int_equal(clm_pretrain(&o, &r), CLM_ENOTFOUND);
	assert_non_null(strstr(clm_error(), "huge"));
	small_opts(&o, corpus, out, 2);
	o.seq_len = 100000;
	assert_int_equal(clm_pretrain(&o, &r), CLM_EINVALID);
	small_opts(&o, out, out, 2); /* an empty folder */
	assert_int_equal(clm_pretrain(&o, &r), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "no source files"));
	free(corpus);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_writes_a_loadable_model),
		cmocka_unit_test(resumed_run_equals_unbroken_run),
		cmocka_unit_test(bad_settings_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
