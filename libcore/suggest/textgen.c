#include "suggest/textgen.h"
#include "io/gguf_model.h"
#include "io/hf_dir.h"
#include "nn/config.h"
#include "nn/generate.h"
#include "store/store.h"
#include "update/model_state.h"
#include "util/error.h"
#include "util/json.h"
#include "util/progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Add the eos ids of `obj`'s "eos_token_id" (an integer or a list) inside the vocabulary. */
static void add_eos(struct clm_textgen_model *m, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "eos_token_id"), *e;
	size_t i;

	if (json_is_integer(v)) {
		if (json_integer_value(v) >= 0 && json_integer_value(v) < m->base.model.cfg.vocab_size)
			m->eos[m->n_eos++] = (int32_t)json_integer_value(v);
		return;
	}
	json_array_foreach(v, i, e)
		if (json_is_integer(e) && json_integer_value(e) >= 0 &&
		    json_integer_value(e) < m->base.model.cfg.vocab_size && m->n_eos < 8)
			m->eos[m->n_eos++] = (int32_t)json_integer_value(e);
}

/* End tokens: generation_config.json's, else config.json's, else the tokenizer's <|endoftext|>. */
static void find_eos(struct clm_textgen_model *m, const char *config, size_t config_len, const struct clm_file *gen)
{
	json_t *j;

	if (gen && (j = clm_json_parse(gen->data, gen->len, "generation_config.json"))) {
		add_eos(m, j);
		json_decref(j);
	}
	if (!m->n_eos && config && (j = clm_json_parse(config, config_len, "config.json"))) {
		add_eos(m, j);
		json_decref(j);
	}
	if (!m->n_eos && clm_tok_special_id(&m->base.tok, "<|endoftext|>") >= 0)
		m->eos[m->n_eos++] = clm_tok_special_id(&m->base.tok, "<|endoftext|>");
	clm_error_clear();
}

static int open_hf_dir(const char *dir, struct clm_textgen_model *m)
{
	struct clm_hf_dir d;
	int rc = clm_base_model_load(dir, &m->base);

	if (!rc)
		rc = clm_hf_dir_read(dir, CLM_HF_CONFIG | CLM_HF_SIDE, &d);
	else
		memset(&d, 0, sizeof(d));
	if (!rc) {
		find_eos(m, d.config.buf, d.config.len, clm_file_list_find(&d.side, "generation_config.json"));
		rc = clm_strbuf_addf(&m->source, "Hugging Face directory %s (%s)", dir,
				     clm_arch_name(m->base.model.cfg.arch));
	}
	clm_hf_dir_release(&d);
	return rc;
}

static int open_gguf(const char *path, struct clm_textgen_model *m)
{
	struct clm_strbuf config = CLM_STRBUF_INIT, tok = CLM_STRBUF_INIT;
	struct clm_tensor_list w = { 0 };
	int rc = clm_gguf_import_model(path, &config, &tok, &w);

	if (!rc)
		rc = clm_base_model_from_parts(path, config.buf, config.len, tok.buf, tok.len, &w, &m->base);
	if (!rc) {
		find_eos(m, config.buf, config.len, NULL);
		rc = clm_strbuf_addf(&m->source, "GGUF file %s", path);
	}
	clm_tensor_list_release(&w);
	clm_strbuf_release(&config);
	clm_strbuf_release(&tok);
	return rc;
}

static int open_version(const char *spec, const char *repo, struct clm_textgen_model *m)
{
	struct clm_store s;
	struct clm_model_state st;
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];
	int rc = clm_store_open(&s, repo);

	if (rc)
		return rc;
	memset(&st, 0, sizeof(st));
	rc = clm_store_resolve(&s, NULL, spec, &id);
	if (!rc)
		rc = clm_model_state_load(&s, &id, &st);
	if (!rc) { /* keep the backbone and tokenizer, drop the CL state */
		m->base = st.base;
		memset(&st.base, 0, sizeof(st.base));
		find_eos(m, NULL, 0, NULL);
		git_oid_tostr(hex, sizeof(hex), &id);
		rc = clm_strbuf_addf(&m->source, "model version %.12s", hex);
	}
	clm_model_state_release(&st);
	clm_store_close(&s);
	return rc;
}

int clm_textgen_model_open(const char *spec, const char *repo, struct clm_textgen_model *out)
{
	struct stat st;
	size_t len = strlen(spec);
	double t0 = clm_now();
	int rc;

	memset(out, 0, sizeof(*out));
	clm_strbuf_init(&out->source);
	if (!stat(spec, &st) && S_ISDIR(st.st_mode))
		rc = open_hf_dir(spec, out);
	else if (!stat(spec, &st) && S_ISREG(st.st_mode) && len > 5 && !strcmp(spec + len - 5, ".gguf"))
		rc = open_gguf(spec, out);
	else
		rc = open_version(spec, repo, out);
	out->load_seconds = clm_now() - t0;
	return rc;
}

