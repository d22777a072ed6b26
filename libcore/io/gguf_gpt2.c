#include "io/gguf_gpt2.h"
#include "io/gguf.h"
#include "util/error.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HPARAM (1u << 24)
#define FILE_TYPE_ALL_F32 0
#define FILE_TYPE_MOSTLY_F16 1

/* Sizes a dimension can be, named by what it is. */
enum dim { D_NONE, D_V, D_CTX, D_C, D_3C, D_FF };

/* One tensor: HF name (within a block for the block table), GGUF name, HF shape [rows, cols]
 * (cols D_NONE: one-dimensional), and whether HF stores it as Conv1D [in, out], which GGUF
 * (like nn.Linear) stores transposed. */
struct tensor_map {
	const char *hf;
	const char *gguf;
	enum dim rows, cols;
	int conv1d;
};

static const struct tensor_map embed_map[] = {
	{ "wte.weight", "token_embd.weight", D_V, D_C, 0 },
	{ "wpe.weight", "position_embd.weight", D_CTX, D_C, 0 },
};

static const struct tensor_map block_map[] = {
	{ "ln_1.weight", "attn_norm.weight", D_C, D_NONE, 0 },
	{ "ln_1.bias", "attn_norm.bias", D_C, D_NONE, 0 },
	{ "attn.c_attn.weight", "attn_qkv.weight", D_C, D_3C, 1 },
	{ "attn.c_attn.bias", "attn_qkv.bias", D_3C, D_NONE, 0 },
	{ "attn.c_proj.weight", "attn_output.weight", D_C, D_C, 1 },
	{ "attn.c_proj.bias", "attn_output.bias", D_C, D_NONE, 0 },
	{ "ln_2.weight", "ffn_norm.weight", D_C, D_NONE, 0 },
	{ "ln_2.bias", "ffn_norm.bias", D_C, D_NONE, 0 },
	{ "mlp.c_fc.weight", "ffn_up.weight", D_C, D_FF, 1 },
	{ "mlp.c_fc.bias", "ffn_up.bias", D_FF, D_NONE, 0 },
	{ "mlp.c_proj.weight", "ffn_down.weight", D_FF, D_C, 1 },
	{ "mlp.c_proj.bias", "ffn_down.bias", D_C, D_NONE, 0 },
};

static const struct tensor_map final_map[] = {
	{ "ln_f.weight", "output_norm.weight", D_C, D_NONE, 0 },
	{ "ln_f.bias", "output_norm.bias", D_C, D_NONE, 0 },
};

/* The output head, when a model has its own rather than the tied embedding. */
static const struct tensor_map output_map = { "lm_head.weight", "output.weight", D_V, D_C, 0 };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Visits one tensor: its entry, HF name and GGUF name. */
typedef int (*tensor_fn)(const struct tensor_map *m, const char *hf_name, const char *gguf_name, void *arg);

/* Call `fn` for every backbone tensor in Hugging Face's order (embeddings, blocks, final norm),
 * stopping at the first failure. */
static int for_each_tensor(uint32_t n_layer, tensor_fn fn, void *arg)
{
	char hf[160], gguf[160];
	int rc = 0;

	for (size_t i = 0; i < COUNT(embed_map) && !rc; i++)
		rc = fn(&embed_map[i], embed_map[i].hf, embed_map[i].gguf, arg);
	for (uint32_t l = 0; l < n_layer && !rc; l++)
		for (size_t i = 0; i < COUNT(block_map) && !rc; i++) {
			snprintf(hf, sizeof(hf), "h.%u.%s", l, block_map[i].hf);
			snprintf(gguf, sizeof(gguf), "blk.%u.%s", l, block_map[i].gguf);
			rc = fn(&block_map[i], hf, gguf, arg);
		}
	for (size_t i = 0; i < COUNT(final_map) && !rc; i++)
		rc = fn(&final_map[i], final_map[i].hf, final_map[i].gguf, arg);
	return rc;
}

