/* GGUF export checked by llama.cpp itself: a tokenizer trained here and a small GPT-2 from the
 * engine are exported, llama.cpp (node-llama-cpp 3.21.1, installed by tests/llama/setup.sh) loads
 * the file, and its greedy continuations of several prompts must be exactly our engine's for
 * f32; its tokenization of the prompts must be exactly ours. Then the same file is served over
 * an OpenAI-compatible API (tests/llama/serve.mjs) and our remote client must stream exactly the
 * text our engine generates. Skipped, with a message, when node or the package cannot be had. */
#include "test_helpers.h"
#include "server_helpers.h"
#include "io/gguf_model.h"
#include "io/gguf_gpt2.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "remote/client.h"
#include "tok/bpe.h"
#include "tok/train.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"

#define N_NEW 24

static const char *const prompts[] = {
	"int main(void)\n{\n",
	"static int clm_",
	"\tfor (size_t i = 0; i < n; i++)",
	"#include <",
	"\treturn clm_error_set(CLM_EINVALID, \"",
	"/* Copy the bytes */\n",
};
#define N_PROMPTS (sizeof(prompts) / sizeof(prompts[0]))

struct fixture {
	char modules[4096];
	struct clm_tokenizer tok;
	struct clm_gpt model;
};

/* The corpus: some of our own C sources. */
static int read_corpus(struct clm_strbuf *text)
{
	const char *files[] = { "libcore/util/strbuf.c", "libcore/util/json.c", "libcore/util/fileio.c",
				"libcore/util/error.c", "libcore/io/gguf.c" };
	char path[4096];
	int rc = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", getenv("CLM_TOP"), files[i]);
		rc = clm_read_file(path, 0, text);
	}
	return rc;
}

static int train_tokenizer(const struct clm_strbuf *corpus, struct clm_tokenizer *tok)
{
	struct clm_tok_trainer tr;
	struct clm_tok_train_opts opts = { 600, clm_tok_default_specials, 0, 0 };
	int rc = clm_tok_trainer_init(&tr);

	opts.n_specials = clm_tok_default_specials_count;
	if (!rc)
		rc = clm_tok_trainer_add(&tr, corpus->buf, corpus->len);
	if (!rc)
		rc = clm_tok_trainer_finish(&tr, &opts, tok, NULL);
	clm_tok_trainer_release(&tr);
	return rc;
}

/* A freshly initialised GPT-2 only repeats its last token (the tied embedding dominates), which
 * would make agreement trivial; a short training run on the corpus gives varied continuations. */
static int train_model(struct clm_gpt *m, struct clm_tokenizer *tok, const struct clm_strbuf *corpus)
{
	struct clm_tok_ids ids = { 0 };
	struct clm_batch b = CLM_BATCH_INIT;
	struct clm_adamw_config oc;
	struct clm_adamw opt;
	float loss = 0;
	int rc = clm_tok_encode(tok, corpus->buf, corpus->len, 0, &ids), window = 64;

	clm_adamw_defaults(&oc);
	oc.lr = 3e-3f;
	clm_adamw_init(&opt, &oc);
	for (int step = 0; step < 100 && !rc; step++) {
		clm_batch_clear(&b);
		for (int e = 0; e < 8 && !rc; e++) {
			size_t start = ((size_t)step * 8 + (size_t)e) * 977 % (ids.n - (size_t)window);
			rc = clm_batch_add(&b, ids.v + start, window, NULL, NULL, 0, -1);
		}
		clm_gpt_zero_grad(m);
		if (!rc)
			rc = clm_gpt_forward_backward(m, &b, &loss);
		if (!rc)
			rc = clm_adamw_step(&opt, m, 1);
	}
	print_message("# trained 100 steps, loss %.2f\n", loss);
	clm_adamw_release(&opt);
	clm_batch_release(&b);
	clm_tok_ids_release(&ids);
	return rc;
}

static int setup(void **state)
{
	static struct fixture fx;
	struct clm_gpt_config cfg = { .n_layer = 2, .n_head = 4, .n_embd = 64, .n_positions = 96, .vocab_size = 0,
					       .layer_norm_epsilon = 1e-5f };
	char cmd[4096];
	FILE *p;

	if (!getenv("CLM_TOP"))
		return -1;
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/llama/setup.sh'", getenv("CLM_TOP"));
	p = popen(cmd, "r");
	fx.modules[0] = '\0';
	if (p) {
		if (!fgets(fx.modules, sizeof(fx.modules), p))
			fx.modules[0] = '\0';
		pclose(p);
	}
	fx.modules[strcspn(fx.modules, "\n")] = '\0';
	{
		struct clm_strbuf corpus = CLM_STRBUF_INIT;
		int rc = read_corpus(&corpus);
		if (!rc)
			rc = train_tokenizer(&corpus, &fx.tok);
		cfg.vocab_size = (int)fx.tok.n_tokens;
		if (!rc)
			rc = clm_gpt_init(&fx.model, &cfg, 1234);
		if (!rc && fx.modules[0])
			rc = train_model(&fx.model, &fx.tok, &corpus);
		clm_strbuf_release(&corpus);
		if (rc < 0) {
			print_message("# setup failed: %s\n", clm_error());
			return -1;
		}
	}
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	clm_gpt_release(&fx->model);
	clm_tok_release(&fx->tok);
	return 0;
}

