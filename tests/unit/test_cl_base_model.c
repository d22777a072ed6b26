/* libcore/cl/base_model: loading a pretrain-style model directory and the tokenizer codec. */
#include "test_helpers.h"
#include "cl/base_model.h"
#include "io/safetensors.h"
#include "nn/config.h"
#include "nn/tensormap.h"
#include "tok/hf_json.h"
#include "tok/train.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

static const char *corpus = "public int add(int a, int b) { return a + b; }\n"
			    "def add(a, b):\n    return a + b\n";

/* Write a model directory with a freshly trained tokenizer of `vocab` ids and a random model. */
static void write_model_dir(const char *dir, struct clm_gpt *m)
{
	struct clm_tok_trainer tr;
	struct clm_tokenizer tok;
	struct clm_tok_train_opts opts = { 300, clm_tok_default_specials, 0, 1 };
	struct clm_gpt_config cfg;
	struct clm_tensor_list w = { 0 };
	struct clm_strbuf js = CLM_STRBUF_INIT;
	char path[512];
	json_t *cj;

	opts.n_specials = clm_tok_default_specials_count;
	assert_int_equal(clm_mkdir_p(dir, 0777), 0);
	assert_int_equal(clm_tok_trainer_init(&tr), 0);
	assert_int_equal(clm_tok_trainer_add(&tr, corpus, strlen(corpus)), 0);
	assert_int_equal(clm_tok_trainer_finish(&tr, &opts, &tok, NULL), 0);
	clm_tok_trainer_release(&tr);
	snprintf(path, sizeof(path), "%s/tokenizer.json", dir);
	assert_int_equal(clm_tok_save_hf(&tok, path), 0);
	assert_int_equal(clm_gpt_config_named("tiny", (int)tok.n_tokens, &cfg), 0);
	clm_tok_release(&tok);
	assert_int_equal(clm_gpt_init(m, &cfg, 3), 0);
	cj = clm_gpt_config_to_json(&cfg);
	assert_int_equal(clm_json_dump(cj, &js), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(clm_write_file_atomic(path, js.buf, js.len), 0);
	assert_int_equal(clm_gpt_export(m, CLM_EXPORT_BACKBONE, &w), 0);
	snprintf(path, sizeof(path), "%s/model.safetensors", dir);
	assert_int_equal(clm_safetensors_write(path, &w, NULL), 0);
	json_decref(cj);
	clm_strbuf_release(&js);
	clm_tensor_list_release(&w);
}

static void loads_model_and_tokenizer(void **state)
{
	struct clm_gpt orig;
	struct clm_base_model b;
	struct clm_text_codec c;
	struct clm_strbuf back = CLM_STRBUF_INIT;
	int32_t *ids = NULL;
	size_t n = 0;
	const char *text = "return a + b; <|sep|> x";
	(void)state;
	write_model_dir("base", &orig);
	if (clm_base_model_load("base", &b))
		fail_msg("%s", clm_error());
	assert_int_equal(b.model.cfg.n_embd, orig.cfg.n_embd);
	assert_memory_equal(clm_gpt_param(&b.model, "h.1.mlp.c_proj.weight")->w,
			    clm_gpt_param(&orig, "h.1.mlp.c_proj.weight")->w,
			    clm_gpt_param(&orig, "h.1.mlp.c_proj.weight")->n * sizeof(float));
	assert_int_equal(clm_tok_codec(&c, &b.tok), 0);
	assert_true(c.sep >= 0 && c.eos >= 0 && c.sep != c.eos);
	assert_int_equal(c.encode(c.ctx, text, strlen(text), &ids, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(ids[i] != c.sep); /* special text in an example is plain text */
	assert_int_equal(c.decode(c.ctx, ids, n, &back), 0);
	assert_string_equal(back.buf, text);
	free(ids);
	clm_strbuf_release(&back);
	clm_base_model_release(&b);
	clm_gpt_release(&orig);
}

static void missing_or_bad_files_are_named(void **state)
{
	struct clm_gpt orig;
	struct clm_base_model b;
	(void)state;
	assert_true(clm_base_model_load("nowhere", &b) < 0);
	assert_non_null(strstr(clm_error(), "nowhere/config.json"));
	clm_base_model_release(&b);
	write_model_dir("bad", &orig);
	clm_gpt_release(&orig);
	assert_int_equal(clm_write_file_atomic("bad/config.json", "{\"n_layer\": 2}", 14), 0);
	assert_true(clm_base_model_load("bad", &b) < 0);
	assert_non_null(strstr(clm_error(), "bad/config.json"));
	clm_base_model_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_model_and_tokenizer),
		cmocka_unit_test(missing_or_bad_files_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
