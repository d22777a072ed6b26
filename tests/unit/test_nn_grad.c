/* libcore/nn: every op's backward and the whole model's gradient (soft prompts, LoRA, masking,
 * packing of variable-length examples) against finite differences of a double-precision reference. */
#include "test_helpers.h"
#include "nn/model.h"
#include "nn/ops.h"
#include "nn/rng.h"
#include "util/error.h"
#include "nn_reference.h"

#define FD_H 1e-5

struct op_ctx {
	int kind;
	int n, in, out, c, nq, nk, hd, v;
	double *x, *w, *b, *dy;
	int32_t *targets;
	double *tw;
	int heads;
	double *cs; /* OP_ROPE: [n x hd] cos | sin */
};

enum { OP_LINEAR, OP_LAYERNORM, OP_GELU, OP_ATTENTION, OP_XENT, OP_LOGITS, OP_LINEAR_HF, OP_RMSNORM, OP_ROPE,
       OP_SWIGLU };

/* sum(dy * op(x, w, b)) in double, or the weighted loss for OP_XENT */
static double op_objective(struct op_ctx *c)
{
	double s = 0, *y;
	size_t ny = 0;

	switch (c->kind) {
	case OP_LINEAR:
		ny = (size_t)c->n * c->out;
		y = malloc(sizeof(double) * ny);
		ref_linear(y, c->x, c->w, c->b, c->n, c->in, c->out, 0);
		break;
	case OP_LAYERNORM:
		ny = (size_t)c->n * c->c;
		y = malloc(sizeof(double) * ny);
		ref_layernorm(y, c->x, c->w, c->b, c->n, c->c, 1e-5);
		break;
	case OP_GELU:
		ny = (size_t)c->n;
		y = malloc(sizeof(double) * ny);
		for (size_t i = 0; i < ny; i++)
			y[i] = ref_gelu1(c->x[i]);
		break;
	case OP_ATTENTION: /* x = q (nq x hd), w = k (nk x hd), b = v (nk x hd) */
		ny = (size_t)c->nq * c->hd;
		y = malloc(sizeof(double) * ny);
		ref_attention(y, c->hd, c->x, c->hd, c->w, c->hd, c->b, c->hd, c->nq, c->nk, c->hd);
		break;
	case OP_LOGITS: /* x = h (n x c), w = E (v x c) */
		ny = (size_t)c->n * c->v;
		y = calloc(ny, sizeof(double));
		for (int i = 0; i < c->n; i++)
			for (int j = 0; j < c->v; j++)
				for (int k = 0; k < c->c; k++)
					y[i * c->v + j] += c->x[i * c->c + k] * c->w[j * c->c + k];
		break;
	case OP_LINEAR_HF: /* w: out x in */
		ny = (size_t)c->n * c->out;
		y = malloc(sizeof(double) * ny);
		for (int i = 0; i < c->n; i++)
			for (int j = 0; j < c->out; j++) {
				double a = c->b[j];
				for (int k = 0; k < c->in; k++)
					a += c->x[i * c->in + k] * c->w[j * c->in + k];
				y[i * c->out + j] = a;
			}
		break;
	case OP_RMSNORM:
		ny = (size_t)c->n * c->c;
		y = malloc(sizeof(double) * ny);
		for (int i = 0; i < c->n; i++) {
			double ss = 0;
			for (int j = 0; j < c->c; j++)
				ss += c->x[i * c->c + j] * c->x[i * c->c + j];
			for (int j = 0; j < c->c; j++)
				y[i * c->c + j] = c->x[i * c->c + j] / sqrt(ss / c->c + 1e-5) * c->w[j];
		}
		break;
	case OP_ROPE: /* half-split rotation of each head */
		ny = (size_t)c->n * c->heads * c->hd;
		y = malloc(sizeof(double) * ny);
		for (int i = 0; i < c->n; i++)
			for (int h = 0; h < c->heads; h++)
				for (int j = 0; j < c->hd; j++) {
					int half = c->hd / 2, jj = j % half;
					const double *x = c->x + ((size_t)i * c->heads + h) * c->hd;
					double cs = c->cs[i * c->hd + jj], sn = c->cs[i * c->hd + half + jj];
					double rot = j < half ? -x[j + half] : x[j - half];
					y[((size_t)i * c->heads + h) * c->hd + j] = x[j] * cs + rot * sn;
				}
		break;
	case OP_SWIGLU: /* x = gate, w = up */
		ny = (size_t)c->n;
		y = malloc(sizeof(double) * ny);
		for (size_t i = 0; i < ny; i++)
			y[i] = c->x[i] / (1 + exp(-c->x[i])) * c->w[i];
		break;
	default: /* OP_XENT: x = logits n x v */
		for (int i = 0; i < c->n; i++)
			s += c->tw[i] * ref_nll(c->x + (size_t)i * c->v, c->v, c->targets[i]);
		return s;
	}
	for (size_t i = 0; i < ny; i++)
		s += c->dy[i] * y[i];
	free(y);
	return s;
}

