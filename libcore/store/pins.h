/* Pins: refs/clmodel/pins/<tag> points at the model version released with <tag>, and a "pin"
 * (or "unpin") line goes into the note of the tag's commit. */
#ifndef CLM_STORE_PINS_H
#define CLM_STORE_PINS_H

#include "store/store.h"

struct clm_pin {
	char *tag;                        /* owned */
	char version[GIT_OID_HEXSZ + 1];
};

/* Pin `version` to the existing tag `tag`; an existing different pin needs `force`.
 * CLM_ENOTFOUND when the tag does not exist, CLM_EINVALID when `version` is not a model version. */
int clm_pin_set(struct clm_store *s, const char *tag, const git_oid *version, int force);

/* Remove the pin of `tag` (an "unpin" note line records it); CLM_ENOTFOUND when not pinned. */
int clm_pin_remove(struct clm_store *s, const char *tag);

/* The version pinned to `tag`; CLM_ENOTFOUND when none. */
int clm_pin_get(struct clm_store *s, const char *tag, git_oid *out);

/* Every pin, sorted by tag. Free with clm_pins_free. */
int clm_pins_list(struct clm_store *s, struct clm_pin **out, size_t *n);

/* Free a list from clm_pins_list. */
void clm_pins_free(struct clm_pin *p, size_t n);

/* The commit a tag points at (annotated tags peeled); CLM_ENOTFOUND when there is no such tag. */
int clm_tag_commit(struct clm_store *s, const char *tag, git_oid *out);

#endif