static int64_t dim_size(enum dim d, const struct clm_gguf_gpt2_hparams *hp)
{
	switch (d) {
	case D_V: return hp->n_vocab;
	case D_CTX: return hp->n_ctx;
	case D_C: return hp->n_embd;
	case D_3C: return 3 * (int64_t)hp->n_embd;
	case D_FF: return hp->n_ff;
	default: return 1;
	}
}

static void transpose(const uint8_t *src, uint8_t *dst, size_t rows, size_t cols, size_t es)
{
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++)
			memcpy(dst + (c * rows + r) * es, src + (r * cols + c) * es, es);
}

void clm_gguf_vocab_release(struct clm_gguf_vocab *v)
{
	for (size_t i = 0; v->tokens && i < v->n_tokens; i++)
		free(v->tokens[i]);
	for (size_t i = 0; v->merges && i < v->n_merges; i++)
		free(v->merges[i]);
	free(v->tokens);
	free(v->token_types);
	free(v->merges);
	memset(v, 0, sizeof(*v));
	v->bos_id = v->eos_id = -1;
}

static int check_hparams(const struct clm_gguf_gpt2_hparams *hp)
{
	const uint32_t v[] = { hp->n_vocab, hp->n_ctx, hp->n_embd, hp->n_ff, hp->n_layer, hp->n_head };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] == 0 || v[i] > MAX_HPARAM)
			return clm_error_set(CLM_EINVALID, "GPT-2 sizes out of range (vocab %u, context %u, width %u, "
					     "ffn %u, layers %u, heads %u)", hp->n_vocab, hp->n_ctx, hp->n_embd,
					     hp->n_ff, hp->n_layer, hp->n_head);
	if (hp->n_embd % hp->n_head)
		return clm_error_set(CLM_EINVALID, "%u heads do not divide the width %u", hp->n_head, hp->n_embd);
	if (!(hp->layer_norm_epsilon > 0 && hp->layer_norm_epsilon < 1))
		return clm_error_set(CLM_EINVALID, "layer norm epsilon %g out of range", hp->layer_norm_epsilon);
	return 0;
}

/* ---- writing ---- */

static long find_hf(const struct clm_tensor_list *hf, const char *name)
{
	char prefixed[160];

	snprintf(prefixed, sizeof(prefixed), "transformer.%s", name);
	for (size_t i = 0; i < hf->n; i++)
		if (!strcmp(hf->items[i].name, name) || !strcmp(hf->items[i].name, prefixed))
			return (long)i;
	return -1;
}

/* Convert one HF tensor to GGUF layout and type and add it. */
static int add_one(struct clm_gguf_writer *w, const struct tensor_map *m, const char *gguf_name,
		   const struct clm_named_tensor *t, const struct clm_gguf_gpt2_hparams *hp, enum clm_dtype dtype)
{
	int64_t rows = dim_size(m->rows, hp), cols = dim_size(m->cols, hp);
	int ndim = m->cols == D_NONE ? 1 : 2;
	float *f = NULL, *moved = NULL;
	uint16_t *half = NULL;
	size_t n = (size_t)(rows * cols);
	uint64_t ne[2];
	int rc;

	if (t->ndim != ndim || t->shape[0] != rows || (ndim == 2 && t->shape[1] != cols))
		return clm_error_set(CLM_EINVALID, "tensor '%s' has shape [%lld%s%lld], expected [%lld%s%lld]", t->name,
				     (long long)t->shape[0], t->ndim > 1 ? ", " : "", t->ndim > 1 ? (long long)t->shape[1] : 0LL,
				     (long long)rows, ndim > 1 ? ", " : "", ndim > 1 ? (long long)cols : 0LL);
	if ((rc = clm_tensor_to_f32(t, &f)) < 0)
		return clm_error_wrap(rc, "tensor '%s'", t->name);
	if (m->conv1d) {
		moved = malloc(n * sizeof(float));
		if (!moved) {
			free(f);
			return clm_error_oom();
		}
		transpose((const uint8_t *)f, (uint8_t *)moved, (size_t)rows, (size_t)cols, sizeof(float));
		free(f);
		f = moved;
		ne[0] = (uint64_t)rows, ne[1] = (uint64_t)cols; /* [out=cols][in=rows], in fastest */
	} else {
		ne[0] = (uint64_t)(ndim == 2 ? cols : rows), ne[1] = (uint64_t)rows;
	}
	if (dtype == CLM_DTYPE_F16 && ndim == 2) {
		half = malloc(n * sizeof(uint16_t));
		if (!half) {
			free(f);
			return clm_error_oom();
		}
		for (size_t i = 0; i < n; i++)
			half[i] = clm_float_to_half(f[i]);
		rc = clm_gguf_add_tensor(w, gguf_name, CLM_GGML_F16, 2, ne, half, n * sizeof(uint16_t));
	} else {
		rc = clm_gguf_add_tensor(w, gguf_name, CLM_GGML_F32, (uint32_t)ndim, ne, f, n * sizeof(float));
	}
	free(half);
	free(f);
	return rc;
}

