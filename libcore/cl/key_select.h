/* Key matching for prompt pools (L2P): cosine similarity between queries and keys, top-k among
 * the allowed keys, the gradient of the matching loss with respect to the keys, the teacher-forced
 * assignment of keys to tasks (pp-tf), and a per-task selection histogram. */
#ifndef CLM_CL_KEY_SELECT_H
#define CLM_CL_KEY_SELECT_H

#include <stddef.h>
#include <stdint.h>

/* Cosine similarities of `nq` queries (nq x dim) with `nkeys` keys (nkeys x dim) into `cos`
 * (nq x nkeys), one cblas_sgemm over normalized copies; 0 or CLM_ENOMEM. */
int clm_cosine_matrix(const float *queries, size_t nq, const float *keys, size_t nkeys, size_t dim, float *cos);

/* Indices of the `k` largest values of `scores` (n of them) among those with allowed[i] != 0
 * (allowed NULL = all), largest first, ties to the lower index; returns how many were chosen
 * (fewer than k when fewer are allowed). */
size_t clm_topk_allowed(const float *scores, size_t n, const unsigned char *allowed, size_t k, size_t *out);

/* Add scale * d cos(query, key) / d key to `grad` (dim floats). */
void clm_cosine_grad_key(const float *query, const float *key, size_t dim, float scale, float *grad);

/* pp-tf: mark in `allowed` (ntasks x nkeys, 1 = task may select the key) which keys each task
 * owns: pools are laid out as [own 0][shared 0-1][own 1][shared 1-2]...[own T-1], with `shared`
 * keys per neighbouring pair and the rest split as evenly as possible. CLM_EINVALID when a task
 * would own no key of its own. */
int clm_pptf_assign(size_t ntasks, size_t nkeys, size_t shared, unsigned char *allowed);

/* Format a selection histogram row (counts for nkeys keys) compactly as "key:count ..." of the
 * non-zero entries into buf (truncated to cap). */
void clm_histogram_format(const uint64_t *counts, size_t nkeys, char *buf, size_t cap);

#endif