static void assert_grad_close(const char *what, size_t i, double num, double an)
{
	if (fabs(num - an) > 2e-3 * (fabs(num) + fabs(an)) + 2e-5) {
		fprintf(stderr, "%s[%zu]: finite difference %.8g, analytic %.8g\n", what, i, num, an);
		fail();
	}
}

/* Compare the analytic gradient g of array x (n doubles, part of ctx) with central differences. */
static void check_array(struct op_ctx *c, const char *what, double *x, size_t n, const float *g)
{
	for (size_t i = 0; i < n; i++) {
		double save = x[i];
		x[i] = save + FD_H;
		double fp = op_objective(c);
		x[i] = save - FD_H;
		double fm = op_objective(c);
		x[i] = save;
		assert_grad_close(what, i, (fp - fm) / (2 * FD_H), g[i]);
	}
}

static float *random_floats(struct clm_rng *r, size_t n, double scale)
{
	float *f = malloc(sizeof(float) * n);
	for (size_t i = 0; i < n; i++)
		f[i] = (float)(scale * clm_rng_normal(r));
	return f;
}

static double *to_double(const float *f, size_t n)
{
	double *d = malloc(sizeof(double) * n);
	for (size_t i = 0; i < n; i++)
		d[i] = f[i];
	return d;
}

static void linear_gradient(void **state)
{
	struct clm_rng r;
	int n = 5, in = 7, out = 6;
	(void)state;
	clm_rng_seed(&r, 1);
	float *x = random_floats(&r, n * in, 1), *w = random_floats(&r, in * out, 0.5), *b = random_floats(&r, out, 1);
	float *dy = random_floats(&r, n * out, 1), *y = malloc(sizeof(float) * n * out);
	float *dx = calloc(n * in, 4), *dw = calloc(in * out, 4), *db = calloc(out, 4);
	clm_linear_forward(y, x, w, b, n, in, out);
	clm_linear_backward(dx, dw, db, dy, x, w, n, in, out);
	struct op_ctx c = { .kind = OP_LINEAR, .n = n, .in = in, .out = out, .x = to_double(x, n * in),
			    .w = to_double(w, in * out), .b = to_double(b, out), .dy = to_double(dy, n * out) };
	check_array(&c, "linear dx", c.x, n * in, dx);
	check_array(&c, "linear dW", c.w, in * out, dw);
	check_array(&c, "linear db", c.b, out, db);
	free(c.x), free(c.w), free(c.b), free(c.dy);
	free(x), free(w), free(b), free(dy), free(y), free(dx), free(dw), free(db);
}

