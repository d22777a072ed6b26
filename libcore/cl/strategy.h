/* Continual-learning strategies behind one interface. A strategy decides, for a model learning a
 * stream of tasks, which parameters train (begin_task), what goes into each batch (compose), which
 * soft prompts and LoRA set each example uses (route, in training and at inference), what it adds
 * to the loss (extra_loss), what it remembers when a task ends (end_task), and how that memory is
 * saved (named tensors plus JSON). Replay is a flag that combines with any strategy ("ewc+replay").
 *
 * Strategies: seqft, mtl, replay, ewc, lora, spt, tspt, pp, pp-tf (see strategy_*.c).
 *
 * Saved state (clm_strategy_save), the strategy part of a model version's cl/ folder:
 *   JSON  {"strategy": "pp-tf+replay", "params": {every clm_cl_params field; seed as 16 hex digits},
 *          "tasks": [task names in learning order], "rng": [4 x 16 hex digits],
 *          "replay": {"capacity": M, "tasks": [[dataset example objects], ...]} (with +replay),
 *          "state": {strategy fields: mtl "tasks" (every task's examples); ewc "sets", "terms"
 *                    ([set, parameter] pairs); pp/pp-tf "key_step", "key_width"}}
 *   tensors (F32 unless noted):
 *     cl.histogram.train, cl.histogram.infer  I64 [tasks x keys] selection counts
 *     cl.ewc.<set>.fisher.<param>, cl.ewc.<set>.star.<param>  Fisher diagonal and theta*
 *     cl.pool.keys, cl.pool.keys_adam_m, cl.pool.keys_adam_v  [pool_size x n_embd]
 *     cl.prototypes  [tasks x n_embd] mean frozen-backbone query per task (lora, tspt)
 * The prompts and LoRA adapters themselves are model tensors ("clm.prompt.weight",
 * "clm.lora.<k>.*") and are saved with the model. pp-tf's key-to-task assignment is a pure
 * function of the params (clm_pptf_assign) and is recomputed on load. */
#ifndef CLM_CL_STRATEGY_H
#define CLM_CL_STRATEGY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "cl/replay_buffer.h"
#include "data/dataset.h"
#include "nn/tensors.h"
#include "nn/batch.h"
#include "nn/model.h"
#include "nn/rng.h"

/* Hyperparameters of every strategy; clm_cl_params_defaults gives the study's values. */
struct clm_cl_params {
	int replay;               /* mix a task-balanced replay buffer into batches */
	size_t replay_size;       /* M: examples kept over all past tasks (200) */
	double replay_ratio;      /* fraction of each batch drawn from the buffer (0.25) */
	double mtl_alpha;         /* mtl samples task t with probability ~ size_t^alpha (0.7) */
	double ewc_lambda;        /* penalty strength (1000) */
	int ewc_online;           /* one running Fisher, decayed by ewc_decay at each task (0) */
	double ewc_decay;         /* gamma of online EWC (0.9) */
	size_t fisher_samples;    /* examples of a finished task used for the Fisher diagonal (32) */
	int lora_rank;            /* 8 */
	float lora_alpha;         /* 16 */
	int prompt_len;           /* spt/tspt soft prompt length (100) */
	int pool_size;            /* pp/pp-tf keys (100) */
	int pool_prompt_len;      /* prompt tokens per key (5) */
	int top_k;                /* keys selected per example (20) */
	int pptf_shared;          /* keys shared by each pair of neighbouring tasks (2) */
	int planned_tasks;        /* pp-tf: tasks the keys are assigned to before training (4); later tasks share the last one's keys */
	double key_lr;            /* learning rate of prompt-pool keys (Adam; 0.01) */
	double key_loss_weight;   /* pp: loss adds -weight * sum of selected keys' cosine (0.1) */
	uint64_t seed;
};

/* Fill `p` with the defaults written above. */
void clm_cl_params_defaults(struct clm_cl_params *p);

/* Fit prompt sizes to a model's context: the study's 100 prompt tokens (spt/tspt) and 20 keys x 5
 * tokens (pp) assume 512 positions or more; shorter contexts get 20 tokens and 4 keys. */
void clm_cl_params_fit_context(struct clm_cl_params *p, int n_positions);

/* One example of a batch and the index (order of learning) of the task it belongs to. */
struct clm_cl_item {
	const struct clm_example *ex; /* borrowed from a dataset or the replay buffer */
	size_t task;
};

/* Which soft prompts and LoRA set an example uses. */
struct clm_cl_route {
	const int32_t *prefix; /* prompt-table rows; borrowed from the strategy, valid until its next route */
	int n_prefix;
	int adapter;           /* LoRA set, -1 none */
};

/* Why examples are routed: a training step follows, or inference with or without the task id
 * (without it, the strategy must not look at items[i].task, which is there only for the
 * selection histogram). */
enum clm_route_mode { CLM_ROUTE_TRAIN = 0, CLM_ROUTE_INFER_KNOWN, CLM_ROUTE_INFER_UNKNOWN };

/* Tokenizes one example as "source <sep> target" into `out` (appending; source weight 0, target
 * weight 1, no prefix, no adapter). Provided by the trainer, which knows the tokenizer. */
