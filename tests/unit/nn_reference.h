/* A double-precision reference of the engine's ops and of the whole GPT forward, written with plain
 * loops (no BLAS), independently of libcore/nn. Tests take finite differences of it as the
 * ground truth for the engine's float gradients. */
#ifndef CLM_TEST_NN_REFERENCE_H
#define CLM_TEST_NN_REFERENCE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "nn/model.h"

/* y[n x out] (+)= x[n x in] W[in x out] + bias */
static inline void ref_linear(double *y, const double *x, const double *W, const double *bias, int n, int in, int out,
		       int accumulate)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < out; j++) {
			double s = bias ? bias[j] : 0.0;
			for (int k = 0; k < in; k++)
				s += x[i * in + k] * W[k * out + j];
			y[i * out + j] = (accumulate ? y[i * out + j] : 0.0) + s;
		}
}

static inline void ref_layernorm(double *y, const double *x, const double *w, const double *b, int n, int c, double eps)
{
	for (int i = 0; i < n; i++) {
		double m = 0, v = 0;
		for (int j = 0; j < c; j++)
			m += x[i * c + j];
		m /= c;
		for (int j = 0; j < c; j++)
			v += (x[i * c + j] - m) * (x[i * c + j] - m);
		double r = 1.0 / sqrt(v / c + eps);
		for (int j = 0; j < c; j++)
			y[i * c + j] = (x[i * c + j] - m) * r * w[j] + b[j];
	}
}

