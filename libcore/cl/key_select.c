#include "cl/key_select.h"
#include "util/error.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void normalize_rows(const float *in, size_t n, size_t dim, float *out)
{
	for (size_t i = 0; i < n; i++) {
		double s = 0;
		for (size_t d = 0; d < dim; d++)
			s += (double)in[i * dim + d] * in[i * dim + d];
		s = s > 0 ? 1.0 / sqrt(s) : 0;
		for (size_t d = 0; d < dim; d++)
			out[i * dim + d] = (float)(in[i * dim + d] * s);
	}
}

int clm_cosine_matrix(const float *queries, size_t nq, const float *keys, size_t nkeys, size_t dim, float *cos)
{
	float *qn = malloc(nq * dim * sizeof(float)), *kn = malloc(nkeys * dim * sizeof(float));

	if (!qn || !kn) {
		free(qn), free(kn);
		return clm_error_oom();
	}
	normalize_rows(queries, nq, dim, qn);
	normalize_rows(keys, nkeys, dim, kn);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nq, (int)nkeys, (int)dim, 1.0f, qn, (int)dim,
		    kn, (int)dim, 0.0f, cos, (int)nkeys);
	free(qn);
	free(kn);
	return 0;
}

size_t clm_topk_allowed(const float *scores, size_t n, const unsigned char *allowed, size_t k, size_t *out)
{
	size_t got = 0;

	/* k is small (<= 20) and n about 100: selection by repeated scans is simplest and exact. */
	while (got < k) {
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			int taken = 0;
			if (allowed && !allowed[i])
				continue;
			for (size_t j = 0; j < got && !taken; j++)
				taken = out[j] == i;
			if (!taken && (best == n || scores[i] > scores[best]))
				best = i;
		}
		if (best == n)
			break;
		out[got++] = best;
	}
	return got;
}

void clm_cosine_grad_key(const float *query, const float *key, size_t dim, float scale, float *grad)
{
	double qq = 0, kk = 0, qk = 0, nq, nk, c;

	for (size_t d = 0; d < dim; d++) {
		qq += (double)query[d] * query[d];
		kk += (double)key[d] * key[d];
		qk += (double)query[d] * key[d];
	}
	if (qq <= 0 || kk <= 0)
		return;
	nq = sqrt(qq), nk = sqrt(kk), c = qk / (nq * nk);
	/* d/dk (q.k / (|q||k|)) = q / (|q||k|) - cos * k / |k|^2 */
	for (size_t d = 0; d < dim; d++)
		grad[d] += (float)(scale * (query[d] / (nq * nk) - c * key[d] / kk));
}

int clm_pptf_assign(size_t ntasks, size_t nkeys, size_t shared, unsigned char *allowed)
{
	size_t nshared = ntasks ? (ntasks - 1) * shared : 0, own, extra, pos = 0;

	if (!ntasks || nshared >= nkeys || (nkeys - nshared) < ntasks)
		return clm_error_set(CLM_EINVALID, "pp-tf: %zu keys cannot give %zu tasks own keys plus %zu shared per pair",
				     nkeys, ntasks, shared);
	own = (nkeys - nshared) / ntasks;
	extra = (nkeys - nshared) % ntasks;
	memset(allowed, 0, ntasks * nkeys);
	for (size_t t = 0; t < ntasks; t++) {
		size_t mine = own + (t < extra);
		for (size_t i = 0; i < mine; i++)
			allowed[t * nkeys + pos++] = 1;
		if (t + 1 < ntasks)
			for (size_t i = 0; i < shared; i++, pos++)
				allowed[t * nkeys + pos] = allowed[(t + 1) * nkeys + pos] = 1;
	}
	return 0;
}

void clm_histogram_format(const uint64_t *counts, size_t nkeys, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < nkeys && len + 1 < cap; i++) {
		int w;
		if (!counts[i])
			continue;
		w = snprintf(buf + len, cap - len, "%s%zu:%llu", len ? " " : "", i, (unsigned long long)counts[i]);
		if (w < 0)
			break;
		len += (size_t)w < cap - len ? (size_t)w : cap - len - 1;
	}
}