struct clm_cl_encoder {
	int (*encode)(void *ctx, const struct clm_example *ex, struct clm_batch *out);
	void *ctx; /* borrowed */
};

struct clm_strategy;

struct clm_strategy_ops {
	const char *name;
	int frozen_backbone; /* trains only prompts, keys or adapters (they may take their own learning rate) */
	/* Prepare the model for learning task s->ntasks (its training set `train`): trainable flags,
	 * new prompts or adapters. Called before training each task. */
	int (*begin_task)(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train);
	/* Fill n items for one training batch (NULL: uniformly from the current task). */
	int (*compose)(struct clm_strategy *s, const struct clm_dataset *train, struct clm_cl_item *items, size_t n);
	/* Choose each example's prompts and adapter. `bare` holds the examples tokenized with no
	 * prefix (source weight 0, target weight 1). NULL: no prefix, no adapter. */
	int (*route)(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
		     const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes);
	/* After the model's forward/backward of the last routed batch: add the strategy's loss to
	 * *loss, add its gradient to the model's gradients, and update parameters the strategy owns
	 * (prompt keys). NULL: nothing. */
	int (*extra_loss)(struct clm_strategy *s, struct clm_gpt *m, float *loss);
	/* Task s->ntasks has been learned: remember what the strategy needs (NULL: nothing). */
	int (*end_task)(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train);
	/* Append the strategy's own state (model prompt/adapter tensors are saved with the model). */
	int (*save)(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state);
	/* Restore what save wrote. */
	int (*load)(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state);
	/* Number of trainable scalars the strategy owns outside the model (keys). */
	size_t (*own_params)(const struct clm_strategy *s);
	/* Free the private state. */
	void (*release)(struct clm_strategy *s);
};

struct clm_strategy {
	const struct clm_strategy_ops *ops;
	struct clm_cl_params params;
	char name[32];                  /* as selected, e.g. "pp-tf+replay" */
	size_t ntasks;                  /* tasks learned so far (index of the current one while learning) */
	char **task_names;              /* owned; n_task_names entries (ntasks, +1 while learning) */
	size_t n_task_names, task_names_alloc;
	struct clm_rng rng;             /* batch composition and draws */
	struct clm_replay_buffer replay; /* used when params.replay */
	uint64_t *hist[2];              /* owned; selection counts [task][key] in training (0) and
					   inference (1), hist_rows x hist_cols each (prompt strategies) */
	size_t hist_rows, hist_cols;
	struct clm_cl_encoder encoder;  /* set by the trainer before end_task (Fisher, prototypes) */
	void *impl;                     /* owned by the strategy's ops */
};

/* Create the strategy called `name` ("seqft", "mtl", "replay", "ewc", "lora", "spt", "tspt",
 * "pp", "pp-tf", optionally followed by "+replay") with `params`. 0 or CLM_EINVALID naming the
 * known strategies. Release with clm_strategy_release. */
int clm_strategy_create(struct clm_strategy *s, const char *name, const struct clm_cl_params *params);

/* Names of the base strategies, NULL-terminated. */
const char *const *clm_strategy_names(void);

/* Start learning a task called `task` with training set `train` (calls ops->begin_task). */
int clm_strategy_begin_task(struct clm_strategy *s, struct clm_gpt *m, const char *task,
			    const struct clm_dataset *train);

/* Fill `n` batch items: the strategy's own choice, with round(replay_ratio * n) of them drawn
 * from the replay buffer when replay is on and the buffer is not empty. */
int clm_strategy_compose(struct clm_strategy *s, const struct clm_dataset *train, struct clm_cl_item *items, size_t n);

/* Route a batch (see ops->route); prompt strategies count their selections in the histogram. */
int clm_strategy_route(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
		       const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes);

/* Add the strategy's extra loss and gradient (see ops->extra_loss). */
int clm_strategy_extra_loss(struct clm_strategy *s, struct clm_gpt *m, float *loss);

/* Finish the current task: ops->end_task, then add its examples to the replay buffer. */
int clm_strategy_end_task(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train);

/* The whole strategy state: tensors named "cl.<...>" appended to `tensors`, and a new JSON
 * object in *state (name, params, tasks, replay buffer, histogram, strategy fields). */
int clm_strategy_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t **state);

/* Create a strategy from what clm_strategy_save wrote. 0 or CLM_EINVALID with a message. */
int clm_strategy_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state);

/* The most soft-prompt rows route() prepends to one example (0 for strategies without prompts). */
int clm_strategy_max_prefix(const struct clm_strategy *s);

/* Trainable scalars: the model's trainable count plus the strategy's own. */
size_t clm_strategy_trainable(const struct clm_strategy *s, const struct clm_gpt *m);

/* Count one selection of key `key` for an example of task `task` (0 training, 1 inference). */
int clm_strategy_count_selection(struct clm_strategy *s, int inference, size_t task, size_t key);

/* The selection histogram as text, one line per task: "<task>: key:count ..." (caller frees). */
char *clm_strategy_histogram_text(const struct clm_strategy *s, int inference);

/* Free the strategy. Safe on a zeroed struct. */
void clm_strategy_release(struct clm_strategy *s);

#endif