static inline double ref_gelu1(double v)
{
	return 0.5 * v * (1.0 + tanh(sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
}

/* Causal single head: the nq queries are the last of nk positions. */
static inline void ref_attention(double *out, int ldo, const double *q, int ldq, const double *k, int ldk, const double *v,
			  int ldv, int nq, int nk, int hd)
{
	double *p = malloc(sizeof(double) * nk);
	for (int i = 0; i < nq; i++) {
		int seen = nk - nq + i + 1;
		double mx = -1e300, sum = 0;
		for (int j = 0; j < seen; j++) {
			double s = 0;
			for (int d = 0; d < hd; d++)
				s += q[i * ldq + d] * k[j * ldk + d];
			p[j] = s / sqrt((double)hd);
			mx = p[j] > mx ? p[j] : mx;
		}
		for (int j = 0; j < seen; j++)
			sum += (p[j] = exp(p[j] - mx));
		for (int d = 0; d < hd; d++) {
			double s = 0;
			for (int j = 0; j < seen; j++)
				s += p[j] / sum * v[j * ldv + d];
			out[i * ldo + d] = s;
		}
	}
	free(p);
}

/* -log softmax(row)[target] */
static inline double ref_nll(const double *row, int v, int target)
{
	double mx = row[0], sum = 0;
	for (int j = 1; j < v; j++)
		mx = row[j] > mx ? row[j] : mx;
	for (int j = 0; j < v; j++)
		sum += exp(row[j] - mx);
	return log(sum) + mx - row[target];
}

/* Copies of every parameter of m in double (free with ref_params_free). */
static inline double **ref_params(const struct clm_gpt *m)
{
	double **p = calloc(m->n_params, sizeof(*p));
	for (size_t i = 0; i < m->n_params; i++) {
		p[i] = malloc(sizeof(double) * m->params[i].n);
		for (size_t j = 0; j < m->params[i].n; j++)
			p[i][j] = m->params[i].w[j];
	}
	return p;
}

static inline void ref_params_free(const struct clm_gpt *m, double **p)
{
	for (size_t i = 0; i < m->n_params; i++)
		free(p[i]);
	free(p);
}

static inline size_t ref_index(const struct clm_gpt *m, const char *name)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (!strcmp(m->params[i].name, name))
			return i;
	abort();
}

static const double *ref_p(const struct clm_gpt *m, double **p, const char *fmt, int l)
{
	char name[128];
	snprintf(name, sizeof(name), fmt, l);
	return p[ref_index(m, name)];
}

/* y += LoRA set s of block l, projection proj (e.g. "attn.c_attn"), on n rows. */
static inline void ref_lora(const struct clm_gpt *m, double **p, int s, int l, const char *proj, double *y, const double *x,
		     int n, int in, int out)
{
	char a[128], bn[128];
	int r = m->lora[s].rank;
	double *u = malloc(sizeof(double) * n * r), *t = malloc(sizeof(double) * n * out);
	snprintf(a, sizeof(a), "clm.lora.%d.h.%d.%s.A", s, l, proj);
	snprintf(bn, sizeof(bn), "clm.lora.%d.h.%d.%s.B", s, l, proj);
	ref_linear(u, x, p[ref_index(m, a)], NULL, n, in, r, 0);
	ref_linear(t, u, p[ref_index(m, bn)], NULL, n, r, out, 0);
	for (int i = 0; i < n * out; i++)
		y[i] += m->lora[s].alpha / r * t[i];
	free(u);
	free(t);
}

/* Final hidden states (after ln_f) of example e: L x C, caller frees. */
static inline double *ref_hidden(const struct clm_gpt *m, double **p, const struct clm_batch *b, int e, int extras, int *L_out)
{
	int C = m->cfg.n_embd, H = m->cfg.n_head, hd = C / H;
	int np = extras ? clm_batch_prefix_len(b, e) : 0, len = clm_batch_len(b, e), L = np + len;
	int ad = extras ? b->adapter[e] : -1;
	double eps = m->cfg.layer_norm_epsilon;
	double *x = malloc(sizeof(double) * L * C), *ln = malloc(sizeof(double) * L * C);
	double *qkv = malloc(sizeof(double) * L * 3 * C), *att = malloc(sizeof(double) * L * C);
	double *h = malloc(sizeof(double) * L * 4 * C);

	for (int j = 0; j < L; j++)
		for (int c = 0; c < C; c++) {
			double v = j < np ? p[m->prompt_param][b->prefix_ids[b->prefix_off[e] + j] * C + c]
					  : p[0][b->tokens[b->tok_off[e] + j - np] * C + c];
			x[j * C + c] = v + p[1][j * C + c];
		}
	for (int l = 0; l < m->cfg.n_layer; l++) {
		ref_layernorm(ln, x, ref_p(m, p, "h.%d.ln_1.weight", l), ref_p(m, p, "h.%d.ln_1.bias", l), L, C, eps);
		ref_linear(qkv, ln, ref_p(m, p, "h.%d.attn.c_attn.weight", l), ref_p(m, p, "h.%d.attn.c_attn.bias", l), L,
			   C, 3 * C, 0);
		if (ad >= 0)
			ref_lora(m, p, ad, l, "attn.c_attn", qkv, ln, L, C, 3 * C);
		for (int hh = 0; hh < H; hh++)
			ref_attention(att + hh * hd, C, qkv + hh * hd, 3 * C, qkv + C + hh * hd, 3 * C, qkv + 2 * C + hh * hd,
				      3 * C, L, L, hd);
		double *y = ln; /* reuse */
		ref_linear(y, att, ref_p(m, p, "h.%d.attn.c_proj.weight", l), ref_p(m, p, "h.%d.attn.c_proj.bias", l), L,
			   C, C, 0);
		if (ad >= 0)
			ref_lora(m, p, ad, l, "attn.c_proj", y, att, L, C, C);
		for (int i = 0; i < L * C; i++)
			x[i] += y[i];
		ref_layernorm(ln, x, ref_p(m, p, "h.%d.ln_2.weight", l), ref_p(m, p, "h.%d.ln_2.bias", l), L, C, eps);
		ref_linear(h, ln, ref_p(m, p, "h.%d.mlp.c_fc.weight", l), ref_p(m, p, "h.%d.mlp.c_fc.bias", l), L, C,
			   4 * C, 0);
		if (ad >= 0)
			ref_lora(m, p, ad, l, "mlp.c_fc", h, ln, L, C, 4 * C);
		double *g = malloc(sizeof(double) * L * 4 * C);
		for (int i = 0; i < L * 4 * C; i++)
			g[i] = ref_gelu1(h[i]);
		ref_linear(y, g, ref_p(m, p, "h.%d.mlp.c_proj.weight", l), ref_p(m, p, "h.%d.mlp.c_proj.bias", l), L,
			   4 * C, C, 0);
		if (ad >= 0)
			ref_lora(m, p, ad, l, "mlp.c_proj", y, g, L, 4 * C, C);
		free(g);
		for (int i = 0; i < L * C; i++)
			x[i] += y[i];
	}
	ref_layernorm(ln, x, p[ref_index(m, "ln_f.weight")], p[ref_index(m, "ln_f.bias")], L, C, eps);
	free(x);
	free(qkv);
	free(att);
	free(h);
	*L_out = L;
	return ln;
}

/* The weighted mean next-token loss of the batch. */
static inline double ref_loss(const struct clm_gpt *m, double **p, const struct clm_batch *b)
{
	int C = m->cfg.n_embd, V = m->cfg.vocab_size;
	double total = 0, sw = 0;
	double *row = malloc(sizeof(double) * V);

	for (int e = 0; e < b->n; e++) {
		int L, np = clm_batch_prefix_len(b, e), len = clm_batch_len(b, e), t0 = b->tok_off[e];
		double *hid = ref_hidden(m, p, b, e, 1, &L);
		for (int i = 0; i + 1 < len; i++) {
			double w = b->weight[t0 + i + 1];
			if (w == 0.0)
				continue;
			for (int v = 0; v < V; v++) {
				double s = 0;
				for (int c = 0; c < C; c++)
					s += hid[(np + i) * C + c] * p[0][v * C + c];
				row[v] = s;
			}
			total += w * ref_nll(row, V, b->tokens[t0 + i + 1]);
			sw += w;
		}
		free(hid);
	}
	free(row);
	return sw ? total / sw : 0.0;
}

#endif