static int write_metadata(struct clm_gguf_writer *w, const struct clm_gguf_gpt2_hparams *hp,
			  const struct clm_gguf_vocab *v, enum clm_dtype dtype, const char *name)
{
	int rc = clm_gguf_add_string(w, "general.architecture", "gpt2");

	if (!rc && name)
		rc = clm_gguf_add_string(w, "general.name", name);
	if (!rc)
		rc = clm_gguf_add_u32(w, "general.file_type", dtype == CLM_DTYPE_F16 ? FILE_TYPE_MOSTLY_F16 : FILE_TYPE_ALL_F32);
	if (!rc)
		rc = clm_gguf_add_u32(w, "gpt2.context_length", hp->n_ctx);
	if (!rc)
		rc = clm_gguf_add_u32(w, "gpt2.embedding_length", hp->n_embd);
	if (!rc)
		rc = clm_gguf_add_u32(w, "gpt2.feed_forward_length", hp->n_ff);
	if (!rc)
		rc = clm_gguf_add_u32(w, "gpt2.block_count", hp->n_layer);
	if (!rc)
		rc = clm_gguf_add_u32(w, "gpt2.attention.head_count", hp->n_head);
	if (!rc)
		rc = clm_gguf_add_f32(w, "gpt2.attention.layer_norm_epsilon", hp->layer_norm_epsilon);
	return rc ? rc : clm_gguf_add_vocab(w, v, "gpt-2"); /* GPT-2's pre-tokenizer regular expression */
}

int clm_gguf_add_vocab(struct clm_gguf_writer *w, const struct clm_gguf_vocab *v, const char *pre)
{
	int rc = clm_gguf_add_string(w, "tokenizer.ggml.model", "gpt2");

	if (!rc)
		rc = clm_gguf_add_string(w, "tokenizer.ggml.pre", pre);
	if (!rc)
		rc = clm_gguf_add_strings(w, "tokenizer.ggml.tokens", (const char *const *)v->tokens, v->n_tokens);
	if (!rc)
		rc = clm_gguf_add_i32s(w, "tokenizer.ggml.token_type", v->token_types, v->n_tokens);
	if (!rc)
		rc = clm_gguf_add_strings(w, "tokenizer.ggml.merges", (const char *const *)v->merges, v->n_merges);
	if (!rc && v->bos_id >= 0)
		rc = clm_gguf_add_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)v->bos_id);
	if (!rc && v->eos_id >= 0)
		rc = clm_gguf_add_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)v->eos_id);
	/* Prompts are sent as they are, as our engine does: no BOS in front. */
	if (!rc)
		rc = clm_gguf_add_bool(w, "tokenizer.ggml.add_bos_token", 0);
	if (!rc)
		rc = clm_gguf_add_bool(w, "tokenizer.ggml.add_eos_token", 0);
	return rc;
}