void clm_textgen_model_release(struct clm_textgen_model *m)
{
	clm_base_model_release(&m->base);
	clm_strbuf_release(&m->source);
	memset(m, 0, sizeof(*m));
}

struct run_state {
	struct clm_textgen_model *m;
	const struct clm_textgen_options *o;
	struct clm_textgen_result *r;
	double start, first;
	int rc;
};

/* The top_m most likely tokens of a logits row with their log-probabilities, most likely first. */
static void top_logprobs(const float *row, int V, int M, int32_t *ids, float *lp)
{
	float mx = row[0];
	double sum = 0;
	int n = 0;

	for (int j = 1; j < V; j++)
		mx = row[j] > mx ? row[j] : mx;
	for (int j = 0; j < V; j++)
		sum += exp((double)(row[j] - mx));
	for (int j = 0; j < V; j++) {
		if (n == M && row[j] <= row[ids[M - 1]])
			continue;
		int k = n < M ? n++ : M - 1;
		while (k > 0 && row[ids[k - 1]] < row[j]) {
			ids[k] = ids[k - 1];
			k--;
		}
		ids[k] = j;
	}
	for (int k = 0; k < n; k++)
		lp[k] = (float)((double)(row[ids[k]] - mx) - log(sum));
}

static int is_eos(const struct clm_textgen_model *m, int32_t tok)
{
	for (int i = 0; i < m->n_eos; i++)
		if (m->eos[i] == tok)
			return 1;
	return 0;
}

static void on_token(void *arg, int req, const float *logits, int vocab, int32_t tok)
{
	struct run_state *s = arg;
	struct clm_textgen_result *r = s->r;
	size_t before = r->text.len;
	(void)req;

	if (!r->n_tokens && !s->first)
		s->first = clm_now();
	if (s->rc || is_eos(s->m, tok))
		return;
	if (r->top_m)
		top_logprobs(logits, vocab, r->top_m, r->top_ids + (size_t)r->n_tokens * r->top_m,
			     r->top_logprobs + (size_t)r->n_tokens * r->top_m);
	r->tokens[r->n_tokens++] = tok;
	if ((s->rc = clm_tok_decode(&s->m->base.tok, &tok, 1, &r->text)) == 0 && s->o->on_text)
		s->o->on_text(s->o->arg, r->text.buf + before, r->text.len - before);
}

int clm_textgen_run(struct clm_textgen_model *m, const char *prompt, size_t len, const struct clm_textgen_options *o,
		    struct clm_textgen_result *out)
{
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	struct clm_gen_config gc;
	struct clm_gen_request rq = { 0 };
	struct run_state s = { m, o, out, 0, 0, 0 };
	int n = o->max_new_tokens, rc;

	memset(out, 0, sizeof(*out));
	clm_strbuf_init(&out->text);
	if (n < 1 || o->top_m < 0 || o->top_m > 1000)
		return clm_error_set(CLM_EINVALID, "generate: -n must be at least 1 and --top at most 1000");
	if (o->adapter < -1 || o->adapter >= m->base.model.n_lora)
		return clm_error_set(CLM_EINVALID, "generate: the model has %d LoRA sets, no set %d", m->base.model.n_lora,
				     o->adapter);
	if ((rc = clm_tok_encode(&m->base.tok, prompt, len, CLM_TOK_ALLOW_SPECIAL, &ids)) < 0)
		return rc;
	out->prompt_ids = ids.v;
	out->n_prompt = (int)ids.n;
	if (!ids.n)
		return clm_error_set(CLM_EINVALID, "generate: the prompt encodes to no tokens");
	out->top_m = o->top_m;
	out->tokens = malloc(sizeof(int32_t) * (size_t)n);
	out->top_ids = calloc((size_t)n * (o->top_m ? o->top_m : 1), sizeof(int32_t));
	out->top_logprobs = calloc((size_t)n * (o->top_m ? o->top_m : 1), sizeof(float));
	if (!out->tokens || !out->top_ids || !out->top_logprobs)
		return clm_error_oom();
	clm_gen_defaults(&gc);
	gc.max_new_tokens = n;
	gc.temperature = o->temperature;
	gc.top_k = o->top_k;
	gc.top_p = o->top_p;
	gc.seed = o->seed;
	gc.stop = m->eos;
	gc.n_stop = m->n_eos;
	gc.on_token = on_token;
	gc.on_token_arg = &s;
	rq.prompt = out->prompt_ids;
	rq.n_prompt = out->n_prompt;
	rq.adapter = o->adapter;
	s.start = clm_now();
	rc = clm_generate(&m->base.model, &gc, &rq, 1);
	free(rq.out);
	double end = clm_now();
	if (!s.first)
		s.first = end;
	out->prompt_seconds = s.first - s.start;
	out->gen_seconds = end - s.first;
	return rc ? rc : s.rc;
}

void clm_textgen_result_release(struct clm_textgen_result *r)
{
	free(r->prompt_ids);
	free(r->tokens);
	free(r->top_ids);
	free(r->top_logprobs);
	clm_strbuf_release(&r->text);
	memset(r, 0, sizeof(*r));
}
