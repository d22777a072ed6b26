/* Pretraining a base model from source code: read a corpus (data/corpus.h), train a byte-level
 * BPE tokenizer on it, then train a GPT-2 family model on random windows of the tokenized
 * corpus, with periodic checkpoints and resume, and write a Hugging Face model directory:
 * config.json, model.safetensors, tokenizer.json (and tokenizer_config.json).
 *
 * Output directory layout while training: tokenizer.json and config.json are written first;
 * checkpoint/state.safetensors holds the weights, the optimizer state and the run's settings in
 * its metadata (written atomically every checkpoint_every steps, at the end and when
 * interrupted). Running again with the same corpus and config resumes from it, with the saved
 * tokenizer; a larger step count continues a finished run. */
#ifndef CLM_UPDATE_PRETRAIN_H
#define CLM_UPDATE_PRETRAIN_H

#include <signal.h>
#include <stdint.h>

struct clm_pretrain_opts {
	const char *corpus;        /* a folder, or a revision of the repository at the current directory */
	const char *config;        /* "tiny", "small" or the path of a config.json */
	const char *out_dir;       /* created when missing */
	int steps;                 /* total optimizer steps of the run */
	int batch_size;            /* sequences per step (0: 8) */
	int seq_len;               /* tokens per sequence (0: the config's n_positions) */
	int vocab_size;            /* tokenizer vocabulary (0: the config's) */
	float lr;                  /* peak learning rate (0: 2e-3), warmup then cosine decay */
	int checkpoint_every;      /* steps between checkpoints (0: 50) */
	uint64_t seed;             /* initialisation and batch sampling */
	int fresh;                 /* ignore and replace an existing checkpoint */
	size_t max_corpus_bytes;   /* read at most this much source (0: 64 MiB) */
	int quiet;                 /* no progress output */
	volatile sig_atomic_t *stop; /* set (by a SIGINT handler) to checkpoint and stop; may be NULL */
};

/* Fill `o` with the defaults above (corpus "HEAD", config "tiny", 200 steps, seed 1). */
void clm_pretrain_defaults(struct clm_pretrain_opts *o);

struct clm_pretrain_result {
	int resumed_from;       /* step the run resumed at (0: fresh start) */
	int steps_done;         /* total steps trained, including earlier runs */
	int interrupted;        /* stopped early; the checkpoint is saved */
	size_t files, corpus_bytes;
	long long train_tokens, valid_tokens; /* tokens in the two parts of the corpus */
	int vocab_size;
	long long params;
	float first_loss;       /* mean training loss of this run's first steps (up to 10) */
	float last_loss;        /* mean training loss of its last steps (up to 10) */
	float valid_loss;       /* loss on held-out windows after training; < 0 when there are none */
	double tokens_per_s;    /* training throughput of this run */
	double seconds;
};

/* Run (or resume) pretraining as `o` says. Returns 0, CLM_EINTERRUPT when stopped through
 * o->stop (after saving a checkpoint; the message says how to resume), or another negative code
 * with a message. `r` is filled as far as the run got. */
int clm_pretrain(const struct clm_pretrain_opts *o, struct clm_pretrain_result *r);

#endif
