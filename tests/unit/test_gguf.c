/* libcore/io/gguf and gguf_gpt2: GGUF v3 writing, defensive reading, GPT-2 round trips. */
#include "test_helpers.h"
#include <math.h>
#include "io/gguf.h"
#include "io/gguf_gpt2.h"
#include "nn/tensors.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/strbuf.h"

static const struct clm_gguf_gpt2_hparams tiny_hp = { 10, 16, 8, 32, 2, 2, 1e-5f };

/* Deterministic pseudo-random floats in [-1, 1). */
static float next_value(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void add_random(struct clm_tensor_list *l, const char *name, int ndim, int64_t d0, int64_t d1, uint32_t *seed)
{
	int64_t shape[2] = { d0, d1 };
	size_t n = (size_t)(d0 * (ndim > 1 ? d1 : 1));
	float *v = malloc(n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		v[i] = next_value(seed);
	assert_int_equal(clm_tensor_list_add(l, name, CLM_DTYPE_F32, ndim, shape, v, n * sizeof(float)), 0);
	free(v);
}

/* A two-block GPT-2 with the HF names and shapes. */
static void tiny_model(struct clm_tensor_list *l)
{
	const struct clm_gguf_gpt2_hparams *hp = &tiny_hp;
	uint32_t seed = 42;
	char name[64];
	memset(l, 0, sizeof(*l));
	add_random(l, "wte.weight", 2, hp->n_vocab, hp->n_embd, &seed);
	add_random(l, "wpe.weight", 2, hp->n_ctx, hp->n_embd, &seed);
	for (unsigned b = 0; b < hp->n_layer; b++) {
		const struct { const char *s; int nd; int64_t d0, d1; } t[] = {
			{ "ln_1.weight", 1, hp->n_embd, 0 }, { "ln_1.bias", 1, hp->n_embd, 0 },
			{ "attn.c_attn.weight", 2, hp->n_embd, 3 * hp->n_embd }, { "attn.c_attn.bias", 1, 3 * hp->n_embd, 0 },
			{ "attn.c_proj.weight", 2, hp->n_embd, hp->n_embd }, { "attn.c_proj.bias", 1, hp->n_embd, 0 },
			{ "ln_2.weight", 1, hp->n_embd, 0 }, { "ln_2.bias", 1, hp->n_embd, 0 },
			{ "mlp.c_fc.weight", 2, hp->n_embd, hp->n_ff }, { "mlp.c_fc.bias", 1, hp->n_ff, 0 },
			{ "mlp.c_proj.weight", 2, hp->n_ff, hp->n_embd }, { "mlp.c_proj.bias", 1, hp->n_embd, 0 },
		};
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			snprintf(name, sizeof(name), "h.%u.%s", b, t[i].s);
			add_random(l, name, t[i].nd, t[i].d0, t[i].d1, &seed);
		}
	}
	add_random(l, "ln_f.weight", 1, hp->n_embd, 0, &seed);
	add_random(l, "ln_f.bias", 1, hp->n_embd, 0, &seed);
}

static char *tok_strings[] = { "a", "b", "c", "\xc4\xa0", "ab", "\xc4\xa0" "a", "abc", "x", "y", "<|endoftext|>" };
static int32_t tok_types[] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 3 };
static char *merge_strings[] = { "a b", "\xc4\xa0 a", "ab c" };

static struct clm_gguf_vocab tiny_vocab(void)
{
	struct clm_gguf_vocab v = { 10, tok_strings, tok_types, 3, merge_strings, 9, 9 };
	return v;
}

