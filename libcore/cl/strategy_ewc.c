/* ewc: elastic weight consolidation. When a task ends, the diagonal of the Fisher information is
 * estimated from squared per-example gradients on a deterministic sample of the task, and the
 * weights are remembered (theta*). Training later tasks adds lambda/2 * sum F (theta - theta*)^2.
 * Separate mode keeps one (F, theta*) set per task; online mode keeps one, decaying the old F
 * by gamma before adding the new one and moving theta* to the latest weights. */
#include "cl/strategy_internal.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ewc_term {
	char name[CLM_PARAM_NAME_MAX]; /* model parameter */
	size_t set;                    /* task set (0 in online mode) */
	size_t n;
	float *fisher, *star;          /* owned, n each */
};

struct ewc {
	struct ewc_term *terms; /* owned */
	size_t n, alloc;
	size_t nsets;
};

static int ewc_begin(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	(void)train;
	if (!s->impl && !(s->impl = calloc(1, sizeof(struct ewc))))
		return clm_error_oom();
	return clm_cl_train_only(m, "");
}

static struct ewc_term *add_term(struct ewc *e, const char *name, size_t set, size_t n)
{
	struct ewc_term *t;

	if (CLM_ALLOC_GROW(e->terms, e->n + 1, e->alloc) < 0)
		return NULL;
	t = &e->terms[e->n];
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->set = set;
	t->n = n;
	t->fisher = calloc(n, sizeof(float));
	t->star = malloc(n * sizeof(float));
	if (!t->fisher || !t->star) {
		free(t->fisher), free(t->star);
		return NULL;
	}
	e->n++;
	return t;
}

static struct ewc_term *find_term(struct ewc *e, const char *name, size_t set)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->terms[i].set == set && !strcmp(e->terms[i].name, name))
			return &e->terms[i];
	return NULL;
}

/* Mean squared per-example gradient of every trainable parameter over `sample`, into fisher
 * buffers laid out parameter after parameter (caller frees *out). */
static int fisher_diagonal(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *sample, float **out)
{
	struct clm_batch b = CLM_BATCH_INIT;
	size_t total = 0, off;
	float loss, *f;
	int rc = 0;

	for (size_t i = 0; i < m->n_params; i++)
		total += m->params[i].trainable ? m->params[i].n : 0;
	if (!(f = *out = calloc(total ? total : 1, sizeof(float))))
		return clm_error_oom();
	for (size_t k = 0; k < sample->n && !rc; k++) {
		clm_batch_clear(&b);
		clm_gpt_zero_grad(m);
		rc = s->encoder.encode(s->encoder.ctx, &sample->items[k], &b);
		if (!rc)
			rc = clm_gpt_forward_backward(m, &b, &loss);
		off = 0;
		for (size_t i = 0; !rc && i < m->n_params; i++) {
			const struct clm_param *p = &m->params[i];
			if (!p->trainable)
				continue;
			for (size_t j = 0; j < p->n; j++)
				f[off + j] += p->g[j] * p->g[j] / (float)sample->n;
			off += p->n;
		}
	}
	clm_gpt_zero_grad(m);
	clm_batch_release(&b);
	return rc;
}

static int ewc_end(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	struct ewc *e = s->impl;
	struct clm_dataset sample;
	size_t set = s->params.ewc_online ? 0 : e->nsets, off = 0;
	float *f = NULL;
	int rc;

	if (!s->encoder.encode)
		return clm_error_set(CLM_EINVALID, "ewc needs an encoder to estimate the Fisher information");
	if ((rc = clm_cl_sample(train, s->params.fisher_samples, &sample)) < 0)
		return rc;
	rc = fisher_diagonal(s, m, &sample, &f);
	for (size_t i = 0; !rc && i < m->n_params; i++) {
		const struct clm_param *p = &m->params[i];
		struct ewc_term *t;
		if (!p->trainable)
			continue;
		t = find_term(e, p->name, set);
		if (!t && !(t = add_term(e, p->name, set, p->n))) {
			rc = clm_error_oom();
			break;
		}
		if (t->n != p->n) {
			rc = clm_error_set(CLM_EINVALID, "ewc: parameter %s changed size", p->name);
			break;
		}
		for (size_t j = 0; j < p->n; j++)
			t->fisher[j] = (float)s->params.ewc_decay * t->fisher[j] * (s->params.ewc_online != 0) + f[off + j];
		memcpy(t->star, p->w, p->n * sizeof(float));
		off += p->n;
	}
	if (!rc && (!s->params.ewc_online || !e->nsets))
		e->nsets++;
	free(f);
	clm_dataset_release(&sample);
	return rc;
}

