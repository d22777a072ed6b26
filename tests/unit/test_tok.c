/* libcore/tok: byte mapping, pre-tokenizer, BPE encoding, special tokens, training, round trips. */
#include "test_helpers.h"
#include "tok/bpe.h"
#include "tok/byte_unicode.h"
#include "tok/pairmap.h"
#include "tok/pretok.h"
#include "tok/strmap.h"
#include "tok/train.h"
#include "util/error.h"

/* A fixed pseudo-random sequence (xorshift), so failures reproduce. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void byte_mapping_matches_gpt2(void **state)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT, back = CLM_STRBUF_INIT;
	unsigned char all[256];
	int seen[0x200] = { 0 };
	(void)state;
	assert_int_equal(clm_byte_to_codepoint(' '), 0x120);  /* "Ġ" */
	assert_int_equal(clm_byte_to_codepoint('\n'), 0x10a); /* "Ċ" */
	assert_int_equal(clm_byte_to_codepoint('A'), 'A');
	assert_int_equal(clm_byte_to_codepoint(0), 0x100);
	assert_int_equal(clm_byte_to_codepoint(0xad), 0x143);
	/* GPT-2's ids of single bytes: "!" is 0, "Ġ" is 220, "Ċ" is 198. */
	assert_int_equal(clm_byte_order('!'), 0);
	assert_int_equal(clm_byte_order(' '), 220);
	assert_int_equal(clm_byte_order('\n'), 198);
	for (int b = 0; b < 256; b++) {
		uint32_t cp = clm_byte_to_codepoint((uint8_t)b);
		assert_true(cp < 0x200);
		assert_int_equal(seen[cp]++, 0);
		assert_int_equal(clm_codepoint_to_byte(cp), b);
		assert_int_equal(clm_byte_at_order(clm_byte_order((uint8_t)b)), b);
		all[b] = (unsigned char)b;
	}
	assert_int_equal(clm_codepoint_to_byte(0x20), -1);
	assert_int_equal(clm_codepoint_to_byte(0x144), -1);
	assert_int_equal(clm_bytes_to_mapped(all, 256, &sb), 0);
	assert_int_equal(clm_mapped_to_bytes(sb.buf, sb.len, &back), 0);
	assert_int_equal(back.len, 256);
	assert_memory_equal(back.buf, all, 256);
	clm_strbuf_reset(&back);
	assert_int_equal(clm_mapped_to_bytes("a b", 3, &back), CLM_EINVALID);   /* a raw space */
	assert_int_equal(clm_mapped_to_bytes("\xe2\x82\xac", 3, &back), CLM_EINVALID);
	assert_int_equal(clm_mapped_to_bytes("\xc4", 1, &back), CLM_EINVALID); /* truncated */
	clm_strbuf_release(&sb);
	clm_strbuf_release(&back);
}

static void maps_find_what_was_put_and_forget_what_was_removed(void **state)
{
	struct clm_strmap m;
	struct clm_pairmap pm;
	char key[32];
	uint32_t *v;
	int inserted;
	(void)state;
	clm_strmap_init(&m);
	clm_pairmap_init(&pm);
	for (uint32_t i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof(key), "k%u", i * 7919u);
		assert_int_equal(clm_strmap_upsert(&m, key, (size_t)n, i, &v, &inserted), 0);
		assert_true(inserted);
		assert_int_equal(clm_pairmap_upsert(&pm, clm_pair_key((int32_t)i, (int32_t)(i % 7)), i, &v, &inserted), 0);
		assert_true(inserted);
	}
	assert_int_equal(clm_strmap_upsert(&m, "k0", 2, 99, &v, &inserted), 0);
	assert_false(inserted);
	assert_int_equal(*v, 0);
	/* Removing every other key (backward-shift deletion) must keep the rest reachable. */
	for (uint32_t i = 0; i < 5000; i += 2) {
		int n = snprintf(key, sizeof(key), "k%u", i * 7919u);
		clm_strmap_remove(&m, key, (size_t)n);
	}
	assert_int_equal(m.n, 2500);
	for (uint32_t i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof(key), "k%u", i * 7919u);
		v = clm_strmap_find(&m, key, (size_t)n);
		if (i % 2)
			assert_true(v && *v == i);
		else
			assert_null(v);
		v = clm_pairmap_find(&pm, clm_pair_key((int32_t)i, (int32_t)(i % 7)));
		assert_true(v && *v == i);
	}
	assert_null(clm_pairmap_find(&pm, clm_pair_key(1, 2)));
	assert_null(clm_strmap_find(&m, "", 0));
	clm_strmap_release(&m);
	clm_pairmap_release(&pm);
}