/* HF entries that are not weights (attention mask buffers) and may be ignored. */
static int is_buffer(const char *name)
{
	size_t n = strlen(name);
	return (n >= 10 && !strcmp(name + n - 10, ".attn.bias")) || (n >= 17 && !strcmp(name + n - 17, ".attn.masked_bias"));
}

/* State of a write while visiting the tensors. */
struct write_state {
	struct clm_gguf_writer w;
	const struct clm_tensor_list *hf;
	const struct clm_gguf_gpt2_hparams *hp;
	enum clm_dtype dtype;
	char *used; /* per HF tensor: written */
};

static int write_tensor(const struct tensor_map *m, const char *hf_name, const char *gguf_name, void *arg)
{
	struct write_state *ws = arg;
	long idx = find_hf(ws->hf, hf_name);

	if (idx < 0)
		return clm_error_set(CLM_EINVALID, "GPT-2 tensor '%s' is missing", hf_name);
	ws->used[idx] = 1;
	return add_one(&ws->w, m, gguf_name, &ws->hf->items[idx], ws->hp, ws->dtype);
}

int clm_gguf_write_gpt2(const char *path, const struct clm_gguf_gpt2_hparams *hp, const struct clm_gguf_vocab *vocab,
			const struct clm_tensor_list *hf, enum clm_dtype dtype, const char *name)
{
	struct write_state ws = { .hf = hf, .hp = hp, .dtype = dtype, .used = calloc(hf->n ? hf->n : 1, 1) };
	long idx;
	int rc;

	if (!ws.used)
		return clm_error_oom();
	rc = check_hparams(hp);
	if (!rc && (dtype != CLM_DTYPE_F32 && dtype != CLM_DTYPE_F16))
		rc = clm_error_set(CLM_EINVALID, "GGUF export writes f32 or f16, not %s", clm_dtype_name(dtype));
	if (!rc && vocab->n_tokens != hp->n_vocab)
		rc = clm_error_set(CLM_EINVALID, "the vocabulary has %zu tokens but the model %u rows", vocab->n_tokens,
				   hp->n_vocab);
	if (rc < 0) {
		free(ws.used);
		return rc;
	}
	rc = clm_gguf_writer_init(&ws.w, CLM_GGUF_DEFAULT_ALIGNMENT);
	if (!rc)
		rc = write_metadata(&ws.w, hp, vocab, dtype, name);
	if (!rc)
		rc = for_each_tensor(hp->n_layer, write_tensor, &ws);
	/* The output head: lm_head.weight when the model has its own, else the tied embedding. */
	if (!rc) {
		idx = find_hf(hf, output_map.hf);
		if (idx < 0)
			idx = find_hf(hf, embed_map[0].hf);
		ws.used[idx] = 1;
		rc = add_one(&ws.w, &output_map, output_map.gguf, &hf->items[idx], hp, dtype);
	}
	for (size_t i = 0; i < hf->n && !rc; i++)
		if (!ws.used[i] && !is_buffer(hf->items[i].name))
			rc = clm_error_set(CLM_EINVALID, "tensor '%s' has no place in a GGUF gpt2 model (soft prompts and "
					   "adapters cannot be exported to GGUF)", hf->items[i].name);
	if (!rc)
		rc = clm_gguf_write(&ws.w, path);
	clm_gguf_writer_release(&ws.w);
	free(ws.used);
	return rc;
}

/* ---- reading ---- */

static int get_u32(const struct clm_gguf_file *f, const char *key, uint32_t *out)
{
	uint64_t v;
	int rc = clm_gguf_get_uint(f, key, &v);

	if (rc < 0)
		return rc;
	if (v > MAX_HPARAM)
		return clm_error_set(CLM_EINVALID, "GGUF: '%s' = %llu is too large", key, (unsigned long long)v);
	*out = (uint32_t)v;
	return 0;
}

