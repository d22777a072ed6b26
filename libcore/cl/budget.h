/* Context budgets: every sequence the model sees (a training example, an evaluation or suggest
 * prompt with room for its answer) is fitted here to the model's context, so a long function is
 * shortened, never an error. A source too long keeps its first line (a function's signature) and
 * the whole lines nearest the part that matters for its kind: the cursor when one is given, the
 * end for a completion, the start of the body otherwise. A target too long is cut at its end. */
#ifndef CLM_CL_BUDGET_H
#define CLM_CL_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include "cl/trainer.h"

/* No cursor: the kind decides which lines of a source are kept. */
#define CLM_BUDGET_NO_FOCUS ((size_t)-1)

/* Positions of `m`'s context left for one sequence once `s`'s longest prefix (soft prompts) is
 * in (at least 2). */
int clm_budget_room(const struct clm_strategy *s, const struct clm_gpt *m);

/* Split `room` positions between a source of `nsrc` and a target of `ntgt` tokens: both whole when
 * they fit, else the target keeps what the source leaves or half the room, whichever is more, and
 * the source the rest. */
void clm_budget_split(size_t room, size_t nsrc, size_t ntgt, size_t *keep_src, size_t *keep_tgt);

/* The ids of `len` bytes of `text` in at most `keep` tokens (appended to *ids, realloc'd; *n
 * updated): all of them when they fit, else the first line and the lines nearest the focus byte
 * offset `focus` (CLM_BUDGET_NO_FOCUS: the end for CLM_KIND_COMPLETE, the start of the rest
 * otherwise). *cut (may be NULL) receives the tokens left out. 0 or negative. */
int clm_budget_encode(struct clm_text_codec *c, const char *text, size_t len, enum clm_task_kind kind,
		      size_t focus, size_t keep, int32_t **ids, size_t *n, size_t *cut);

/* `text` as a prompt for `gen` new tokens from `m` with strategy `s` (may be NULL): the text itself
 * when prompt and answer fit the context, else the lines clm_budget_encode keeps around byte
 * `focus`, decoded into `out` (appended). 0 or negative. */
int clm_budget_fit_prompt(struct clm_text_codec *c, const struct clm_strategy *s, const struct clm_gpt *m,
			  const char *text, enum clm_task_kind kind, size_t focus, size_t gen, struct clm_strbuf *out);

#endif
