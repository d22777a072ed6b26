/* Helpers shared by several strategies: trainable flags, task prototypes, samples, tensors. */
#include "cl/key_select.h"
#include "cl/strategy_internal.h"
#include "data/codetask.h"
#include "util/alloc.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clm_cl_train_only(struct clm_gpt *m, const char *prefix)
{
	int rc = clm_gpt_set_trainable(m, "", 0);

	if (rc >= 0)
		rc = clm_gpt_set_trainable(m, prefix, 1);
	return rc < 0 ? rc : 0;
}

int clm_cl_sample(const struct clm_dataset *ds, size_t max, struct clm_dataset *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ds->n && !rc; i++) {
		const struct clm_example *e = &ds->items[i];
		rc = clm_dataset_add(out, e->id, e->task, e->kind, e->lang, e->source, e->target, e->prov);
	}
	if (!rc)
		rc = clm_dataset_subsample(out, max);
	if (rc)
		clm_dataset_release(out);
	return rc;
}

/* Pooled hidden states of the frozen backbone for a batch: n x n_embd floats (caller frees). */
static int pooled(struct clm_gpt *m, const struct clm_batch *b, float **out)
{
	int rc;

	*out = malloc((size_t)(b->n ? b->n : 1) * (size_t)m->cfg.n_embd * sizeof(float));
	if (!*out)
		return clm_error_oom();
	if ((rc = clm_gpt_pooled_hidden(m, b, *out)) < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int clm_cl_prototype_add(struct clm_cl_prototypes *p, struct clm_strategy *s, struct clm_gpt *m,
			 const struct clm_dataset *train, size_t samples)
{
	size_t dim = (size_t)m->cfg.n_embd;
	struct clm_dataset sample;
	struct clm_batch b = CLM_BATCH_INIT;
	float *mean, *q = NULL;
	int rc;

	if (!s->encoder.encode)
		return clm_error_set(CLM_EINVALID, "strategy %s needs an encoder to finish a task", s->name);
	if (p->n && p->dim != dim)
		return clm_error_set(CLM_EINVALID, "task prototypes have width %zu, model %zu", p->dim, dim);
	if ((rc = clm_cl_sample(train, samples, &sample)) < 0)
		return rc;
	if ((rc = CLM_ALLOC_GROW(p->mean, (p->n + 1) * dim, p->mean_alloc)) < 0) {
		clm_dataset_release(&sample);
		return rc;
	}
	p->dim = dim;
	mean = p->mean + p->n * dim;
	memset(mean, 0, dim * sizeof(float));
	/* Chunks of 16 bound the activation memory of one pooled forward. */
	for (size_t i = 0; i < sample.n && !rc; i += 16) {
		clm_batch_clear(&b);
		for (size_t j = i; j < sample.n && j < i + 16 && !rc; j++)
			rc = s->encoder.encode(s->encoder.ctx, &sample.items[j], &b);
		if (!rc)
			rc = pooled(m, &b, &q);
		for (int e = 0; !rc && e < b.n; e++)
			for (size_t d = 0; d < dim; d++)
				mean[d] += q[(size_t)e * dim + d] / (float)sample.n;
		free(q);
		q = NULL;
	}
	if (!rc)
		p->n++;
	clm_batch_release(&b);
	clm_dataset_release(&sample);
	return rc;
}

int clm_cl_prototype_match(const struct clm_cl_prototypes *p, struct clm_gpt *m, const struct clm_batch *bare,
			   size_t *task)
{
	float *q, *cos;
	int rc;

	for (int i = 0; i < bare->n; i++)
		task[i] = 0;
	if (p->n < 2)
		return 0;
	if ((rc = pooled(m, bare, &q)) < 0)
		return rc;
	cos = malloc((size_t)bare->n * p->n * sizeof(float));
	rc = cos ? clm_cosine_matrix(q, (size_t)bare->n, p->mean, p->n, p->dim, cos) : clm_error_oom();
	for (int i = 0; !rc && i < bare->n; i++)
		clm_topk_allowed(cos + (size_t)i * p->n, p->n, NULL, 1, &task[i]);
	free(cos);
	free(q);
	return rc;
}

int clm_cl_prototype_save(const struct clm_cl_prototypes *p, const char *name, struct clm_tensor_list *out)
{
	int64_t shape[2] = { (int64_t)p->n, (int64_t)p->dim };

	if (!p->n)
		return 0;
	return clm_tensor_list_add(out, name, CLM_DTYPE_F32, 2, shape, p->mean, p->n * p->dim * sizeof(float));
}

int clm_cl_prototype_load(struct clm_cl_prototypes *p, const char *name, const struct clm_tensor_list *in)
{
	const struct clm_named_tensor *t = clm_tensor_list_find(in, name);

	clm_cl_prototype_release(p);
	if (!t)
		return 0;
	if (t->dtype != CLM_DTYPE_F32 || t->ndim != 2 || t->shape[0] < 1 || t->shape[1] < 1)
		return clm_error_set(CLM_EINVALID, "strategy state: bad tensor %s", name);
	if (!(p->mean = malloc(t->nbytes)))
		return clm_error_oom();
	memcpy(p->mean, t->data, t->nbytes);
	p->n = (size_t)t->shape[0];
	p->dim = (size_t)t->shape[1];
	return 0;
}

void clm_cl_prototype_release(struct clm_cl_prototypes *p)
{
	free(p->mean);
	memset(p, 0, sizeof(*p));
}

const float *clm_cl_tensor_f32(const struct clm_tensor_list *in, const char *name, size_t n)
{
	const struct clm_named_tensor *t = clm_tensor_list_find(in, name);

	if (!t || t->dtype != CLM_DTYPE_F32 || t->nbytes != n * sizeof(float)) {
		clm_error_set(CLM_EINVALID, "strategy state: tensor %s %s", name,
			      t ? "has the wrong type or size" : "is missing");
		return NULL;
	}
	return t->data;
}