static char *copy_str(const struct clm_gguf_str *s, const char *what, size_t i, int *rc)
{
	char *c;

	if (memchr(s->s, '\0', s->len)) {
		*rc = clm_error_set(CLM_EINVALID, "GGUF: %s %zu contains a NUL byte", what, i);
		return NULL;
	}
	c = malloc(s->len + 1);
	if (!c) {
		*rc = clm_error_oom();
		return NULL;
	}
	memcpy(c, s->s, s->len);
	c[s->len] = '\0';
	return c;
}

static int read_optional_id(const struct clm_gguf_file *f, const char *key, size_t n_tokens, int32_t *out)
{
	uint64_t v;
	int rc = clm_gguf_get_uint(f, key, &v);

	*out = -1;
	if (rc == CLM_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (v >= n_tokens)
		return clm_error_set(CLM_EINVALID, "GGUF: %s %llu is not a token id", key, (unsigned long long)v);
	*out = (int32_t)v;
	return 0;
}

static int read_vocab(const struct clm_gguf_file *f, struct clm_gguf_vocab *v)
{
	struct clm_gguf_str model, *toks = NULL, *merges = NULL;
	int64_t *types = NULL;
	size_t n_types = 0, n_toks = 0, n_merges = 0;
	int rc = clm_gguf_get_string(f, "tokenizer.ggml.model", &model);

	if (!rc && !(model.len == 4 && !memcmp(model.s, "gpt2", 4)))
		rc = clm_error_set(CLM_EINVALID, "GGUF: tokenizer '%.*s' is not byte-level BPE ('gpt2')",
				   (int)(model.len > 64 ? 64 : model.len), model.s);
	if (!rc)
		rc = clm_gguf_get_strings(f, "tokenizer.ggml.tokens", &toks, &n_toks);
	if (!rc)
		rc = clm_gguf_get_strings(f, "tokenizer.ggml.merges", &merges, &n_merges);
	if (!rc && clm_gguf_find(f, "tokenizer.ggml.token_type")) {
		rc = clm_gguf_get_ints(f, "tokenizer.ggml.token_type", &types, &n_types);
		if (!rc && n_types != n_toks)
			rc = clm_error_set(CLM_EINVALID, "GGUF: %zu token types for %zu tokens", n_types, n_toks);
	}
	if (!rc) {
		v->tokens = calloc(n_toks ? n_toks : 1, sizeof(char *));
		v->token_types = calloc(n_toks ? n_toks : 1, sizeof(int32_t));
		v->merges = calloc(n_merges ? n_merges : 1, sizeof(char *));
		if (!v->tokens || !v->token_types || !v->merges)
			rc = clm_error_oom();
	}
	for (size_t i = 0; i < n_toks && !rc; i++, v->n_tokens++) {
		v->tokens[i] = copy_str(&toks[i], "token", i, &rc);
		v->token_types[i] = types ? (int32_t)types[i] : CLM_GGUF_TOKEN_NORMAL;
	}
	for (size_t i = 0; i < n_merges && !rc; i++, v->n_merges++)
		v->merges[i] = copy_str(&merges[i], "merge", i, &rc);
	if (!rc)
		rc = read_optional_id(f, "tokenizer.ggml.bos_token_id", v->n_tokens, &v->bos_id);
	if (!rc)
		rc = read_optional_id(f, "tokenizer.ggml.eos_token_id", v->n_tokens, &v->eos_id);
	free(toks);
	free(merges);
	free(types);
	return rc;
}

static int read_hparams(const struct clm_gguf_file *f, struct clm_gguf_gpt2_hparams *hp, size_t n_vocab)
{
	struct clm_gguf_str arch;
	double eps = 0;
	int rc = clm_gguf_get_string(f, "general.architecture", &arch);

	if (!rc && !(arch.len == 4 && !memcmp(arch.s, "gpt2", 4)))
		return clm_error_set(CLM_EINVALID, "GGUF: architecture '%.*s' is not gpt2",
				     (int)(arch.len > 64 ? 64 : arch.len), arch.s);
	if (!rc)
		rc = get_u32(f, "gpt2.context_length", &hp->n_ctx);
	if (!rc)
		rc = get_u32(f, "gpt2.embedding_length", &hp->n_embd);
	if (!rc)
		rc = get_u32(f, "gpt2.feed_forward_length", &hp->n_ff);
	if (!rc)
		rc = get_u32(f, "gpt2.block_count", &hp->n_layer);
	if (!rc)
		rc = get_u32(f, "gpt2.attention.head_count", &hp->n_head);
	if (!rc)
		rc = clm_gguf_get_float(f, "gpt2.attention.layer_norm_epsilon", &eps);
	if (rc < 0)
		return rc;
	hp->layer_norm_epsilon = (float)eps;
	hp->n_vocab = n_vocab > MAX_HPARAM ? 0 : (uint32_t)n_vocab;
	return check_hparams(hp);
}

/* A GGUF tensor's values as a dtype we keep: F32/F16/BF16 as stored, quantized blocks decoded to
 * f32 (into `*decoded`, which the caller frees). */
static int tensor_values(const struct clm_gguf_tensor *t, struct clm_named_tensor *view, float **decoded)
{
	size_t n = (size_t)(t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3]);
	int rc;

	*decoded = NULL;
	view->data = (void *)t->data;
	view->nbytes = t->nbytes;
	switch (t->type) {
	case CLM_GGML_F32: view->dtype = CLM_DTYPE_F32; return 0;
	case CLM_GGML_F16: view->dtype = CLM_DTYPE_F16; return 0;
	case CLM_GGML_BF16: view->dtype = CLM_DTYPE_BF16; return 0;
	default:
		if ((rc = clm_gguf_tensor_to_f32(t, decoded)) < 0)
			return rc;
		view->dtype = CLM_DTYPE_F32;
		view->data = *decoded;
		view->nbytes = n * sizeof(float);
		return 0;
	}
}