static void layernorm_gradient(void **state)
{
	struct clm_rng r;
	int n = 4, C = 9;
	(void)state;
	clm_rng_seed(&r, 2);
	float *x = random_floats(&r, n * C, 2), *w = random_floats(&r, C, 1), *b = random_floats(&r, C, 1);
	float *dy = random_floats(&r, n * C, 1), *y = malloc(sizeof(float) * n * C), mean[4], rstd[4];
	float *dx = calloc(n * C, 4), *dw = calloc(C, 4), *db = calloc(C, 4);
	clm_layernorm_forward(y, mean, rstd, x, w, b, n, C, 1e-5f);
	clm_layernorm_backward(dx, dw, db, dy, x, mean, rstd, w, n, C);
	struct op_ctx c = { .kind = OP_LAYERNORM, .n = n, .c = C, .x = to_double(x, n * C), .w = to_double(w, C),
			    .b = to_double(b, C), .dy = to_double(dy, n * C) };
	double *yr = malloc(sizeof(double) * n * C);
	ref_layernorm(yr, c.x, c.w, c.b, n, C, 1e-5);
	for (int i = 0; i < n * C; i++)
		assert_true(fabs(yr[i] - y[i]) < 1e-5);
	check_array(&c, "layernorm dx", c.x, n * C, dx);
	check_array(&c, "layernorm dw", c.w, C, dw);
	check_array(&c, "layernorm db", c.b, C, db);
	free(yr), free(c.x), free(c.w), free(c.b), free(c.dy);
	free(x), free(w), free(b), free(dy), free(y), free(dx), free(dw), free(db);
}

static void gelu_gradient(void **state)
{
	struct clm_rng r;
	int n = 40;
	(void)state;
	clm_rng_seed(&r, 3);
	float *x = random_floats(&r, n, 2), *dy = random_floats(&r, n, 1), *y = malloc(4 * n), *dx = calloc(n, 4);
	clm_gelu_forward(y, x, n);
	clm_gelu_backward(dx, x, dy, n);
	struct op_ctx c = { .kind = OP_GELU, .n = n, .x = to_double(x, n), .dy = to_double(dy, n) };
	for (int i = 0; i < n; i++)
		assert_true(fabs(ref_gelu1(c.x[i]) - y[i]) < 1e-6);
	check_array(&c, "gelu dx", c.x, n, dx);
	free(c.x), free(c.dy), free(x), free(dy), free(y), free(dx);
}

static void linear_hf_gradient(void **state)
{
	struct clm_rng r;
	int n = 5, in = 7, out = 6;
	(void)state;
	clm_rng_seed(&r, 21);
	float *x = random_floats(&r, n * in, 1), *w = random_floats(&r, in * out, 0.5), *b = random_floats(&r, out, 1);
	float *dy = random_floats(&r, n * out, 1), *y = malloc(sizeof(float) * n * out);
	float *dx = calloc(n * in, 4), *dw = calloc(in * out, 4), *db = calloc(out, 4);
	clm_linear_hf_forward(y, x, w, b, n, in, out);
	clm_linear_hf_backward(dx, dw, db, dy, x, w, n, in, out);
	struct op_ctx c = { .kind = OP_LINEAR_HF, .n = n, .in = in, .out = out, .x = to_double(x, n * in),
			    .w = to_double(w, in * out), .b = to_double(b, out), .dy = to_double(dy, n * out) };
	check_array(&c, "linear_hf dx", c.x, n * in, dx);
	check_array(&c, "linear_hf dW", c.w, in * out, dw);
	check_array(&c, "linear_hf db", c.b, out, db);
	free(c.x), free(c.w), free(c.b), free(c.dy);
	free(x), free(w), free(b), free(dy), free(y), free(dx), free(dw), free(db);
}

static void rmsnorm_gradient(void **state)
{
	struct clm_rng r;
	int n = 4, C = 9;
	(void)state;
	clm_rng_seed(&r, 22);
	float *x = random_floats(&r, n * C, 2), *w = random_floats(&r, C, 1), *dy = random_floats(&r, n * C, 1);
	float *y = malloc(sizeof(float) * n * C), rstd[4], *dx = calloc(n * C, 4), *dw = calloc(C, 4);
	clm_rmsnorm_forward(y, rstd, x, w, n, C, 1e-5f);
	clm_rmsnorm_backward(dx, dw, dy, x, rstd, w, n, C);
	struct op_ctx c = { .kind = OP_RMSNORM, .n = n, .c = C, .x = to_double(x, n * C), .w = to_double(w, C),
			    .dy = to_double(dy, n * C) };
	check_array(&c, "rmsnorm dx", c.x, n * C, dx);
	check_array(&c, "rmsnorm dw", c.w, C, dw);
	free(c.x), free(c.w), free(c.dy), free(x), free(w), free(dy), free(y), free(dx), free(dw);
}

