/* Promoting a candidate version (one that failed the update gate) to the model head. */
#ifndef CLM_STORE_PROMOTE_H
#define CLM_STORE_PROMOTE_H

#include "store/store.h"

#define CLM_STORE_CANDIDATES_PREFIX "refs/clmodel/candidates/"

/* Expand `name` ("3", "default/3", "candidates/default/3" or the full ref) to the candidate ref of
 * `model` (NULL: default) in `out`; CLM_ENOTFOUND when there is no such candidate. */
int clm_candidate_ref(struct clm_store *s, const char *model, const char *name, char *out, size_t size);

/* 1 when `id` is a version of `model` (NULL: default): on the first-parent history of its head or
 * a candidate of it; else 0. What a fetched note or stage may make serve (THREAT-MODEL.md). */
int clm_store_is_version(struct clm_store *s, const char *model, const git_oid *id);

/* Make the candidate `ref` the head of `model`: its parent must be the current head (else the
 * head moved since and the candidate would drop versions: CLM_ECONFLICT). Under the lock: the
 * model ref moves by compare-and-swap, the candidate's source commit gets a "model" note line,
 * and the candidate ref is removed. `out` gets the version id. */
int clm_store_promote(struct clm_store *s, const char *model, const char *ref, git_oid *out);

#endif