static void model_tensors(struct clm_gpt *m, struct clm_tensor_list *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < m->n_backbone; i++) {
		const struct clm_param *p = &m->params[i];
		assert_int_equal(clm_tensor_list_add(out, p->name, CLM_DTYPE_F32, p->ndim, p->shape, p->w,
						     p->n * sizeof(float)), 0);
	}
}

/* Ask llama.cpp for tokenizations and greedy continuations; returns the parsed "results" array. */
static json_t *llama_greedy(const struct fixture *fx, const char *gguf, json_t *request)
{
	struct clm_strbuf text = CLM_STRBUF_INIT, out = CLM_STRBUF_INIT;
	char cmd[8192];
	json_t *root, *results;

	assert_int_equal(clm_json_dump(request, &text), 0);
	assert_int_equal(clm_write_file_atomic("request.json", text.buf, text.len), 0);
	snprintf(cmd, sizeof(cmd), "node '%s/tests/llama/greedy.mjs' '%s' '%s' request.json > answer.json",
		 getenv("CLM_TOP"), fx->modules, gguf);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(clm_read_file("answer.json", 0, &out), 0);
	root = clm_json_parse(out.buf, out.len, "llama.cpp answer");
	assert_non_null(root);
	results = json_incref(json_object_get(root, "results"));
	assert_int_equal(json_array_size(results), N_PROMPTS);
	json_decref(root);
	clm_strbuf_release(&text);
	clm_strbuf_release(&out);
	return results;
}