/* Split `text` and join the pieces with '|'. */
static void split(struct clm_pretok *p, const char *text, size_t len, struct clm_strbuf *out)
{
	size_t pos = 0, start, n, covered = 0;
	clm_strbuf_reset(out);
	while (clm_pretok_next(p, text, len, &pos, &start, &n)) {
		assert_int_equal(start, covered);
		assert_true(n > 0);
		covered = start + n;
		if (out->len)
			clm_strbuf_addch(out, '|');
		clm_strbuf_add(out, text + start, n);
	}
	assert_int_equal(covered, len);
}

static void pretokenizer_follows_gpt2_pattern(void **state)
{
	struct clm_pretok p;
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *s;
	(void)state;
	assert_int_equal(clm_pretok_init(&p), 0);
	s = "Hello world's  test\n\tfoo123 x+=1;";
	split(&p, s, strlen(s), &sb);
	assert_string_equal(sb.buf, "Hello| world|'s| | test|\n|\t|foo|123| x|+=|1|;");
	s = "I'LL they've   \xc3\xa9t\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87!";
	split(&p, s, strlen(s), &sb);
	assert_string_equal(sb.buf, "I|'|LL| they|'ve|  | \xc3\xa9t\xc3\xa9| \xe4\xb8\xad\xe6\x96\x87|!");
	/* Bytes that are not UTF-8 stand alone and do not glue to their neighbours. */
	split(&p, "ab\xff\xfe" "cd \x80 e", 10, &sb);
	assert_int_equal(sb.len, 10 + 6);
	assert_memory_equal(sb.buf, "ab|\xff|\xfe|cd| |\x80| e", 16);
	split(&p, "a\0b", 3, &sb);
	assert_memory_equal(sb.buf, "a|\0|b", 5);
	split(&p, "", 0, &sb);
	assert_int_equal(sb.len, 0);
	clm_strbuf_release(&sb);
	clm_pretok_release(&p);
}

/* A hand-built vocabulary: bytes at GPT-2 order, then "ab", "abc", "bc", "cd", specials. */
static void build_small(struct clm_tokenizer *t)
{
	assert_int_equal(clm_tok_init(t, 262), 0);
	for (int i = 0; i < 256; i++) {
		uint8_t b = clm_byte_at_order(i);
		assert_int_equal(clm_tok_set_token(t, i, &b, 1, 0), 0);
	}
	assert_int_equal(clm_tok_set_token(t, 256, "bc", 2, 0), 0);
	assert_int_equal(clm_tok_set_token(t, 257, "ab", 2, 0), 0);
	assert_int_equal(clm_tok_set_token(t, 258, "abc", 3, 0), 0);
	assert_int_equal(clm_tok_set_token(t, 259, "cd", 2, 0), 0);
	assert_int_equal(clm_tok_set_token(t, 260, "<|endoftext|>", 13, 1), 0);
	assert_int_equal(clm_tok_set_token(t, 261, "<|end", 5, 1), 0);
	/* ranks: bc < ab < abc(ab c) < cd */
	assert_int_equal(clm_tok_add_merge(t, clm_byte_order('b'), clm_byte_order('c')), 0);
	assert_int_equal(clm_tok_add_merge(t, clm_byte_order('a'), clm_byte_order('b')), 0);
	assert_int_equal(clm_tok_add_merge(t, 257, clm_byte_order('c')), 0);
	assert_int_equal(clm_tok_add_merge(t, clm_byte_order('c'), clm_byte_order('d')), 0);
	assert_int_equal(clm_tok_finish(t), 0);
}

