/* A task-balanced replay buffer: at most `capacity` past examples, an equal share per task
 * (the first capacity % tasks tasks get one more), chosen deterministically: each task keeps the
 * examples whose ids rank lowest under a fixed hash, so shrinking a share keeps a subset. */
#ifndef CLM_CL_REPLAY_BUFFER_H
#define CLM_CL_REPLAY_BUFFER_H

#include <stddef.h>
#include <jansson.h>
#include "nn/rng.h"
#include "data/dataset.h"

struct clm_replay_buffer {
	size_t capacity;
	size_t ntasks, per_task_alloc;
	struct clm_dataset *per_task; /* owned; ntasks datasets, each examples in order of arrival */
};

/* An empty buffer holding at most `capacity` examples. */
void clm_replay_init(struct clm_replay_buffer *b, size_t capacity);

/* Add a finished task's training examples and rebalance the shares; 0 or negative. */
int clm_replay_add_task(struct clm_replay_buffer *b, const struct clm_dataset *train);

/* Number of stored examples. */
size_t clm_replay_size(const struct clm_replay_buffer *b);

/* A stored example chosen task-balanced (task uniform, then example uniform), NULL when empty;
 * *task gets the task's index in order of addition. Borrowed pointer, valid until the next add. */
const struct clm_example *clm_replay_draw(const struct clm_replay_buffer *b, struct clm_rng *rng, size_t *task);

/* The buffer as JSON: {"capacity":M, "tasks":[[example,...],...]} (caller decrefs). */
json_t *clm_replay_to_json(const struct clm_replay_buffer *b);

/* Replace `b` by the buffer described by `j`; 0 or CLM_EINVALID with a message. */
int clm_replay_from_json(struct clm_replay_buffer *b, const json_t *j);

/* Free the stored examples. */
void clm_replay_release(struct clm_replay_buffer *b);

#endif