static int ids_equal(const json_t *arr, const int32_t *ids, size_t n)
{
	if (json_array_size(arr) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (json_integer_value(json_array_get(arr, i)) != ids[i])
			return 0;
	return 1;
}

static void print_ids(const char *what, const json_t *arr, const int32_t *ids, size_t n)
{
	print_message("#   %s ours:", what);
	for (size_t i = 0; i < n; i++)
		print_message(" %d", ids[i]);
	print_message("\n#   %s llama.cpp:", what);
	for (size_t i = 0; i < json_array_size(arr); i++)
		print_message(" %lld", (long long)json_integer_value(json_array_get(arr, i)));
	print_message("\n");
}

/* Export with `dtype`, run both sides; return how many prompts agree on every generated token
 * (tokenizations must always agree). */
static size_t compare(struct fixture *fx, enum clm_dtype dtype, const char *gguf)
{
	struct clm_tensor_list w;
	struct clm_gguf_vocab vocab;
	struct clm_gguf_gpt2_hparams hp = { (uint32_t)fx->model.cfg.vocab_size, (uint32_t)fx->model.cfg.n_positions,
					    (uint32_t)fx->model.cfg.n_embd, 4 * (uint32_t)fx->model.cfg.n_embd,
					    (uint32_t)fx->model.cfg.n_layer, (uint32_t)fx->model.cfg.n_head,
					    fx->model.cfg.layer_norm_epsilon };
	struct clm_gen_config gc;
	struct clm_tok_ids ids[N_PROMPTS];
	struct clm_gen_request req[N_PROMPTS];
	json_t *request = json_object(), *list = json_array(), *results;
	size_t agree = 0;

	model_tensors(&fx->model, &w);
	assert_int_equal(clm_gguf_vocab_from_tokenizer(&fx->tok, &vocab), 0);
	assert_int_equal(clm_gguf_write_gpt2(gguf, &hp, &vocab, &w, dtype, "clmodel test"), 0);
	clm_gguf_vocab_release(&vocab);
	clm_tensor_list_release(&w);

	clm_gen_defaults(&gc);
	gc.max_new_tokens = N_NEW;
	memset(req, 0, sizeof(req));
	for (size_t i = 0; i < N_PROMPTS; i++) {
		json_t *ja = json_array();
		memset(&ids[i], 0, sizeof(ids[i]));
		assert_int_equal(clm_tok_encode(&fx->tok, prompts[i], strlen(prompts[i]), 0, &ids[i]), 0);
		for (size_t j = 0; j < ids[i].n; j++)
			json_array_append_new(ja, json_integer(ids[i].v[j]));
		json_array_append_new(list, json_pack("{ss so}", "text", prompts[i], "ids", ja));
		req[i].prompt = ids[i].v;
		req[i].n_prompt = (int)ids[i].n;
		req[i].adapter = -1;
	}
	json_object_set_new(request, "n", json_integer(N_NEW));
	json_object_set_new(request, "prompts", list);
	assert_int_equal(clm_generate(&fx->model, &gc, req, (int)N_PROMPTS), 0);
	results = llama_greedy(fx, gguf, request);
	for (size_t i = 0; i < N_PROMPTS; i++) {
		const json_t *r = json_array_get(results, i);
		if (!ids_equal(json_object_get(r, "tokenized"), ids[i].v, ids[i].n)) {
			print_ids("tokens of the prompt", json_object_get(r, "tokenized"), ids[i].v, ids[i].n);
			fail_msg("llama.cpp tokenizes prompt %zu differently", i);
		}
		if (ids_equal(json_object_get(r, "generated"), req[i].out, (size_t)req[i].n_out))
			agree++;
		else
			print_ids("generated", json_object_get(r, "generated"), req[i].out, (size_t)req[i].n_out);
		free(req[i].out);
		clm_tok_ids_release(&ids[i]);
	}
	json_decref(results);
	json_decref(request);
	return agree;
}

/* Skip the calling test, with a message, when llama.cpp could not be installed. */
static void need_llama(const struct fixture *fx)
{
	if (!fx->modules[0]) {
		print_message("# node or node-llama-cpp unavailable: llama.cpp check skipped\n");
		skip();
	}
}

static void f32_greedy_tokens_identical(void **state)
{
	struct fixture *fx = *state;
	need_llama(fx);
	assert_int_equal(compare(fx, CLM_DTYPE_F32, "model-f32.gguf"), N_PROMPTS);
}

static void f16_loads_and_mostly_agrees(void **state)
{
	struct fixture *fx = *state;
	size_t agree;
	need_llama(fx);
	agree = compare(fx, CLM_DTYPE_F16, "model-f16.gguf");
	print_message("# f16: %zu of %zu prompts give identical greedy tokens\n", agree, N_PROMPTS);
	assert_true(2 * agree >= N_PROMPTS);
}

static int collect_text(const char *text, size_t len, void *arg)
{
	return clm_strbuf_add(arg, text, len);
}

static void remote_client_streams_what_the_engine_generates(void **state)
{
	struct fixture *fx = *state;
	struct clm_tensor_list w;
	struct clm_gguf_vocab vocab;
	struct clm_gguf_gpt2_hparams hp = { (uint32_t)fx->model.cfg.vocab_size, (uint32_t)fx->model.cfg.n_positions,
					    (uint32_t)fx->model.cfg.n_embd, 4 * (uint32_t)fx->model.cfg.n_embd,
					    (uint32_t)fx->model.cfg.n_layer, (uint32_t)fx->model.cfg.n_head,
					    fx->model.cfg.layer_norm_epsilon };
	struct clm_test_server srv;
	char script[4096];
	char *argv[] = { "node", script, fx->modules, "served.gguf", NULL };
	need_llama(fx);
	model_tensors(&fx->model, &w);
	assert_int_equal(clm_gguf_vocab_from_tokenizer(&fx->tok, &vocab), 0);
	assert_int_equal(clm_gguf_write_gpt2("served.gguf", &hp, &vocab, &w, CLM_DTYPE_F32, "served"), 0);
	clm_gguf_vocab_release(&vocab);
	clm_tensor_list_release(&w);
	snprintf(script, sizeof(script), "%s/tests/llama/serve.mjs", getenv("CLM_TOP"));
	assert_int_equal(clm_test_server_start(&srv, argv), 0);
	for (size_t i = 0; i < 3; i++) {
		struct clm_remote_config cfg = { srv.url, NULL, { 0 } };
		struct clm_completion_request req = { "served", prompts[i], N_NEW, 0.0, NULL, (int)(i != 2) };
		struct clm_remote_result r;
		struct clm_strbuf streamed = CLM_STRBUF_INIT, ours = CLM_STRBUF_INIT;
		struct clm_tok_ids ids = { 0 };
		struct clm_gen_config gc;
		struct clm_gen_request g = { 0 };

		clm_http_options_default(&cfg.http);
		cfg.http.timeout_ms = 60000;
		clm_remote_result_init(&r);
		assert_int_equal(clm_remote_complete(&cfg, &req, collect_text, &streamed, &r), 0);
		assert_int_equal(clm_tok_encode(&fx->tok, prompts[i], strlen(prompts[i]), 0, &ids), 0);
		clm_gen_defaults(&gc);
		gc.max_new_tokens = N_NEW;
		g.prompt = ids.v;
		g.n_prompt = (int)ids.n;
		g.adapter = -1;
		assert_int_equal(clm_generate(&fx->model, &gc, &g, 1), 0);
		assert_int_equal(clm_tok_decode(&fx->tok, g.out, (size_t)g.n_out, &ours), 0);
		assert_string_equal(r.text.buf, ours.buf);
		assert_string_equal(streamed.buf, ours.buf);
		assert_string_equal(r.finish_reason, "length");
		free(g.out);
		clm_tok_ids_release(&ids);
		clm_strbuf_release(&streamed);
		clm_strbuf_release(&ours);
		clm_remote_result_release(&r);
	}
	clm_test_server_stop(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(f32_greedy_tokens_identical),
		cmocka_unit_test(f16_loads_and_mostly_agrees),
		cmocka_unit_test(remote_client_streams_what_the_engine_generates),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
