/* Training and inference throughput of the engine on the reference config ("small": 4 layers, 256
 * wide, 4 heads, context 128, vocab 4096; batch 8 x 128 tokens), against the cblas_sgemm rate
 * measured in the same run on the model's own matrix shapes. Prints a table, then `name: value`
 * lines for scripts. tests/bench/train.sh adds the PyTorch baseline. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "nn/config.h"
#include "nn/generate.h"
#include "nn/model.h"
#include "nn/optim.h"
#include "nn/rng.h"
#include "util/error.h"
#include "util/progress.h"

#define BATCH 8

/* Time sgemm on the shapes of one training step (forward, and both backward products). */
static double sgemm_gflops(const struct clm_gpt_config *c, int n_rows)
{
	int C = c->n_embd, V = c->vocab_size;
	struct {
		int m, n, k;
	} shapes[] = {
		{ n_rows, 3 * C, C }, { n_rows, C, C }, { n_rows, 4 * C, C }, { n_rows, C, 4 * C }, /* forward */
		{ n_rows, V, C },                                                                   /* logits */
		{ n_rows, C, 3 * C }, { C, 3 * C, n_rows }, { n_rows, C, 4 * C }, { 4 * C, C, n_rows }, /* backward */
	};
	size_t big = (size_t)n_rows * (V > 4 * C ? V : 4 * C);
	float *a = malloc(big * sizeof(float)), *b = malloc(big * sizeof(float)), *y = malloc(big * sizeof(float));
	double flops, t0;
	struct clm_rng r;

	clm_rng_seed(&r, 1);
	for (size_t i = 0; i < big; i++) {
		a[i] = (float)clm_rng_normal(&r);
		b[i] = (float)clm_rng_normal(&r);
	}
	double best = 0;
	for (int rep = 0; rep < 6; rep++) { /* best round: the machine is shared, noise only slows */
		flops = 0;
		t0 = clm_now();
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, shapes[s].m, shapes[s].n, shapes[s].k, 1.0f, a,
				    shapes[s].k, b, shapes[s].n, 0.0f, y, shapes[s].n);
			flops += 2.0 * shapes[s].m * shapes[s].n * shapes[s].k;
		}
		double rate = flops / (clm_now() - t0) / 1e9;
		best = rate > best ? rate : best;
	}
	free(a), free(b), free(y);
	return best;
}

/* Smallest of n values: on a shared machine noise only ever adds time. */
static double fastest(const double *v, int n)
{
	double best = v[0];
	for (int i = 1; i < n; i++)
		best = v[i] < best ? v[i] : best;
	return best;
}

static void random_batch(struct clm_batch *b, const struct clm_gpt_config *c, struct clm_rng *r)
{
	int32_t tok[1024];
	clm_batch_clear(b);
	for (int e = 0; e < BATCH; e++) {
		for (int i = 0; i < c->n_positions; i++)
			tok[i] = (int32_t)clm_rng_below(r, (uint64_t)c->vocab_size);
		clm_batch_add(b, tok, c->n_positions, NULL, NULL, 0, -1);
	}
}

int main(void)
{
	struct clm_gpt_config cfg;
	struct clm_gpt m;
	struct clm_adamw o;
	struct clm_adamw_config oc;
	struct clm_batch b = CLM_BATCH_INIT;
	struct clm_rng r;
	struct rusage ru;
	float loss = 0;
	enum { warm = 2, steps = 16 };
	double step_s[steps];

	clm_gpt_config_named("small", 0, &cfg);
	if (clm_gpt_init(&m, &cfg, 1)) {
		fprintf(stderr, "bench_train: %s\n", clm_error());
		return 1;
	}
	int tokens_per_step = BATCH * cfg.n_positions;
	double sg = sgemm_gflops(&cfg, tokens_per_step);
	clm_adamw_defaults(&oc);
	clm_adamw_init(&o, &oc);
	clm_rng_seed(&r, 2);
	for (int s = 0; s < warm + steps; s++) {
		double t0 = clm_now();
		random_batch(&b, &cfg, &r);
		if (clm_gpt_forward_backward(&m, &b, &loss) || clm_adamw_step(&o, &m, 1)) {
			fprintf(stderr, "bench_train: %s\n", clm_error());
			return 1;
		}
		if (s >= warm)
			step_s[s - warm] = clm_now() - t0;
	}
	double dt = fastest(step_s, steps);
	double tps = tokens_per_step / dt;
	double step_flops = clm_gpt_train_flops(&cfg, tokens_per_step, cfg.n_positions);
	double gf = step_flops / dt / 1e9;

	/* inference: batch 1, KV cache, greedy, one prompt token then the whole context; fastest run */
	struct clm_gen_config gc;
	int32_t prompt[1] = { 1 };
	struct clm_gen_request q = { .prompt = prompt, .n_prompt = 1, .adapter = -1 };
	clm_gen_defaults(&gc);
	gc.max_new_tokens = cfg.n_positions - 1;
	double ips = 0;
	for (int rep = 0; rep < 5; rep++) {
		double it0 = clm_now();
		if (clm_generate(&m, &gc, &q, 1)) {
			fprintf(stderr, "bench_train: %s\n", clm_error());
			return 1;
		}
		double rate = q.n_out / (clm_now() - it0);
		ips = rate > ips ? rate : ips;
		free(q.out);
	}
	getrusage(RUSAGE_SELF, &ru);

	printf("config: small (%d layers, %d wide, %d heads, context %d, vocab %d, %lld parameters), batch %d x %d tokens\n",
	       cfg.n_layer, cfg.n_embd, cfg.n_head, cfg.n_positions, cfg.vocab_size, clm_gpt_config_param_count(&cfg),
	       BATCH, cfg.n_positions);
	printf("threads: OPENBLAS_NUM_THREADS=%s\n", getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "(default)");
	printf("%-34s %10.1f   (best of 6 rounds over the step's shapes)\n", "sgemm GFLOP/s (model shapes)", sg);
	printf("%-34s %10.0f   (fastest of %d steps: %.3f s/step, %.1f GFLOP/step, last loss %.3f)\n", "train tokens/s", tps,
	       steps, dt, step_flops / 1e9, loss);
	printf("%-34s %10.1f   (%.0f%% of sgemm)\n", "train GFLOP/s", gf, 100 * gf / sg);
	printf("%-34s %10.0f   (batch 1, KV cache, greedy)\n", "inference tokens/s", ips);
	printf("%-34s %10.1f\n", "peak RSS MB", ru.ru_maxrss / 1024.0);
	printf("sgemm_gflops: %.2f\n", sg);
	printf("train_tokens_per_s: %.1f\n", tps);
	printf("train_gflops: %.2f\n", gf);
	printf("sgemm_fraction: %.3f\n", gf / sg);
	printf("infer_tokens_per_s: %.1f\n", ips);
	printf("peak_rss_mb: %.1f\n", ru.ru_maxrss / 1024.0);
	clm_batch_release(&b);
	clm_adamw_release(&o);
	clm_gpt_release(&m);
	return 0;
}
