/* The decoder: parameters (each with a trainable flag), soft-prompt table, LoRA adapter sets, and
 * the training forward + backward pass, for GPT-2 and the Llama family (Llama, Qwen2, StarCoder2;
 * see nn/config.h).
 *
 * Parameters are named exactly as Hugging Face `transformers` names the architecture's tensors
 * (GPT-2: "wte.weight", "h.3.attn.c_attn.weight" stored in x out as Conv1D; Llama family:
 * "model.embed_tokens.weight", "model.layers.3.self_attn.q_proj.weight" stored out x in as
 * nn.Linear, "lm_head.weight" when untied), and our own tensors as "clm.prompt.weight" [rows x C],
 * "clm.lora.<k>.<block prefix><proj>.A" [in x r] and ".B" [r x out], the block prefix being "h.<l>."
 * or "model.layers.<l>." and <proj> each projection of the block (attn.c_attn, attn.c_proj,
 * mlp.c_fc, mlp.c_proj for GPT-2; self_attn.q_proj ... mlp.down_proj for the Llama family). A LoRA
 * set adds (alpha / r) * x A B to each projection's output. Everything is f32.
 *
 * The model owns all its memory (weights, gradients, activations). It is not thread-safe: one
 * call at a time per model. */
#ifndef CLM_NN_MODEL_H
#define CLM_NN_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "nn/config.h"
#include "nn/batch.h"
#include "quant/matmul.h"

#define CLM_PARAM_NAME_MAX 96

struct clm_param {
	char name[CLM_PARAM_NAME_MAX]; /* HF or clm.* tensor name */
	int ndim;                      /* 1 or 2 */
	int64_t shape[2];              /* row-major */
	size_t n;                      /* elements */
	float *w;                      /* values; owned by the model */
	float *g;                      /* gradient (accumulated by clm_gpt_forward_backward); NULL while frozen
					  and until the first backward (or clm_gpt_ensure_grads) after unfreezing */
	int trainable;                 /* 1: receives gradients and optimizer updates */
	int decay;                     /* 1: a weight matrix (AdamW may decay it); 0: bias, norm, embedding, prompt */
	struct clm_qmat q;             /* q.data set: the weight kept in its GGUF encoding ([rows][cols] as
					  shape), w NULL; frozen, for inference (clm_gpt_loader_add_encoded) */
};

struct clm_gpt_work;   /* activations and scratch; private to the engine */

/* What a projection does in a block. GPT-2 has QKV (fused c_attn), O, UP (c_fc), DOWN (c_proj);
 * Llama and Qwen2 Q, K, V, O, GATE, UP, DOWN; StarCoder2 Q, K, V, O, UP (c_fc), DOWN (c_proj). */
enum clm_proj_role { R_QKV, R_Q, R_K, R_V, R_O, R_GATE, R_UP, R_DOWN, R_COUNT };

#define CLM_MAX_PROJ 7

struct clm_proj {
	enum clm_proj_role role;
	int w, b;     /* offsets of the weight and bias in the block's parameters (b -1: no bias) */
	int in, out;  /* widths */
	int hf;       /* 1: weight stored out x in (nn.Linear); 0: in x out (GPT-2 Conv1D) */
	const char *name; /* HF module name inside the block, e.g. "self_attn.q_proj" */
};

/* The parameter layout of a model, derived from its config. */
struct clm_layout {
	int per_layer;                 /* parameters per block */
	int first_layer;               /* index of block 0's first parameter */
	int ln1_w, ln1_b, ln2_w, ln2_b; /* offsets in the block (b -1: RMSNorm) */
	int n_proj;                    /* projections per block, in LoRA order */
	struct clm_proj proj[CLM_MAX_PROJ];
	int slot[R_COUNT];             /* role -> index in proj[], -1 absent */
	int wte, wpe, lnf_w, lnf_b, lm_head; /* absolute indices (-1 absent; lm_head -1 when tied) */
	const char *layer_prefix;      /* "h.%d." or "model.layers.%d." */
};


struct clm_lora_set {
	int rank;    /* r */
	float alpha; /* scale is alpha / rank */
	size_t first_param; /* index of this set's first parameter in params[] (2 per projection per layer) */
};

struct clm_gpt {
	struct clm_gpt_config cfg;
	struct clm_layout lay;     /* where each parameter sits (from cfg) */
	struct clm_param *params;  /* n_params entries: the backbone first (HF order), then the prompt
				      table and LoRA sets' A/B pairs in the order they were added */
	size_t n_params, params_alloc;
	size_t n_backbone;         /* the first n_backbone params are the GPT-2 weights */
	int prompt_param;          /* index of "clm.prompt.weight", -1 when there is no prompt table */
	int n_prompt_rows;         /* rows of the prompt table */
	struct clm_lora_set *lora; /* n_lora sets, selected per example by index */
	int n_lora;
	size_t lora_alloc;
	struct clm_gpt_work *work;
};