static void encode_ids(struct clm_tokenizer *t, const char *s, int flags, struct clm_tok_ids *ids)
{
	ids->n = 0;
	assert_int_equal(clm_tok_encode(t, s, strlen(s), flags, ids), 0);
}

static void merges_apply_lowest_rank_first(void **state)
{
	struct clm_tokenizer t;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	int a = clm_byte_order('a'), c = clm_byte_order('c'), d = clm_byte_order('d');
	(void)state;
	build_small(&t);
	/* "abc": bc (rank 0) wins over ab (rank 1), and "a"+"bc" has no merge. */
	encode_ids(&t, "abc", 0, &ids);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.v[0], a);
	assert_int_equal(ids.v[1], 256);
	/* "abcd": bc first, then nothing joins a|bc|d. Twice, to exercise the cache. */
	for (int round = 0; round < 2; round++) {
		encode_ids(&t, "abcd", 0, &ids);
		assert_int_equal(ids.n, 3);
		assert_int_equal(ids.v[0], a);
		assert_int_equal(ids.v[1], 256);
		assert_int_equal(ids.v[2], d);
	}
	/* "abacd": ab, then a? no: ab|a|cd; equal ranks go left to right. */
	encode_ids(&t, "abacd", 0, &ids);
	assert_int_equal(ids.n, 3);
	assert_int_equal(ids.v[0], 257);
	assert_int_equal(ids.v[1], a);
	assert_int_equal(ids.v[2], 259);
	encode_ids(&t, "ccd", 0, &ids);
	assert_int_equal(ids.n, 2);
	assert_int_equal(ids.v[0], c);
	assert_int_equal(ids.v[1], 259);
	assert_int_equal(clm_tok_lookup(&t, "abc", 3), 258);
	assert_int_equal(clm_tok_lookup(&t, "<|endoftext|>", 13), -1);
	assert_int_equal(clm_tok_special_id(&t, "<|endoftext|>"), 260);
	clm_tok_ids_release(&ids);
	clm_tok_release(&t);
}

static void special_tokens_only_when_allowed(void **state)
{
	struct clm_tokenizer t;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	const char *s = "ab<|endoftext|>cd<|end<|endoftext|>";
	(void)state;
	build_small(&t);
	encode_ids(&t, s, CLM_TOK_ALLOW_SPECIAL, &ids);
	/* ab | <|endoftext|> | cd | <|end | <|endoftext|>: the longest special wins at a place. */
	assert_int_equal(ids.n, 5);
	assert_int_equal(ids.v[0], 257);
	assert_int_equal(ids.v[1], 260);
	assert_int_equal(ids.v[2], 259);
	assert_int_equal(ids.v[3], 261);
	assert_int_equal(ids.v[4], 260);
	assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &sb), 0);
	assert_string_equal(sb.buf, s);
	encode_ids(&t, s, 0, &ids);
	for (size_t i = 0; i < ids.n; i++)
		assert_true(ids.v[i] < 260);
	clm_strbuf_reset(&sb);
	assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &sb), 0);
	assert_string_equal(sb.buf, s);
	ids.v[0] = 262;
	assert_int_equal(clm_tok_decode(&t, ids.v, 1, &sb), CLM_EINVALID);
	ids.v[0] = -1;
	assert_int_equal(clm_tok_decode(&t, ids.v, 1, &sb), CLM_EINVALID);
	clm_strbuf_release(&sb);
	clm_tok_ids_release(&ids);
	clm_tok_release(&t);
}