static int ewc_extra_loss(struct clm_strategy *s, struct clm_gpt *m, float *loss)
{
	const struct ewc *e = s->impl;
	float lambda = (float)s->params.ewc_lambda;
	double penalty = 0;

	for (size_t i = 0; e && i < e->n; i++) {
		const struct ewc_term *t = &e->terms[i];
		struct clm_param *p = clm_gpt_param(m, t->name);
		if (!p || p->n != t->n)
			return clm_error_set(CLM_EINVALID, "ewc: model has no parameter %s of %zu values", t->name, t->n);
		for (size_t j = 0; j < t->n; j++) {
			float d = p->w[j] - t->star[j];
			penalty += 0.5 * lambda * t->fisher[j] * d * d;
			if (p->g)
				p->g[j] += lambda * t->fisher[j] * d;
		}
	}
	*loss += (float)penalty;
	return 0;
}

static int ewc_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t *state)
{
	const struct ewc *e = s->impl;
	json_t *names = json_array();
	int rc = names ? 0 : clm_error_oom();

	for (size_t i = 0; e && i < e->n && !rc; i++) {
		const struct ewc_term *t = &e->terms[i];
		char name[CLM_PARAM_NAME_MAX + 48];
		int64_t shape = (int64_t)t->n;
		snprintf(name, sizeof(name), "cl.ewc.%zu.fisher.%s", t->set, t->name);
		rc = clm_tensor_list_add(tensors, name, CLM_DTYPE_F32, 1, &shape, t->fisher, t->n * sizeof(float));
		snprintf(name, sizeof(name), "cl.ewc.%zu.star.%s", t->set, t->name);
		if (!rc)
			rc = clm_tensor_list_add(tensors, name, CLM_DTYPE_F32, 1, &shape, t->star, t->n * sizeof(float));
		if (!rc && json_array_append_new(names, json_pack("[I,s]", (json_int_t)t->set, t->name)) < 0)
			rc = clm_error_oom();
	}
	if (!rc && (json_object_set_new(state, "sets", json_integer(e ? (json_int_t)e->nsets : 0)) < 0 ||
		    json_object_set(state, "terms", names) < 0))
		rc = clm_error_oom();
	json_decref(names);
	return rc;
}

static int ewc_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	const json_t *terms = json_object_get(state, "terms");
	struct ewc *e = calloc(1, sizeof(*e));
	int64_t nsets;
	int rc;

	if (!e)
		return clm_error_oom();
	s->impl = e;
	if ((rc = clm_json_get_int(state, "sets", 0, 1 << 20, &nsets, "ewc state")) < 0)
		return rc;
	if (!json_is_array(terms))
		return clm_error_set(CLM_EINVALID, "ewc state: 'terms' is not an array");
	e->nsets = (size_t)nsets;
	for (size_t i = 0; i < json_array_size(terms); i++) {
		json_int_t set;
		const char *pname;
		char name[CLM_PARAM_NAME_MAX + 48];
		const struct clm_named_tensor *ft;
		const float *fv, *sv;
		struct ewc_term *t;
		if (json_unpack(json_array_get(terms, i), "[Is]", &set, &pname) < 0 || set < 0 || (size_t)set >= e->nsets)
			return clm_error_set(CLM_EINVALID, "ewc state: bad term %zu", i);
		snprintf(name, sizeof(name), "cl.ewc.%lld.fisher.%s", (long long)set, pname);
		if (!(ft = clm_tensor_list_find(tensors, name)) || ft->nbytes % sizeof(float))
			return clm_error_set(CLM_EINVALID, "ewc state: tensor %s is missing", name);
		if (!(fv = clm_cl_tensor_f32(tensors, name, ft->nbytes / sizeof(float))))
			return CLM_EINVALID;
		snprintf(name, sizeof(name), "cl.ewc.%lld.star.%s", (long long)set, pname);
		if (!(sv = clm_cl_tensor_f32(tensors, name, ft->nbytes / sizeof(float))))
			return CLM_EINVALID;
		if (!(t = add_term(e, pname, (size_t)set, ft->nbytes / sizeof(float))))
			return clm_error_oom();
		memcpy(t->fisher, fv, ft->nbytes);
		memcpy(t->star, sv, ft->nbytes);
	}
	return 0;
}

static void ewc_release(struct clm_strategy *s)
{
	struct ewc *e = s->impl;

	for (size_t i = 0; e && i < e->n; i++)
		free(e->terms[i].fisher), free(e->terms[i].star);
	if (e)
		free(e->terms);
	free(e);
	s->impl = NULL;
}

const struct clm_strategy_ops clm_cl_ewc_ops = {
	.name = "ewc",
	.begin_task = ewc_begin,
	.end_task = ewc_end,
	.extra_loss = ewc_extra_loss,
	.save = ewc_save,
	.load = ewc_load,
	.release = ewc_release,
};
