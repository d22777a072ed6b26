/* AdamW for the engine's trainable parameters: bias correction, decoupled weight decay (optionally
 * only on weight matrices), global-norm gradient clipping, linear warmup then cosine, linear or
 * constant decay, gradient accumulation. State (step and moments) saves to and loads from a tensor
 * list, so a stopped and resumed run gives the same weights as an unbroken one. */
#ifndef CLM_NN_OPTIM_H
#define CLM_NN_OPTIM_H

#include <stdint.h>
#include "nn/tensors.h"
#include "nn/model.h"

enum clm_lr_schedule { CLM_LR_CONSTANT = 0, CLM_LR_LINEAR, CLM_LR_COSINE };

struct clm_adamw_config {
	float lr;             /* peak learning rate */
	float beta1, beta2;   /* 0.9, 0.999 */
	float eps;            /* 1e-8 */
	float weight_decay;   /* decoupled: w -= lr_t * wd * w */
	int decay_all;        /* 0: decay only params with decay=1 (no biases, norms, embeddings, prompts) */
	float clip_norm;      /* clip the global gradient norm to this; <= 0 disables */
	int warmup_steps;     /* linear warmup from 0 to lr over this many steps */
	int total_steps;      /* schedule length (steps after warmup decay towards min_lr_ratio * lr) */
	enum clm_lr_schedule schedule;
	float min_lr_ratio;   /* floor of the decay as a fraction of lr */
};

/* Sensible defaults: lr 3e-4, betas 0.9/0.999, eps 1e-8, weight decay 0.01 on matrices only,
 * clip 1.0, no warmup, constant schedule. */
void clm_adamw_defaults(struct clm_adamw_config *c);

struct clm_adamw_moment; /* per-parameter first/second moments, keyed by parameter name */

struct clm_adamw {
	struct clm_adamw_config cfg;
	int64_t step;                    /* optimizer steps taken */
	struct clm_adamw_moment *moments; /* owned */
	size_t n_moments, alloc;
	float last_grad_norm;            /* global norm before clipping, of the last step */
	float last_lr;                   /* learning rate used by the last step */
};

/* Start an optimizer with no steps taken. Release with clm_adamw_release. */
void clm_adamw_init(struct clm_adamw *o, const struct clm_adamw_config *cfg);

/* Free the moments. */
void clm_adamw_release(struct clm_adamw *o);

/* Learning rate at step `step` (0-based) under the config's warmup and schedule. */
float clm_adamw_lr_at(const struct clm_adamw_config *c, int64_t step);

/* One update of every trainable parameter of `m` from its gradient divided by `n_accum` (the
 * number of clm_gpt_forward_backward calls since the last zeroing), with clipping; then zeroes the
 * gradients. Frozen parameters (and trainable ones with no gradient buffer yet) are never read or
 * written. 0 or CLM_ENOMEM / CLM_EINVALID
 * (non-finite gradient: nothing is updated, gradients are zeroed). */
int clm_adamw_step(struct clm_adamw *o, struct clm_gpt *m, int n_accum);

/* Append the state to `out` as "clm.optim.step" (I64 scalar) and "clm.optim.m.<param>",
 * "clm.optim.v.<param>" (F32, flattened). 0 or a negative code. */
int clm_adamw_save(const struct clm_adamw *o, struct clm_tensor_list *out);

/* Replace the state by the one in `in` (config is not stored: pass the same config to init).
 * Missing moments start at zero. 0 or CLM_EINVALID (shape mismatch, bad step tensor). */
int clm_adamw_load(struct clm_adamw *o, const struct clm_tensor_list *in);

#endif