static void builder_rejects_inconsistent_vocabularies(void **state)
{
	struct clm_tokenizer t;
	(void)state;
	assert_int_equal(clm_tok_init(&t, 0), CLM_EINVALID);
	clm_tok_release(&t);
	assert_int_equal(clm_tok_init(&t, 257), 0);
	assert_int_equal(clm_tok_set_token(&t, 0, "a", 1, 0), 0);
	assert_int_equal(clm_tok_set_token(&t, 1, "a", 1, 0), CLM_EINVALID); /* duplicate bytes */
	assert_int_equal(clm_tok_set_token(&t, 257, "b", 1, 0), CLM_EINVALID);
	assert_int_equal(clm_tok_set_token(&t, 1, "", 0, 0), CLM_EINVALID);
	assert_int_equal(clm_tok_set_token(&t, 1, "b", 1, 0), 0);
	assert_int_equal(clm_tok_add_merge(&t, 0, 1), CLM_EINVALID); /* "ab" missing */
	assert_non_null(strstr(clm_error(), "not in the vocabulary"));
	assert_int_equal(clm_tok_add_merge(&t, 0, 300), CLM_EINVALID);
	assert_int_equal(clm_tok_finish(&t), CLM_EINVALID); /* ids 2.. unset */
	clm_tok_release(&t);
	assert_int_equal(clm_tok_init(&t, 256), 0);
	for (int i = 0; i < 256; i++) {
		uint8_t b = (uint8_t)(i == 7 ? 'x' : i);
		if (i != 'x')
			assert_int_equal(clm_tok_set_token(&t, i, &b, 1, 0), 0);
		else
			assert_int_equal(clm_tok_set_token(&t, i, "xy", 2, 0), 0);
	}
	assert_int_equal(clm_tok_finish(&t), CLM_EINVALID); /* no token for byte 7 */
	assert_non_null(strstr(clm_error(), "0x07"));
	clm_tok_release(&t);
}

static const char *corpus_lines[] = {
	"def add(a, b):\n    return a + b\n",
	"int main(void) {\n\treturn 0;\n}\n",
	"for (int i = 0; i < n; i++) total += values[i];\n",
	"class Parser:\n    def parse(self, text):\n        return self.tokens(text)\n",
	"// the quick brown fox jumps over the lazy dog\n",
	"import os\nimport sys\nprint(os.path.join(sys.argv[0], 'x'))\n",
	"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80 emoji\n",
};

static void train_on(struct clm_tokenizer *t, size_t vocab, int reverse)
{
	struct clm_tok_trainer tr;
	struct clm_tok_train_opts o = { vocab, clm_tok_default_specials, clm_tok_default_specials_count, 0 };
	size_t n = sizeof(corpus_lines) / sizeof(corpus_lines[0]);
	assert_int_equal(clm_tok_trainer_init(&tr), 0);
	for (int rep = 0; rep < 20; rep++)
		for (size_t i = 0; i < n; i++) {
			const char *s = corpus_lines[reverse ? n - 1 - i : i];
			assert_int_equal(clm_tok_trainer_add(&tr, s, strlen(s)), 0);
		}
	assert_int_equal(clm_tok_trainer_finish(&tr, &o, t, NULL), 0);
	clm_tok_trainer_release(&tr);
}