/* Create a model with GPT-2 initialisation (normal(0, 0.02), residual projections scaled by
 * 1/sqrt(2 n_layer), zero biases, unit norms) from `seed`. All backbone params start trainable.
 * Release with clm_gpt_release. 0 or a negative code. */
int clm_gpt_init(struct clm_gpt *m, const struct clm_gpt_config *cfg, uint64_t seed);

/* Free everything the model owns and zero the struct. Safe on a zeroed struct. */
void clm_gpt_release(struct clm_gpt *m);

/* Add (or grow to) a soft-prompt table of `rows` vectors, new rows initialised from randomly
 * chosen token embeddings (deterministic in `seed`); existing rows are kept. The table starts
 * trainable. 0 or a negative code. */
int clm_gpt_set_prompt_rows(struct clm_gpt *m, int rows, uint64_t seed);

/* Add a LoRA set of rank `rank` and scale alpha/rank on every block's four projections (A random
 * with std 1/sqrt(in), B zero, so a new set changes nothing until trained); it starts trainable.
 * Returns the new set's index (>= 0) or a negative code. */
int clm_gpt_add_lora(struct clm_gpt *m, int rank, float alpha, uint64_t seed);

/* The parameter called `name`, or NULL. */
struct clm_param *clm_gpt_param(struct clm_gpt *m, const char *name);

/* Set the trainable flag of every parameter whose name starts with `prefix` ("" = all,
 * "h.", "clm.prompt", "clm.lora.2."); freezing frees the gradient, so a frozen backbone costs no
 * gradient memory. Returns the number of parameters matched. */
int clm_gpt_set_trainable(struct clm_gpt *m, const char *prefix, int trainable);

/* Allocate (zeroed) gradients of trainable parameters that have none yet; clm_gpt_forward_backward
 * does this itself, call it before writing gradients by hand. 0 or CLM_ENOMEM. */
int clm_gpt_ensure_grads(struct clm_gpt *m);

/* Number of trainable scalar parameters. */
size_t clm_gpt_trainable_count(const struct clm_gpt *m);

/* Zero the gradients of all trainable parameters. */
void clm_gpt_zero_grad(struct clm_gpt *m);

/* Forward + backward over a batch: returns in *loss the weighted mean next-token cross-entropy
 * (sum of weight * -log p over all examples / sum of weights) and ADDS its gradient to the
 * trainable parameters' gradients (so calling it k times accumulates k micro-batches; the
 * optimizer divides by k). Validates tokens, prefixes, adapters and lengths against the model.
 * When the batch has no weighted token the loss is 0 and gradients are unchanged. */
int clm_gpt_forward_backward(struct clm_gpt *m, const struct clm_batch *b, float *loss);

/* Forward only: weighted mean loss (as above) and, when `sum_weight` is not NULL, the weight sum;
 * `per_example` (may be NULL) receives each example's own weighted mean loss (0 if it has no weight). */
int clm_gpt_loss(struct clm_gpt *m, const struct clm_batch *b, float *loss, double *sum_weight,
		 float *per_example);

/* Forward only: logits for every token position of every example, packed like b->tokens
 * (row i has V = vocab_size values and predicts token i+1); caller frees *logits. */
int clm_gpt_logits(struct clm_gpt *m, const struct clm_batch *b, float **logits);

/* The prompt-pool query: run the frozen backbone (the batch's prefixes and adapters are ignored)
 * and write, for each example, the mean over its tokens with weight 0 (the source; all tokens when
 * every token has weight) of the final hidden state after ln_f into out[b * n_embd ...]. */
int clm_gpt_pooled_hidden(struct clm_gpt *m, const struct clm_batch *b, float *out);

/* Floating-point operations of one forward + backward over `n_tokens` tokens in sequences of
 * length `seq_len` (matrix products only, all parameters trainable), for throughput figures. */
double clm_gpt_train_flops(const struct clm_gpt_config *cfg, long long n_tokens, int seq_len);

/* The shape a backbone parameter `name` has under `cfg` ("wte.weight", "h.3.ln_1.bias",
 * "model.layers.3.self_attn.q_proj.weight", ...):
 * 1 with *ndim and shape set, 0 when `name` is no backbone parameter of such a model. */
int clm_gpt_backbone_shape(const struct clm_gpt_config *cfg, const char *name, int *ndim, int64_t shape[2]);

#endif