/* Take GGUF tensor `gguf_name` back to HF layout as `hf_name`; NaN and infinities are refused. */
static int import_one(const struct clm_gguf_file *f, const struct tensor_map *m, const char *hf_name,
		      const char *gguf_name, const struct clm_gguf_gpt2_hparams *hp, struct clm_tensor_list *out)
{
	const struct clm_gguf_tensor *t = clm_gguf_find_tensor(f, gguf_name);
	int64_t rows = dim_size(m->rows, hp), cols = dim_size(m->cols, hp), shape[2] = { rows, cols };
	uint32_t ndim = m->cols == D_NONE ? 1 : 2;
	uint64_t want0 = ndim == 1 || m->conv1d ? (uint64_t)rows : (uint64_t)cols;
	uint64_t want1 = ndim == 1 ? 1 : m->conv1d ? (uint64_t)cols : (uint64_t)rows;
	struct clm_named_tensor v = { (char *)hf_name, CLM_DTYPE_F32, 0, { 0 }, NULL, 0 };
	float *decoded = NULL;
	uint8_t *moved = NULL;
	int rc;

	if (!t)
		return clm_error_set(CLM_EINVALID, "GGUF: tensor '%s' is missing", gguf_name);
	if (t->ne[0] != want0 || t->ne[1] != want1 || t->ne[2] != 1 || t->ne[3] != 1)
		return clm_error_set(CLM_EINVALID, "GGUF: tensor '%s' has dims [%llu, %llu, %llu, %llu], expected "
				     "[%llu, %llu]", gguf_name, (unsigned long long)t->ne[0], (unsigned long long)t->ne[1],
				     (unsigned long long)t->ne[2], (unsigned long long)t->ne[3],
				     (unsigned long long)want0, (unsigned long long)want1);
	if ((rc = tensor_values(t, &v, &decoded)) < 0)
		return rc;
	if ((rc = clm_tensor_check_finite(&v)) < 0) {
		rc = clm_error_wrap(rc, "GGUF");
	} else if (!m->conv1d) {
		rc = clm_tensor_list_add(out, hf_name, v.dtype, (int)ndim, shape, v.data, v.nbytes);
	} else if (!(moved = malloc(v.nbytes))) {
		rc = clm_error_oom();
	} else {
		transpose(v.data, moved, (size_t)cols, (size_t)rows, clm_dtype_size(v.dtype)); /* [out][in] -> [in][out] */
		rc = clm_tensor_list_add(out, hf_name, v.dtype, 2, shape, moved, v.nbytes);
	}
	free(moved);
	free(decoded);
	return rc;
}

