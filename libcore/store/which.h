/* Which model version serves a code commit, and why. */
#ifndef CLM_STORE_WHICH_H
#define CLM_STORE_WHICH_H

#include "store/store.h"

enum clm_which_reason {
	CLM_WHICH_EXPLICIT, /* asked for with --model */
	CLM_WHICH_PIN,      /* pinned to a tag that points at the commit */
	CLM_WHICH_NOTE,     /* a model note on the commit or its nearest first-parent ancestor */
	CLM_WHICH_HEAD,     /* nothing else applied: the model's head */
	CLM_WHICH_STAGE     /* the canary stage serves the branch being asked about */
};

struct clm_which {
	git_oid version;
	enum clm_which_reason reason;
	char commit[GIT_OID_HEXSZ + 1]; /* the code commit asked about ("" when none, e.g. unborn HEAD) */
	char detail[256];               /* one line saying why, for people */
	char warning[256];              /* a note that was ignored, and why ("" when none) */
};

/* Resolve the version serving `commit_rev` (NULL: HEAD) for `model` (NULL: default): `explicit_rev`
 * when given; else the pin of a tag pointing at the commit (tags in name order); else the canary
 * stage when the branch asked about (HEAD's branch, or `commit_rev` naming a local branch) matches
 * its patterns and it names a version of the model (else it is ignored and said in out->warning); else the newest "model" note line for this model on the nearest first-parent
 * ancestor that names a version of the model (on its head's first-parent history, or a
 * candidate); else the model head. A note naming anything else is ignored and said in
 * out->warning. */
int clm_store_which(struct clm_store *s, const char *model, const char *explicit_rev, const char *commit_rev,
		    struct clm_which *out);

/* "explicit", "pin", "note", "head" or "stage". */
const char *clm_which_reason_name(enum clm_which_reason r);

#endif
