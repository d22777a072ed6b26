/* seqft: fine-tune every weight on each new task in turn (replay: the same, with the replay flag). */
#include "cl/strategy_internal.h"

static int seqft_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)s, (void)train;
	return clm_cl_train_only(m, "");
}

const struct clm_strategy_ops clm_cl_seqft_ops = {
	.name = "seqft",
	.begin_task = seqft_begin,
};
