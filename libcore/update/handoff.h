/* Handing an update's next task to a trainer elsewhere (PyTorch with DistributedDataParallel, on
 * GPU machines) and taking its result back as a version, so the store, notes, gate and suggest
 * work the same whoever trained.
 *
 * A hand-off folder (every file a standard format):
 *   job.json       {"format": "git-clmodel-handoff", "version": 1, "id": 16 hex digits, "model",
 *                   "head" (the version it starts from), "task", "source" (code commit),
 *                   "strategy", "base": "base", "train": "train.jsonl", "hyper": "strategy.json",
 *                   "result": "result", "script": "train_ddp.py", "command"}
 *   base/          the head as a Hugging Face directory (config.json, tokenizer.json,
 *                  model.safetensors), as `git clmodel export --format hf` writes it
 *   train.jsonl    the replay buffer's examples (oldest task first, "replay": true), then the
 *                  task's training examples in history order: the dataset fields plus "prompt" and
 *                  "completion" (source and target text), "replay", "replay_task" (the buffer's
 *                  task index) and the token ids the engine trains on: "source_ids" (fitted to the
 *                  context, ending with sep) and "target_ids" (ending with eos)
 *   strategy.json  the strategy, which tensors train and decay, steps, batch size, examples per
 *                  batch drawn from the replay buffer, AdamW's settings and the learning rate of
 *                  every step, the seed
 *   train_ddp.py   the trainer (share/git-clmodel/train_ddp.py), run by torchrun
 * The trainer writes result/: config.json and tokenizer.json (the base's), model.safetensors (every
 * base tensor, trained) and handoff.json {"id" (the job's), "trainer" (who and where, one line),
 * "world_size", "steps", "first_loss", "last_loss", "seconds"}. */
#ifndef CLM_UPDATE_HANDOFF_H
#define CLM_UPDATE_HANDOFF_H

#include "update/update.h"

#define CLM_HANDOFF_FORMAT "git-clmodel-handoff"
#define CLM_HANDOFF_VERSION 1

/* Write the hand-off of the task `clm_update_run` with `o` would learn now into `dir` (created;
 * an existing non-empty folder is refused), copying the trainer script at `script`. Nothing in
 * the store changes; `out` is the update's result, the task's step with outcome 3 (handed off).
 * With nothing to learn, `dir` is not written. 0 or negative. */
int clm_handoff_write(struct clm_store *s, const struct clm_update_options *o, const char *dir, const char *script,
		      struct clm_progress *p, struct clm_update_result *out);

/* Take back the result of the hand-off in `dir`: it must belong to that hand-off (same id), the
 * model's head and next task must still be the ones handed off, and result/model.safetensors
 * must hold every base tensor with its name and shape, a float dtype and finite values. Then the
 * task is evaluated on every task, gated and recorded exactly as `clm_update_run` records a task
 * trained here, with the result's trainer in the Clmodel-Trainer trailer and the note. Nothing is
 * stored when a check fails. 0 or negative. */
int clm_handoff_take_back(struct clm_store *s, const struct clm_update_options *o, const char *dir,
			  struct clm_progress *p, struct clm_update_result *out);

#endif