/* State of an import while visiting the tensors. */
struct import_state {
	const struct clm_gguf_file *f;
	const struct clm_gguf_gpt2_hparams *hp;
	struct clm_tensor_list *out;
};

static int import_tensor(const struct tensor_map *m, const char *hf_name, const char *gguf_name, void *arg)
{
	struct import_state *is = arg;
	return import_one(is->f, m, hf_name, gguf_name, is->hp, is->out);
}

static int import_tensors(const struct clm_gguf_file *f, const struct clm_gguf_gpt2_hparams *hp,
			  struct clm_tensor_list *out)
{
	struct import_state is = { f, hp, out };
	const struct clm_gguf_tensor *emb, *head;
	int rc = for_each_tensor(hp->n_layer, import_tensor, &is);

	emb = clm_gguf_find_tensor(f, embed_map[0].gguf);
	head = clm_gguf_find_tensor(f, output_map.gguf);
	/* an output head identical to the embedding is the tied one, written out for llama.cpp */
	if (!rc && head &&
	    !(head->type == emb->type && head->nbytes == emb->nbytes && !memcmp(head->data, emb->data, emb->nbytes)))
		rc = import_one(f, &output_map, output_map.hf, output_map.gguf, hp, out);
	return rc;
}

/* The gpt2 model in a parsed file; outputs initialised by the caller, released on failure. */
static int read_parsed(const struct clm_gguf_file *f, struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab,
		       struct clm_tensor_list *hf)
{
	int rc = read_vocab(f, vocab);

	if (!rc)
		rc = read_hparams(f, hp, vocab->n_tokens);
	if (!rc)
		rc = import_tensors(f, hp, hf);
	if (rc == CLM_ENOTFOUND) /* a required key is missing: the file is malformed */
		rc = CLM_EINVALID;
	if (rc < 0) {
		clm_gguf_vocab_release(vocab);
		clm_tensor_list_release(hf);
	}
	return rc;
}

static void init_outputs(struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab, struct clm_tensor_list *hf)
{
	memset(hp, 0, sizeof(*hp));
	memset(vocab, 0, sizeof(*vocab));
	vocab->bos_id = vocab->eos_id = -1;
	memset(hf, 0, sizeof(*hf));
}

int clm_gguf_parse_gpt2(const void *data, size_t size, struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab,
			struct clm_tensor_list *hf)
{
	struct clm_gguf_file f;
	int rc;

	init_outputs(hp, vocab, hf);
	if ((rc = clm_gguf_parse(data, size, &f)) < 0)
		return rc;
	rc = read_parsed(&f, hp, vocab, hf);
	clm_gguf_close(&f);
	return rc;
}

int clm_gguf_read_gpt2(const char *path, struct clm_gguf_gpt2_hparams *hp, struct clm_gguf_vocab *vocab,
		       struct clm_tensor_list *hf)
{
	struct clm_gguf_file f;
	int rc;

	init_outputs(hp, vocab, hf);
	if ((rc = clm_gguf_open(path, &f)) < 0)
		return rc;
	rc = read_parsed(&f, hp, vocab, hf);
	clm_gguf_close(&f);
	return rc < 0 ? clm_error_wrap(rc, "%s", path) : 0;
}