static void training_is_deterministic_and_compresses(void **state)
{
	struct clm_tokenizer a, b;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	const char *s = corpus_lines[3];
	(void)state;
	train_on(&a, 400, 0);
	train_on(&b, 400, 1);
	assert_int_equal(a.n_tokens, 400);
	assert_int_equal(a.n_tokens, b.n_tokens);
	assert_int_equal(a.n_merges, b.n_merges);
	assert_true(a.n_merges > 100);
	for (size_t i = 0; i < a.n_merges; i++) {
		assert_int_equal(a.merges[i].left, b.merges[i].left);
		assert_int_equal(a.merges[i].right, b.merges[i].right);
	}
	/* Bytes keep GPT-2's ids; special tokens come last. */
	assert_int_equal(clm_tok_lookup(&a, " ", 1), 220);
	assert_int_equal(clm_tok_special_id(&a, "<|endoftext|>"), 400 - (int)clm_tok_default_specials_count);
	assert_int_equal(clm_tok_special_id(&a, "<|translate|>"), 399);
	/* The first merge is the most frequent pair in the corpus: two spaces of indentation. */
	assert_int_equal(a.merges[0].left, 220);
	assert_int_equal(a.merges[0].right, 220);
	/* Text seen in training shrinks a lot; the whole line of the corpus is a handful of tokens. */
	assert_int_equal(clm_tok_encode(&a, s, strlen(s), 0, &ids), 0);
	assert_true(ids.n * 3 < strlen(s));
	clm_tok_ids_release(&ids);
	clm_tok_release(&a);
	clm_tok_release(&b);
}

/* The reference trainer: recount every pair of every piece after each merge. Slow but obviously
 * right; the real trainer's incremental counts must pick the same merges. */
struct naive_word {
	int32_t sym[64];
	int len;
};

static void naive_train(const char *const *texts, size_t n_texts, int reps, size_t vocab, int32_t (*merges)[2],
			size_t *n_merges)
{
	static struct naive_word words[4096];
	static char bytes[512][64];
	static size_t blen[512];
	static int64_t count[512 * 512]; /* ids stay below 512 */
	size_t n_words = 0, n_tok = 256;
	struct clm_pretok p;
	assert_int_equal(clm_pretok_init(&p), 0);
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < n_texts; i++) {
			size_t pos = 0, start, n, len = strlen(texts[i]);
			while (clm_pretok_next(&p, texts[i], len, &pos, &start, &n)) {
				assert_true(n < 64 && n_words < 4096);
				words[n_words].len = (int)n;
				for (size_t j = 0; j < n; j++)
					words[n_words].sym[j] = clm_byte_order((uint8_t)texts[i][start + j]);
				n_words++;
			}
		}
	clm_pretok_release(&p);
	for (int i = 0; i < 256; i++) {
		bytes[i][0] = (char)clm_byte_at_order(i);
		blen[i] = 1;
	}
	*n_merges = 0;
	while (n_tok < vocab) {
		int64_t best = 0;
		int32_t ba = -1, bb = -1, z = -1;
		memset(count, 0, sizeof(count));
		for (size_t w = 0; w < n_words; w++)
			for (int j = 0; j + 1 < words[w].len; j++)
				count[words[w].sym[j] * 512 + words[w].sym[j + 1]]++;
		for (int32_t a = 0; a < 512; a++)
			for (int32_t b = 0; b < 512; b++)
				if (count[a * 512 + b] > best) {
					best = count[a * 512 + b];
					ba = a;
					bb = b;
				}
		if (best < 2)
			break;
		merges[*n_merges][0] = ba;
		merges[*n_merges][1] = bb;
		(*n_merges)++;
		memcpy(bytes[n_tok], bytes[ba], blen[ba]);
		memcpy(bytes[n_tok] + blen[ba], bytes[bb], blen[bb]);
		blen[n_tok] = blen[ba] + blen[bb];
		for (size_t i = 0; i < n_tok; i++)
			if (blen[i] == blen[n_tok] && !memcmp(bytes[i], bytes[n_tok], blen[i]))
				z = (int32_t)i;
		if (z < 0)
			z = (int32_t)n_tok++;
		for (size_t w = 0; w < n_words; w++) {
			int out = 0;
			for (int j = 0; j < words[w].len; j++) {
				if (j + 1 < words[w].len && words[w].sym[j] == ba && words[w].sym[j + 1] == bb) {
					words[w].sym[out++] = z;
					j++;
				} else {
					words[w].sym[out++] = words[w].sym[j];
				}
			}
			words[w].len = out;
		}
	}
}

