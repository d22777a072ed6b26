/* weights/ in a version's tree: one raw little-endian blob per tensor plus weights/index.json
 * giving each tensor's name, file, dtype, shape, byte size and SHA-256. */
#ifndef CLM_STORE_WEIGHTS_H
#define CLM_STORE_WEIGHTS_H

#include "store/store.h"
#include "git/tree.h"

/* Plan one blob per tensor and the index; identical tensors reuse existing blobs, and take their
 * checksum from `prev` (the previous version's index, may be NULL) instead of hashing again.
 * With `keep_backbone`, the backbone tensors of `prev` (names not starting with "clm." or "cl.")
 * that `w` does not hold are kept as they are: same blob, dtype and checksum, nothing read. */
int clm_weights_plan(struct clm_tree_plan *plan, git_repository *repo, const struct clm_tensor_list *w,
		     const struct clm_tensor_entry *prev, size_t nprev, int keep_backbone);

/* Parse weights/index.json of `tree` (entries get their blob ids from the tree). Caller frees
 * with clm_tensor_entries_free. */
int clm_weights_index_read(git_repository *repo, const git_tree *tree, struct clm_tensor_entry **out, size_t *n);

/* Load every indexed tensor into `out`, checking size and checksum; names the bad tensor. */
int clm_weights_load(git_repository *repo, const struct clm_tensor_entry *idx, size_t n, struct clm_tensor_list *out);

/* Free entries from clm_weights_index_read. */
void clm_tensor_entries_free(struct clm_tensor_entry *e, size_t n);

#endif