static void gpt2_round_trip_f32(void **state)
{
	struct clm_tensor_list model, back;
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab vocab = tiny_vocab(), vback;
	(void)state;
	tiny_model(&model);
	assert_int_equal(clm_gguf_write_gpt2("tiny.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F32, "tiny"), 0);
	assert_int_equal(clm_gguf_read_gpt2("tiny.gguf", &hp, &vback, &back), 0);
	assert_memory_equal(&hp, &tiny_hp, sizeof(hp));
	assert_int_equal(back.n, model.n); /* the tied output head is not imported twice */
	for (size_t i = 0; i < model.n; i++) {
		const struct clm_named_tensor *a = &model.items[i], *b = clm_tensor_list_find(&back, a->name);
		assert_non_null(b);
		assert_int_equal(b->dtype, CLM_DTYPE_F32);
		assert_int_equal(b->ndim, a->ndim);
		assert_memory_equal(b->shape, a->shape, sizeof(a->shape[0]) * (size_t)a->ndim);
		assert_memory_equal(b->data, a->data, a->nbytes);
	}
	assert_int_equal(vback.n_tokens, 10);
	assert_int_equal(vback.n_merges, 3);
	for (int i = 0; i < 10; i++) {
		assert_string_equal(vback.tokens[i], tok_strings[i]);
		assert_int_equal(vback.token_types[i], tok_types[i]);
	}
	assert_string_equal(vback.merges[1], merge_strings[1]);
	assert_int_equal(vback.bos_id, 9);
	assert_int_equal(vback.eos_id, 9);
	clm_gguf_vocab_release(&vback);
	clm_tensor_list_release(&back);
	clm_tensor_list_release(&model);
}

/* The file as llama.cpp sees it: metadata keys, names, transposed projections, aligned data. */
static void gpt2_file_layout_is_what_llama_cpp_reads(void **state)
{
	struct clm_tensor_list model;
	struct clm_gguf_vocab vocab = tiny_vocab();
	struct clm_gguf_file f;
	struct clm_gguf_str s;
	uint64_t u;
	const struct clm_gguf_tensor *qkv, *out, *emb;
	const float *hf, *gg;
	(void)state;
	tiny_model(&model);
	assert_int_equal(clm_gguf_write_gpt2("tiny.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F32, NULL), 0);
	assert_int_equal(clm_gguf_open("tiny.gguf", &f), 0);
	assert_int_equal(f.version, 3);
	assert_int_equal(clm_gguf_get_string(&f, "general.architecture", &s), 0);
	assert_true(s.len == 4 && !memcmp(s.s, "gpt2", 4));
	assert_int_equal(clm_gguf_get_string(&f, "tokenizer.ggml.pre", &s), 0);
	assert_true(s.len == 5 && !memcmp(s.s, "gpt-2", 5));
	assert_int_equal(clm_gguf_get_uint(&f, "gpt2.block_count", &u), 0);
	assert_int_equal(u, 2);
	assert_int_equal(clm_gguf_get_uint(&f, "gpt2.feed_forward_length", &u), 0);
	assert_int_equal(u, 32);
	assert_int_equal(f.n_tensors, 4 + 2 * 12 + 1);
	qkv = clm_gguf_find_tensor(&f, "blk.1.attn_qkv.weight");
	assert_non_null(qkv);
	assert_true(qkv->ne[0] == 8 && qkv->ne[1] == 24 && qkv->type == CLM_GGML_F32);
	hf = clm_tensor_list_find(&model, "h.1.attn.c_attn.weight")->data;
	gg = (const float *)qkv->data;
	for (int in = 0; in < 8; in++)
		for (int o = 0; o < 24; o++)
			assert_true(gg[o * 8 + in] == hf[in * 24 + o]);
	emb = clm_gguf_find_tensor(&f, "token_embd.weight");
	out = clm_gguf_find_tensor(&f, "output.weight");
	assert_true(emb->ne[0] == 8 && emb->ne[1] == 10);
	assert_non_null(out);
	assert_memory_equal(out->data, emb->data, emb->nbytes);
	for (size_t i = 0; i < f.n_tensors; i++)
		assert_int_equal((uintptr_t)(f.tensors[i].data - (const uint8_t *)f.map) % 32, 0);
	clm_gguf_close(&f);
	clm_tensor_list_release(&model);
}

static void gpt2_f16_export(void **state)
{
	struct clm_tensor_list model, back;
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab vocab = tiny_vocab(), vback;
	float *f;
	(void)state;
	tiny_model(&model);
	/* values whose half-precision rounding is known */
	((float *)model.items[0].data)[0] = 1.0f;
	((float *)model.items[0].data)[1] = 1.0f + 1.0f / 4096; /* halfway between two halves: to even, 1.0 */
	((float *)model.items[0].data)[2] = 70000.0f;           /* beyond the half range: infinity */
	((float *)model.items[0].data)[3] = 1e-9f;              /* below the smallest subnormal: zero */
	((float *)model.items[0].data)[4] = -3.0517578125e-05f; /* -2^-15: a subnormal half */
	assert_int_equal(clm_gguf_write_gpt2("tiny16.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F16, "tiny"), 0);
	{
		struct clm_gguf_file raw;
		const struct clm_gguf_tensor *t;
		assert_int_equal(clm_gguf_open("tiny16.gguf", &raw), 0);
		t = clm_gguf_find_tensor(&raw, "token_embd.weight");
		assert_non_null(t);
		assert_true(t->data[4] == 0x00 && t->data[5] == 0x7c); /* +Inf as a half */
		clm_gguf_close(&raw);
	}
	/* an infinity is never imported silently */
	assert_int_equal(clm_gguf_read_gpt2("tiny16.gguf", &hp, &vback, &back), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 'wte.weight' holds NaN or infinity (element 2)"));
	((float *)model.items[0].data)[2] = 60000.0f;           /* a multiple of 32: exact as a half */
	assert_int_equal(clm_gguf_write_gpt2("tiny16.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F16, "tiny"), 0);
	assert_int_equal(clm_gguf_read_gpt2("tiny16.gguf", &hp, &vback, &back), 0);
	assert_int_equal(clm_tensor_list_find(&back, "wte.weight")->dtype, CLM_DTYPE_F16);
	assert_int_equal(clm_tensor_list_find(&back, "ln_f.bias")->dtype, CLM_DTYPE_F32);
	assert_int_equal(clm_tensor_to_f32(clm_tensor_list_find(&back, "wte.weight"), &f), 0);
	assert_true(f[0] == 1.0f && f[1] == 1.0f && f[2] == 60000.0f && f[3] == 0.0f && f[4] == -3.0517578125e-05f);
	free(f);
	assert_int_equal(clm_tensor_to_f32(clm_tensor_list_find(&back, "h.0.mlp.c_fc.weight"), &f), 0);
	{
		const float *orig = clm_tensor_list_find(&model, "h.0.mlp.c_fc.weight")->data;
		for (int i = 0; i < 8 * 32; i++)
			assert_true(fabsf(f[i] - orig[i]) <= 1.0f / 1024);
	}
	free(f);
	clm_gguf_vocab_release(&vback);
	clm_tensor_list_release(&back);
	clm_tensor_list_release(&model);
}

static void gpt2_writer_refuses_bad_models(void **state)
{
	struct clm_tensor_list model;
	struct clm_gguf_vocab vocab = tiny_vocab();
	struct clm_gguf_gpt2_hparams hp = tiny_hp;
	int64_t n = 3;
	float x[3] = { 0 };
	(void)state;
	tiny_model(&model);
	hp.n_ff = 16;
	assert_int_equal(clm_gguf_write_gpt2("bad.gguf", &hp, &vocab, &model, CLM_DTYPE_F32, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "h.0.mlp.c_fc.weight"));
	hp = tiny_hp;
	hp.n_vocab = 11;
	assert_int_equal(clm_gguf_write_gpt2("bad.gguf", &hp, &vocab, &model, CLM_DTYPE_F32, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "vocabulary"));
	assert_int_equal(clm_tensor_list_add(&model, "clm.prompt.keys", CLM_DTYPE_F32, 1, &n, x, sizeof(x)), 0);
	assert_int_equal(clm_gguf_write_gpt2("bad.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F32, NULL), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "clm.prompt.keys"));
	assert_int_equal(clm_gguf_write_gpt2("bad.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_BF16, NULL), CLM_EINVALID);
	assert_false(clm_path_exists("bad.gguf"));
	clm_tensor_list_release(&model);
}

/* ---- hand-built files for the reader ---- */

static void put(struct clm_strbuf *sb, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		clm_strbuf_addch(sb, (char)(v >> (8 * i)));
}

static void put_s(struct clm_strbuf *sb, const char *s)
{
	put(sb, strlen(s), 8);
	clm_strbuf_addstr(sb, s);
}

/* Parse a heap copy of exactly `len` bytes, so ASan sees any read past the end. */
static int parse_copy(const char *bytes, size_t len)
{
	struct clm_gguf_file f;
	char *copy = malloc(len ? len : 1);
	int rc;
	memcpy(copy, bytes, len);
	rc = clm_gguf_parse(copy, len, &f);
	if (rc == 0)
		clm_gguf_close(&f);
	free(copy);
	return rc;
}

/* A small valid file: two pairs (a string, a string array), one F32 tensor [2, 3]. */
static void small_file(struct clm_strbuf *sb)
{
	clm_strbuf_reset(sb);
	clm_strbuf_add(sb, "GGUF", 4);
	put(sb, 3, 4);
	put(sb, 1, 8);
	put(sb, 2, 8);
	put_s(sb, "general.architecture");
	put(sb, CLM_GGUF_STRING, 4);
	put_s(sb, "gpt2");
	put_s(sb, "list");
	put(sb, CLM_GGUF_ARRAY, 4);
	put(sb, CLM_GGUF_STRING, 4);
	put(sb, 2, 8);
	put_s(sb, "x");
	put_s(sb, "yz");
	put_s(sb, "w");
	put(sb, 2, 4);
	put(sb, 3, 8);
	put(sb, 2, 8);
	put(sb, CLM_GGML_F32, 4);
	put(sb, 0, 8);
	while (sb->len % 32)
		clm_strbuf_addch(sb, 0);
	for (int i = 0; i < 6; i++)
		put(sb, 0x3f800000, 4);
}

static void reader_accepts_the_small_file(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	struct clm_gguf_file f;
	struct clm_gguf_str *list;
	size_t n;
	(void)state;
	small_file(&sb);
	assert_int_equal(clm_gguf_parse(sb.buf, sb.len, &f), 0);
	assert_int_equal(clm_gguf_get_strings(&f, "list", &list, &n), 0);
	assert_int_equal(n, 2);
	assert_true(list[1].len == 2 && !memcmp(list[1].s, "yz", 2));
	free(list);
	assert_int_equal(f.tensors[0].nbytes, 24);
	assert_int_equal(clm_gguf_get_strings(&f, "general.architecture", &list, &n), CLM_EINVALID);
	assert_int_equal(clm_gguf_get_strings(&f, "nothing", &list, &n), CLM_ENOTFOUND);
	clm_gguf_close(&f);
	clm_strbuf_release(&sb);
}

static void reader_refuses_every_truncation(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	(void)state;
	small_file(&sb);
	for (size_t len = 0; len < sb.len; len++)
		assert_int_equal(parse_copy(sb.buf, len), CLM_EINVALID);
	assert_int_equal(parse_copy(sb.buf, sb.len), 0);
	clm_strbuf_release(&sb);
}

/* Overwrite `n` bytes at `off` of the small file with `v` and expect a refusal naming `says`. */
static void expect_refused(size_t off, uint64_t v, size_t n, const char *says)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	small_file(&sb);
	for (size_t i = 0; i < n; i++)
		sb.buf[off + i] = (char)(v >> (8 * i));
	if (parse_copy(sb.buf, sb.len) != CLM_EINVALID)
		fail_msg("offset %zu: not refused", off);
	if (!strstr(clm_error(), says))
		fail_msg("offset %zu: message '%s' lacks '%s'", off, clm_error(), says);
	clm_strbuf_release(&sb);
}

static void reader_refuses_hostile_headers(void **state)
{
	/* offsets in small_file: 0 magic, 4 version, 8 tensors, 16 kvs, 24 first key length,
	 * 32 "general.architecture", 52 type, 56 value length, 64 "gpt2", 68 key "list" (len),
	 * 76 "list", 80 type, 84 array type, 88 count, 96 "x" len, 104 x, 105 "yz" len, 113 yz,
	 * 115 tensor name len, 123 "w", 124 n_dims, 128 ne0, 136 ne1, 144 type, 148 offset */
	(void)state;
	expect_refused(0, 'X', 1, "not a GGUF file");
	expect_refused(4, 1, 4, "version 1");
	expect_refused(4, 0x03000000, 4, "version");
	expect_refused(8, UINT64_MAX, 8, "more than");
	expect_refused(16, UINT64_C(1) << 40, 8, "more than");
	expect_refused(24, UINT64_MAX, 8, "limit");
	expect_refused(56, UINT64_MAX - 2, 8, "past the end");
	expect_refused(52, 77, 4, "unknown value type 77");
	expect_refused(84, CLM_GGUF_ARRAY, 4, "nested array");
	expect_refused(88, UINT64_C(1) << 61, 8, "declares");
	expect_refused(96, 1000, 8, "past the end");
	expect_refused(124, 5, 4, "dimensions");
	expect_refused(124, 0, 4, "dimensions");
	expect_refused(128, UINT64_MAX, 8, "impossible size");
	expect_refused(128, UINT64_C(1) << 40, 8, "beyond the end");
	expect_refused(144, CLM_GGML_Q4_0, 4, "3 values are not a whole number of Q4_0 blocks");
	expect_refused(144, 10, 4, "tensor 'w' has type Q2_K, which we do not read");
	expect_refused(144, 31, 4, "has type Q4_0_4_4");
	expect_refused(144, 99, 4, "unknown tensor type 99");
	expect_refused(148, 4, 8, "not a multiple");
	expect_refused(148, 32, 8, "beyond the end");
}

static void reader_refuses_repeated_names(void **state)
{
	struct clm_gguf_writer w;
	struct clm_gguf_file f;
	float x = 1;
	uint64_t ne = 1;
	(void)state;
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	clm_gguf_add_u32(&w, "k", 1);
	clm_gguf_add_u32(&w, "k", 2);
	assert_int_equal(clm_gguf_write(&w, "dup.gguf"), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_open("dup.gguf", &f), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "key 'k' appears twice"));
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	clm_gguf_add_tensor(&w, "t", CLM_GGML_F32, 1, &ne, &x, 4);
	clm_gguf_add_tensor(&w, "t", CLM_GGML_F32, 1, &ne, &x, 4);
	assert_int_equal(clm_gguf_write(&w, "dup.gguf"), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_open("dup.gguf", &f), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "tensor 't' appears twice"));
}

static void reader_checks_alignment_key(void **state)
{
	struct clm_gguf_writer w;
	float x[2] = { 1, 2 };
	uint64_t ne = 2;
	struct clm_gguf_file f;
	struct clm_strbuf file = CLM_STRBUF_INIT;
	(void)state;
	assert_int_equal(clm_gguf_writer_init(&w, 64), 0);
	assert_int_equal(clm_gguf_add_tensor(&w, "a", CLM_GGML_F32, 1, &ne, x, sizeof(x)), 0);
	assert_int_equal(clm_gguf_add_tensor(&w, "b", CLM_GGML_F32, 1, &ne, x, sizeof(x)), 0);
	assert_int_equal(clm_gguf_add_tensor(&w, "c", CLM_GGML_F32, 1, &ne, x, 4), CLM_EINVALID);
	assert_int_equal(clm_gguf_write(&w, "al.gguf"), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_open("al.gguf", &f), 0);
	assert_int_equal(f.alignment, 64);
	assert_int_equal(f.tensors[1].offset, 64);
	clm_gguf_close(&f);
	/* an alignment of 48 is refused */
	assert_int_equal(clm_read_file("al.gguf", 0, &file), 0);
	{
		char *p = memmem(file.buf, file.len, "general.alignment", 17);
		assert_non_null(p);
		p[17 + 4] = 48;
		assert_int_equal(parse_copy(file.buf, file.len), CLM_EINVALID);
		assert_non_null(strstr(clm_error(), "power of two"));
	}
	clm_strbuf_release(&file);
}

static void gpt2_reader_refuses_other_architectures(void **state)
{
	struct clm_gguf_writer w;
	struct clm_gguf_gpt2_hparams hp;
	struct clm_gguf_vocab v;
	struct clm_tensor_list l;
	const char *toks[] = { "a" };
	(void)state;
	assert_int_equal(clm_gguf_writer_init(&w, 0), 0);
	clm_gguf_add_string(&w, "general.architecture", "llama");
	clm_gguf_add_string(&w, "tokenizer.ggml.model", "gpt2");
	clm_gguf_add_strings(&w, "tokenizer.ggml.tokens", toks, 1);
	clm_gguf_add_strings(&w, "tokenizer.ggml.merges", toks, 0);
	assert_int_equal(clm_gguf_write(&w, "llama.gguf"), 0);
	clm_gguf_writer_release(&w);
	assert_int_equal(clm_gguf_read_gpt2("llama.gguf", &hp, &v, &l), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "architecture 'llama' is not gpt2"));
	assert_int_equal(clm_gguf_read_gpt2("missing.gguf", &hp, &v, &l), CLM_ENOTFOUND);
}

/* Every byte of the metadata and tensor table of a real gpt2 file set to 0x00, 0x7f and 0xff in
 * turn: each damaged file is read or refused with a message, never crashes (ASan watches). */
static void gpt2_reader_survives_damaged_headers(void **state)
{
	struct clm_tensor_list model, back;
	struct clm_gguf_vocab vocab = tiny_vocab(), vback;
	struct clm_gguf_gpt2_hparams hp;
	struct clm_strbuf file = CLM_STRBUF_INIT;
	struct clm_gguf_file f;
	const uint8_t values[3] = { 0x00, 0x7f, 0xff };
	size_t header, refused = 0;
	(void)state;
	tiny_model(&model);
	assert_int_equal(clm_gguf_write_gpt2("tiny.gguf", &tiny_hp, &vocab, &model, CLM_DTYPE_F32, "tiny"), 0);
	assert_int_equal(clm_read_file("tiny.gguf", 0, &file), 0);
	assert_int_equal(clm_gguf_parse(file.buf, file.len, &f), 0);
	header = (size_t)(f.tensors[0].data - (const uint8_t *)file.buf);
	clm_gguf_close(&f);
	for (size_t off = 0; off < header; off++) {
		for (int v = 0; v < 3; v++) {
			char saved = file.buf[off];
			int rc;
			if ((uint8_t)saved == values[v])
				continue;
			file.buf[off] = (char)values[v];
			rc = clm_gguf_parse_gpt2(file.buf, file.len, &hp, &vback, &back);
			if (rc == 0) {
				clm_gguf_vocab_release(&vback);
				clm_tensor_list_release(&back);
			} else {
				assert_true(rc == CLM_EINVALID || rc == CLM_ENOMEM);
				assert_true(clm_error()[0] != '\0');
				refused++;
			}
			file.buf[off] = saved;
		}
	}
	print_message("# %zu of %zu damaged headers refused\n", refused, 3 * header);
	assert_true(refused > header); /* most damage is caught, none crashes */
	clm_strbuf_release(&file);
	clm_tensor_list_release(&model);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gpt2_round_trip_f32),
		cmocka_unit_test(gpt2_file_layout_is_what_llama_cpp_reads),
		cmocka_unit_test(gpt2_f16_export),
		cmocka_unit_test(gpt2_writer_refuses_bad_models),
		cmocka_unit_test(reader_accepts_the_small_file),
		cmocka_unit_test(reader_refuses_every_truncation),
		cmocka_unit_test(reader_refuses_hostile_headers),
		cmocka_unit_test(reader_refuses_repeated_names),
		cmocka_unit_test(reader_checks_alignment_key),
		cmocka_unit_test(gpt2_reader_refuses_other_architectures),
		cmocka_unit_test(gpt2_reader_survives_damaged_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
