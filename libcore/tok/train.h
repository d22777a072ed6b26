/* Training a byte-level BPE tokenizer from a corpus: text is split by GPT-2's pre-tokenizer,
 * identical pieces are counted once with a multiplicity, then the most frequent adjacent pair is
 * merged until the vocabulary is full. Pair counts are updated incrementally, only in the words
 * a merge touches. Deterministic: ties go to the pair with the smaller (left, right) ids, so the
 * result does not depend on the order pieces were seen in. */
#ifndef CLM_TOK_TRAIN_H
#define CLM_TOK_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "tok/bpe.h"
#include "util/progress.h"

/* Special tokens every tokenizer we train carries, in id order after the merges: end of text, a
 * separator between source and target, padding, and one per dataset task kind. */
extern const char *const clm_tok_default_specials[];
extern const size_t clm_tok_default_specials_count;

struct clm_tok_train_opts {
	size_t vocab_size;           /* total ids: 256 bytes + merged tokens + special tokens */
	const char *const *specials; /* appended after the merged tokens; not owned */
	size_t n_specials;
	uint64_t min_count;          /* stop early when the best pair occurs fewer times (0 = 2) */
};

struct clm_tok_trainer {
	struct clm_pretok pretok;
	struct clm_strmap words; /* piece bytes -> index into counts */
	uint64_t *counts;        /* owned; occurrences of each distinct piece */
	size_t counts_alloc;
	uint64_t bytes_seen;
};

/* Start an empty trainer; 0 or a negative code. */
int clm_tok_trainer_init(struct clm_tok_trainer *tr);

/* Count the pieces of `len` bytes of corpus text. 0 or CLM_ENOMEM. */
int clm_tok_trainer_add(struct clm_tok_trainer *tr, const void *text, size_t len);

/* Learn merges and build a finished tokenizer into `out` (caller releases it). The vocabulary
 * can end smaller than asked when no pair occurs min_count times. `progress` may be NULL. */
int clm_tok_trainer_finish(struct clm_tok_trainer *tr, const struct clm_tok_train_opts *opts,
			   struct clm_tokenizer *out, struct clm_progress *progress);

/* Free the trainer's memory. */
void clm_tok_trainer_release(struct clm_tok_trainer *tr);

#endif