/* Rotary embedding: forward against the definition, backward by finite differences, and the
 * backward is the inverse rotation (forward then backward gives the input back). */
static void rope_gradient(void **state)
{
	struct clm_rng r;
	int n = 5, heads = 3, hd = 6, pos[5] = { 0, 1, 2, 7, 40 };
	float inv_freq[3] = { 1.0f, 0.2f, 0.01f }, cs[5 * 6];
	(void)state;
	clm_rng_seed(&r, 23);
	size_t nx = (size_t)n * heads * hd;
	float *x = random_floats(&r, nx, 1), *dy = random_floats(&r, nx, 1), *y = malloc(4 * nx), *dx = malloc(4 * nx);
	clm_rope_angles(cs, pos, n, inv_freq, hd);
	assert_true(fabsf(cs[3 * hd + 1] - cosf(7 * 0.2f)) < 1e-6f && fabsf(cs[4 * hd + 3] - sinf(40.0f)) < 1e-6f);
	memcpy(y, x, 4 * nx);
	clm_rope_forward(y, heads * hd, n, heads, hd, cs);
	memcpy(dx, dy, 4 * nx);
	clm_rope_backward(dx, heads * hd, n, heads, hd, cs);
	struct op_ctx c = { .kind = OP_ROPE, .n = n, .heads = heads, .hd = hd, .x = to_double(x, nx),
			    .dy = to_double(dy, nx), .cs = to_double(cs, (size_t)n * hd) };
	check_array(&c, "rope dx", c.x, nx, dx);
	clm_rope_backward(y, heads * hd, n, heads, hd, cs);
	for (size_t i = 0; i < nx; i++)
		assert_true(fabsf(y[i] - x[i]) < 1e-5f);
	free(c.x), free(c.dy), free(c.cs), free(x), free(dy), free(y), free(dx);
}

static void swiglu_gradient(void **state)
{
	struct clm_rng r;
	int n = 40;
	(void)state;
	clm_rng_seed(&r, 24);
	float *g = random_floats(&r, n, 2), *u = random_floats(&r, n, 1), *dh = random_floats(&r, n, 1);
	float *h = malloc(4 * n), *dg = calloc(n, 4), *du = calloc(n, 4);
	clm_swiglu_forward(h, g, u, n);
	clm_swiglu_backward(dg, du, dh, g, u, n);
	struct op_ctx c = { .kind = OP_SWIGLU, .n = n, .x = to_double(g, n), .w = to_double(u, n), .dy = to_double(dh, n) };
	check_array(&c, "swiglu dgate", c.x, n, dg);
	check_array(&c, "swiglu dup", c.w, n, du);
	free(c.x), free(c.w), free(c.dy), free(g), free(u), free(dh), free(h), free(dg), free(du);
}

/* nq < nk covers the key/value-cache case (queries are the last positions). */
static void attention_case(int nq, int nk, uint64_t seed)
{
	struct clm_rng r;
	int hd = 4;
	clm_rng_seed(&r, seed);
	float *q = random_floats(&r, nq * hd, 1), *k = random_floats(&r, nk * hd, 1), *v = random_floats(&r, nk * hd, 1);
	float *dy = random_floats(&r, nq * hd, 1), *y = malloc(4 * nq * hd), *probs = malloc(4 * nq * nk);
	float *dq = calloc(nq * hd, 4), *dk = calloc(nk * hd, 4), *dv = calloc(nk * hd, 4), *scr = malloc(4 * nq * nk);
	clm_attention_forward(y, hd, probs, q, hd, k, hd, v, hd, nq, nk, hd);
	clm_attention_backward(dq, dk, dv, dy, hd, probs, q, hd, k, hd, v, hd, nq, nk, hd, scr);
	struct op_ctx c = { .kind = OP_ATTENTION, .nq = nq, .nk = nk, .hd = hd, .x = to_double(q, nq * hd),
			    .w = to_double(k, nk * hd), .b = to_double(v, nk * hd), .dy = to_double(dy, nq * hd) };
	check_array(&c, "attention dq", c.x, nq * hd, dq);
	check_array(&c, "attention dk", c.w, nk * hd, dk);
	check_array(&c, "attention dv", c.b, nk * hd, dv);
	free(c.x), free(c.w), free(c.b), free(c.dy);
	free(q), free(k), free(v), free(dy), free(y), free(probs), free(dq), free(dk), free(dv), free(scr);
}

