/* A version described for people and scripts: metadata, config, weights sizes (and what is new
 * relative to the previous version), tasks, accuracy matrix, extra files. */
#ifndef CLM_STORE_SHOW_H
#define CLM_STORE_SHOW_H

#include <jansson.h>
#include "store/store.h"

/* Build the description of version `id` (see man git-clmodel-show for the fields). Caller
 * json_decref's `*out`. */
int clm_store_show(struct clm_store *s, const git_oid *id, json_t **out);

#endif
