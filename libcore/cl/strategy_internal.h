/* Shared by the strategy implementations (strategy_*.c), not part of the public API. */
#ifndef CLM_CL_STRATEGY_INTERNAL_H
#define CLM_CL_STRATEGY_INTERNAL_H

#include "cl/strategy.h"

extern const struct clm_strategy_ops clm_cl_seqft_ops;
extern const struct clm_strategy_ops clm_cl_mtl_ops;
extern const struct clm_strategy_ops clm_cl_ewc_ops;
extern const struct clm_strategy_ops clm_cl_lora_ops;
extern const struct clm_strategy_ops clm_cl_spt_ops;
extern const struct clm_strategy_ops clm_cl_tspt_ops;
extern const struct clm_strategy_ops clm_cl_pp_ops;
extern const struct clm_strategy_ops clm_cl_pptf_ops;

/* Make exactly the parameters whose names start with `prefix` trainable ("" = the backbone and
 * everything else); all others frozen. 0 or a negative code. */
int clm_cl_train_only(struct clm_gpt *m, const char *prefix);

/* Per-task prototypes for choosing a task without its id: the mean pooled hidden state of the
 * frozen backbone over a sample of each task's training sources. */
struct clm_cl_prototypes {
	float *mean; /* owned; n x dim */
	size_t n, dim, mean_alloc; /* mean_alloc: floats allocated */
};

/* Append the prototype of `train` (up to `samples` examples, encoded with s->encoder). */
int clm_cl_prototype_add(struct clm_cl_prototypes *p, struct clm_strategy *s, struct clm_gpt *m,
			 const struct clm_dataset *train, size_t samples);

/* For each example of `bare`, the index of the prototype with the highest cosine similarity to
 * its pooled hidden state (0 when there are none) into task[]. */
int clm_cl_prototype_match(const struct clm_cl_prototypes *p, struct clm_gpt *m, const struct clm_batch *bare,
			   size_t *task);

/* Save as tensor `name` [n x dim] / load it back (absent tensor = no prototypes). */
int clm_cl_prototype_save(const struct clm_cl_prototypes *p, const char *name, struct clm_tensor_list *out);
int clm_cl_prototype_load(struct clm_cl_prototypes *p, const char *name, const struct clm_tensor_list *in);

/* Free the prototypes. */
void clm_cl_prototype_release(struct clm_cl_prototypes *p);

/* Deterministic sample of up to `max` examples of `ds` for end-of-task statistics: the examples
 * whose ids rank lowest (see clm_dataset_subsample). Caller releases `out`. */
int clm_cl_sample(const struct clm_dataset *ds, size_t max, struct clm_dataset *out);

/* A tensor of `in` called `name` as F32 with exactly `n` values (borrowed), or NULL with a message. */
const float *clm_cl_tensor_f32(const struct clm_tensor_list *in, const char *name, size_t n);

#endif