static void attention_gradient(void **state)
{
	(void)state;
	attention_case(6, 6, 4);
	attention_case(2, 7, 5);
}

static void xent_and_logits_gradient(void **state)
{
	struct clm_rng r;
	int n = 4, V = 10, C = 5;
	int32_t targets[4] = { 3, 0, 9, 3 };
	float tw[4] = { 1, 0, 0.5f, 2 };
	(void)state;
	clm_rng_seed(&r, 6);
	float *logits = random_floats(&r, n * V, 3);
	double *x = to_double(logits, n * V), twd[4] = { 1, 0, 0.5, 2 };
	double loss = clm_xent_forward_backward(logits, targets, tw, n, V, 1.0f, NULL);
	struct op_ctx c = { .kind = OP_XENT, .n = n, .v = V, .x = x, .targets = targets, .tw = twd };
	assert_true(fabs(loss - op_objective(&c)) < 1e-5);
	check_array(&c, "xent dlogits", c.x, n * V, logits);
	free(x), free(logits);

	float *h = random_floats(&r, n * C, 1), *E = random_floats(&r, V * C, 1), *dy = random_floats(&r, n * V, 1);
	float *y = malloc(4 * n * V), *dh = calloc(n * C, 4), *dE = calloc(V * C, 4);
	clm_tied_logits_forward(y, h, E, n, C, V);
	clm_tied_logits_backward(dh, dE, dy, h, E, n, C, V);
	struct op_ctx t = { .kind = OP_LOGITS, .n = n, .c = C, .v = V, .x = to_double(h, n * C), .w = to_double(E, V * C),
			    .dy = to_double(dy, n * V) };
	check_array(&t, "logits dh", t.x, n * C, dh);
	check_array(&t, "logits dE", t.w, V * C, dE);
	free(t.x), free(t.w), free(t.dy), free(h), free(E), free(dy), free(y), free(dh), free(dE);
}

/* A tiny model with a prompt table and two LoRA sets whose B matrices are non-zero. */
static void tiny_model(struct clm_gpt *m)
{
	struct clm_gpt_config cfg = { .n_layer = 2, .n_head = 2, .n_embd = 8, .n_positions = 16, .vocab_size = 11,
					       .layer_norm_epsilon = 1e-5f };
	struct clm_rng r;
	assert_int_equal(clm_gpt_init(m, &cfg, 7), 0);
	assert_int_equal(clm_gpt_set_prompt_rows(m, 4, 8), 0);
	assert_int_equal(clm_gpt_add_lora(m, 2, 4.0f, 9), 0);
	assert_int_equal(clm_gpt_add_lora(m, 3, 3.0f, 10), 1);
	clm_rng_seed(&r, 11);
	for (size_t i = 0; i < m->n_params; i++) {
		struct clm_param *p = &m->params[i];
		/* larger than GPT-2's init so every path carries a visible gradient */
		for (size_t j = 0; j < p->n; j++)
			p->w[j] += (float)(0.3 * clm_rng_normal(&r));
	}
}

