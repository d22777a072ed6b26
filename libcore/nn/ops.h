/* The engine's operations, each forward beside its backward. Activations are row-major [rows x
 * width]; every matrix product goes through cblas_sgemm. Backward functions ADD into the gradient
 * buffers they are given (NULL means "not needed"), so gradients of shared inputs accumulate. */
#ifndef CLM_NN_OPS_H
#define CLM_NN_OPS_H

#include <stdint.h>

/* y[n x out] = alpha * x[n x in] W[in x out] (+ y when accumulate); W stored in x out (Conv1D). */
void clm_matmul_forward(float *y, const float *x, const float *W, int n, int in, int out, float alpha,
			int accumulate);

/* dx += alpha * dy W^T; dW += alpha * x^T dy (each skipped when NULL). */
void clm_matmul_backward(float *dx, float *dW, const float *dy, const float *x, const float *W, int n, int in,
			 int out, float alpha);

/* y = x W + bias (bias may be NULL). */
void clm_linear_forward(float *y, const float *x, const float *W, const float *bias, int n, int in, int out);

/* dx += dy W^T, dW += x^T dy, dbias += column sums of dy (each skipped when NULL). */
void clm_linear_backward(float *dx, float *dW, float *dbias, const float *dy, const float *x, const float *W,
			 int n, int in, int out);

/* y = x W^T + bias with W stored out x in (nn.Linear, the Llama family); bias may be NULL. */
void clm_linear_hf_forward(float *y, const float *x, const float *W, const float *bias, int n, int in, int out);

/* dx += dy W, dW += dy^T x, dbias += column sums of dy (each skipped when NULL). */
void clm_linear_hf_backward(float *dx, float *dW, float *dbias, const float *dy, const float *x, const float *W,
			    int n, int in, int out);

/* logits[n x v] = h[n x c] E^T with the token embedding E [v x c] (the tied output projection). */
void clm_tied_logits_forward(float *logits, const float *h, const float *E, int n, int c, int v);

/* dh += dlogits E, dE += dlogits^T h (each skipped when NULL). */
void clm_tied_logits_backward(float *dh, float *dE, const float *dlogits, const float *h, const float *E, int n,
			      int c, int v);

/* y = (x - mean) * rstd * w + b per row; saves mean and rstd (n each) for the backward. */
void clm_layernorm_forward(float *y, float *mean, float *rstd, const float *x, const float *w, const float *b,
			   int n, int c, float eps);

/* dx += ..., dw += ..., db += ... for the layer norm above. */
void clm_layernorm_backward(float *dx, float *dw, float *db, const float *dy, const float *x, const float *mean,
			    const float *rstd, const float *w, int n, int c);

/* RMSNorm: y = x * rstd * w per row with rstd = 1 / sqrt(mean(x^2) + eps); saves rstd (n). */
void clm_rmsnorm_forward(float *y, float *rstd, const float *x, const float *w, int n, int c, float eps);

/* dx += ..., dw += ... for the RMSNorm above. */
void clm_rmsnorm_backward(float *dx, float *dw, const float *dy, const float *x, const float *rstd, const float *w,
			  int n, int c);

/* Rotary embedding, Hugging Face's half-split convention, in place on n rows of `heads` heads of
 * width hd (row stride ld): with cs the row's [cos(hd/2) | sin(hd/2)] (clm_rope_angles),
 * x1' = x1 cos - x2 sin, x2' = x2 cos + x1 sin for the halves x1, x2 of each head. */
void clm_rope_forward(float *x, int ld, int n, int heads, int hd, const float *cs);

/* Backward (the inverse rotation) of clm_rope_forward, in place on the gradient. */
void clm_rope_backward(float *dx, int ld, int n, int heads, int hd, const float *cs);

/* Fill cs[n x hd] with cos | sin of pos[i] * inv_freq[j] for j < hd/2. */
void clm_rope_angles(float *cs, const int *pos, int n, const float *inv_freq, int hd);

/* SwiGLU: h = silu(g) * u, n elements. */
void clm_swiglu_forward(float *h, const float *g, const float *u, long n);

/* dg += dh * u * silu'(g), du += dh * silu(g). */
void clm_swiglu_backward(float *dg, float *du, const float *dh, const float *g, const float *u, long n);

/* y = GELU(x) with the tanh approximation ("gelu_new"), n elements. */
void clm_gelu_forward(float *y, const float *x, long n);

/* dx += GELU'(x) * dy. */
void clm_gelu_backward(float *dx, const float *x, const float *dy, long n);

/* One head of causal attention: nq queries are the last nq of nk positions (query i sees keys
 * 0 .. nk - nq + i). q, k, v have row strides ldq, ldk, ldv and hd columns; out gets row stride
 * ldo. probs [nq x nk] receives the attention weights (zeros above the diagonal). */
void clm_attention_forward(float *out, int ldo, float *probs, const float *q, int ldq, const float *k, int ldk,
			   const float *v, int ldv, int nq, int nk, int hd);

/* Backward of the head above: dq, dk, dv += ... (same strides as their inputs); scratch holds
 * nq * nk floats. */
void clm_attention_backward(float *dq, float *dk, float *dv, const float *dout, int ldo, const float *probs,
			    const float *q, int ldq, const float *k, int ldk, const float *v, int ldv, int nq, int nk,
			    int hd, float *scratch);

/* Cross-entropy of each logits row [v wide] against targets[i] with weight w[i]: returns the sum of
 * w[i] * -log softmax(logits_i)[target_i] in double, and when grad_scale != 0 overwrites each row
 * with its gradient times w[i] * grad_scale. Rows with weight 0 get a zero gradient. */
double clm_xent_forward_backward(float *logits, const int32_t *targets, const float *w, int rows, int v,
				 float grad_scale, float *row_loss);

#endif