static void training_matches_full_recount(void **state)
{
	static int32_t merges[256][2];
	struct clm_tokenizer t;
	size_t n_merges;
	(void)state;
	train_on(&t, 256 + 200, 0);
	naive_train(corpus_lines, sizeof(corpus_lines) / sizeof(corpus_lines[0]), 20,
		    256 + 200 - clm_tok_default_specials_count, merges, &n_merges);
	assert_int_equal(t.n_merges, n_merges);
	for (size_t i = 0; i < n_merges; i++) {
		assert_int_equal(t.merges[i].left, merges[i][0]);
		assert_int_equal(t.merges[i].right, merges[i][1]);
	}
	clm_tok_release(&t);
}

static void training_stops_when_pairs_run_out(void **state)
{
	struct clm_tok_trainer tr;
	struct clm_tokenizer t;
	struct clm_tok_train_opts o = { 5000, NULL, 0, 0 };
	(void)state;
	assert_int_equal(clm_tok_trainer_init(&tr), 0);
	assert_int_equal(clm_tok_trainer_add(&tr, "hello hello hello", 17), 0);
	assert_int_equal(clm_tok_trainer_finish(&tr, &o, &t, NULL), 0);
	/* h-e, l-l, he-ll, hell-o, and the same with a leading space: */
	assert_true(t.n_tokens > 256 && t.n_tokens < 270);
	clm_tok_release(&t);
	o.vocab_size = 100;
	assert_int_equal(clm_tok_trainer_finish(&tr, &o, &t, NULL), CLM_EINVALID);
	clm_tok_trainer_release(&tr);
}

static void roundtrip_random_bytes(void **state)
{
	struct clm_tokenizer t;
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	struct clm_strbuf out = CLM_STRBUF_INIT;
	unsigned char buf[512];
	uint64_t seed = 0x1234567;
	(void)state;
	train_on(&t, 600, 0);
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = next_rand(&seed) % sizeof(buf);
		int mode = iter % 3;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = next_rand(&seed);
			if (mode == 0) /* any byte, NULs included */
				buf[i] = (unsigned char)r;
			else if (mode == 1) /* mostly text, some bad bytes */
				buf[i] = (r % 10) ? (unsigned char)" \tabcdefxyz(){};=\n"[r % 18] : (unsigned char)(r >> 8);
			else /* pieces of the corpus with a special token's text now and then */
				buf[i] = (unsigned char)"<|endoftext|> def return self"[r % 29];
		}
		ids.n = 0;
		clm_strbuf_reset(&out);
		assert_int_equal(clm_tok_encode(&t, buf, len, mode == 2 ? CLM_TOK_ALLOW_SPECIAL : 0, &ids), 0);
		assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &out), 0);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.buf, buf, len);
	}
	/* A long piece (a run of spaces) goes around the cache and still round-trips. */
	memset(buf, ' ', sizeof(buf));
	ids.n = 0;
	clm_strbuf_reset(&out);
	assert_int_equal(clm_tok_encode(&t, buf, sizeof(buf), 0, &ids), 0);
	assert_true(ids.n <= sizeof(buf) / 2); /* at least the two-space merge applies */
	assert_int_equal(clm_tok_decode(&t, ids.v, ids.n, &out), 0);
	assert_int_equal(out.len, sizeof(buf));
	clm_strbuf_release(&out);
	clm_tok_ids_release(&ids);
	clm_tok_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(byte_mapping_matches_gpt2),
		cmocka_unit_test(maps_find_what_was_put_and_forget_what_was_removed),
		cmocka_unit_test(pretokenizer_follows_gpt2_pattern),
		cmocka_unit_test(merges_apply_lowest_rank_first),
		cmocka_unit_test(special_tokens_only_when_allowed),
		cmocka_unit_test(builder_rejects_inconsistent_vocabularies),
		cmocka_unit_test(training_is_deterministic_and_compresses),
		cmocka_unit_test(training_matches_full_recount),
		cmocka_unit_test(training_stops_when_pairs_run_out),
		cmocka_unit_test(roundtrip_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