/* Three examples of different lengths: a prompt prefix, both adapter sets, zero-weight sources. */
static void tiny_batch(struct clm_batch *b)
{
	int32_t t0[] = { 1, 5, 2, 7, 3 }, t1[] = { 4, 4, 9, 10, 0, 2, 6, 8 }, t2[] = { 3, 6 };
	float w1[] = { 0, 0, 0, 1, 1, 1, 0.5f, 1 };
	int32_t pre0[] = { 2, 0, 3 }, pre2[] = { 1 };
	assert_int_equal(clm_batch_add(b, t0, 5, NULL, pre0, 3, 1), 0);
	assert_int_equal(clm_batch_add(b, t1, 8, w1, NULL, 0, -1), 0);
	assert_int_equal(clm_batch_add(b, t2, 2, NULL, pre2, 1, 0), 0);
}

static void model_gradient(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	float loss;
	(void)state;
	tiny_model(&m);
	tiny_batch(&b);
	double **p = ref_params(&m);
	clm_gpt_zero_grad(&m);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	double ref = ref_loss(&m, p, &b);
	assert_true(fabs(ref - loss) < 1e-5 * fabs(ref));
	size_t checked = 0;
	for (size_t i = 0; i < m.n_params; i++) {
		struct clm_param *pa = &m.params[i];
		assert_non_null(pa->g);
		/* a spread of entries per tensor; every entry of small ones */
		size_t step = pa->n > 40 ? pa->n / 23 + 1 : 1;
		for (size_t j = 0; j < pa->n; j += step) {
			double save = p[i][j];
			p[i][j] = save + FD_H;
			double fp = ref_loss(&m, p, &b);
			p[i][j] = save - FD_H;
			double fm = ref_loss(&m, p, &b);
			p[i][j] = save;
			assert_grad_close(pa->name, j, (fp - fm) / (2 * FD_H), pa->g[j]);
			checked++;
		}
	}
	assert_true(checked > 500);
	ref_params_free(&m, p);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

/* Each example's loss is the same alone as packed with others of different lengths. */
static void packing_keeps_examples_independent(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT, one = CLM_BATCH_INIT;
	float loss, per[3], alone;
	(void)state;
	tiny_model(&m);
	tiny_batch(&b);
	assert_int_equal(clm_gpt_loss(&m, &b, &loss, NULL, per), 0);
	for (int e = 0; e < 3; e++) {
		clm_batch_clear(&one);
		assert_int_equal(clm_batch_add(&one, b.tokens + b.tok_off[e], clm_batch_len(&b, e), b.weight + b.tok_off[e],
					       b.prefix_ids + b.prefix_off[e], clm_batch_prefix_len(&b, e), b.adapter[e]),
				 0);
		assert_int_equal(clm_gpt_loss(&m, &one, &alone, NULL, NULL), 0);
		assert_true(fabsf(alone - per[e]) <= 1e-5f * fabsf(alone));
	}
	clm_batch_release(&one);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

/* Zero-weight tokens are inputs but not targets, and a batch without weights has loss 0 and
 * leaves the gradients untouched. */
static void masked_tokens_do_not_count(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t a[] = { 1, 2, 3, 4 }, c[] = { 1, 2, 9, 4 };
	float w[] = { 1, 1, 0, 1 }, zero[] = { 0, 0, 0, 0 }, la, lc;
	(void)state;
	tiny_model(&m);
	/* token 2 is not a target, but it is an input for predicting token 3: only its own term drops */
	clm_batch_add(&b, a, 4, w, NULL, 0, -1);
	assert_int_equal(clm_gpt_loss(&m, &b, &la, NULL, NULL), 0);
	clm_batch_clear(&b);
	clm_batch_add(&b, c, 3, w, NULL, 0, -1);
	clm_batch_add(&b, a, 3, w, NULL, 0, -1);
	assert_int_equal(clm_gpt_loss(&m, &b, &lc, NULL, NULL), 0);
	/* both examples: only token 1 ("2") counts, with identical context [1] */
	clm_batch_clear(&b);
	clm_batch_add(&b, a, 2, NULL, NULL, 0, -1);
	float l2;
	assert_int_equal(clm_gpt_loss(&m, &b, &l2, NULL, NULL), 0);
	assert_true(fabsf(lc - l2) <= 1e-6f * fabsf(l2));
	assert_true(la != lc);

	clm_batch_clear(&b);
	clm_batch_add(&b, a, 4, zero, NULL, 0, -1);
	clm_gpt_zero_grad(&m);
	float loss = 1;
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	assert_true(loss == 0.0f);
	for (size_t i = 0; i < m.n_params; i++)
		for (size_t j = 0; j < m.params[i].n; j++)
			assert_true(m.params[i].g[j] == 0.0f);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

/* Frozen parameters get no gradient buffer; the trainable ones still match the reference. */
static void frozen_backbone_prompt_gradient(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	float loss;
	(void)state;
	tiny_model(&m);
	tiny_batch(&b);
	assert_true(clm_gpt_set_trainable(&m, "", 0) > 0);
	assert_int_equal(clm_gpt_set_trainable(&m, "clm.prompt", 1), 1);
	assert_int_equal(clm_gpt_trainable_count(&m), 4 * 8);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), 0);
	double **p = ref_params(&m);
	struct clm_param *pp = &m.params[m.prompt_param];
	for (size_t j = 0; j < pp->n; j++) {
		double save = p[m.prompt_param][j];
		p[m.prompt_param][j] = save + FD_H;
		double fp = ref_loss(&m, p, &b);
		p[m.prompt_param][j] = save - FD_H;
		double fm = ref_loss(&m, p, &b);
		p[m.prompt_param][j] = save;
		assert_grad_close("prompt", j, (fp - fm) / (2 * FD_H), pp->g[j]);
	}
	for (size_t i = 0; i < m.n_params; i++)
		if ((int)i != m.prompt_param)
			assert_null(m.params[i].g);
	ref_params_free(&m, p);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

static void bad_batches_are_rejected(void **state)
{
	struct clm_gpt m;
	struct clm_batch b = CLM_BATCH_INIT;
	int32_t bad_tok[] = { 1, 11 }, ok[] = { 1, 2 }, pre[] = { 4 };
	int32_t long_seq[17] = { 0 };
	float loss;
	(void)state;
	tiny_model(&m);
	clm_batch_add(&b, bad_tok, 2, NULL, NULL, 0, -1);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), CLM_EINVALID);
	assert_non_null(strstr(clm_error(), "vocabulary"));
	clm_batch_clear(&b);
	clm_batch_add(&b, ok, 2, NULL, pre, 1, -1);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), CLM_EINVALID);
	clm_batch_clear(&b);
	clm_batch_add(&b, ok, 2, NULL, NULL, 0, 2);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), CLM_EINVALID);
	clm_batch_clear(&b);
	clm_batch_add(&b, long_seq, 17, NULL, NULL, 0, -1);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), CLM_EINVALID);
	clm_batch_clear(&b);
	assert_int_equal(clm_gpt_forward_backward(&m, &b, &loss), CLM_EINVALID);
	/* source cut from the left to fit, counted */
	int32_t src[14] = { 0 }, tgt[3] = { 1, 2, 3 };
	assert_int_equal(clm_batch_add_pair(&b, src, 14, tgt, 3, pre, 1, -1, 16), 2);
	assert_int_equal(clm_batch_len(&b, 0), 15);
	assert_int_equal((int)b.truncated, 2);
	clm_batch_release(&b);
	clm_gpt_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_gradient),
		cmocka_unit_test(layernorm_gradient),
		cmocka_unit_test(gelu_gradient),
		cmocka_unit_test(attention_gradient),
		cmocka_unit_test(xent_and_logits_gradient),
		cmocka_unit_test(linear_hf_gradient),
		cmocka_unit_test(rmsnorm_gradient),
		cmocka_unit_test(rope_gradient),
		cmocka_unit_test(swiglu_gradient),
		cmocka_unit_test(model_gradient),
		cmocka_unit_test(packing_keeps_examples_independent),
		cmocka_unit_test(masked_tokens_do_not_count),
		cmocka_unit_test(frozen_backbone_prompt_gradient),
		cmocka_unit_test(bad_batches_are_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
