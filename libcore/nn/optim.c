#include "nn/optim.h"
#include "util/alloc.h"
#include "util/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct clm_adamw_moment {
	char name[CLM_PARAM_NAME_MAX];
	size_t n;
	float *m, *v;
};

void clm_adamw_defaults(struct clm_adamw_config *c)
{
	*c = (struct clm_adamw_config){ .lr = 3e-4f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
					.weight_decay = 0.01f, .decay_all = 0, .clip_norm = 1.0f,
					.warmup_steps = 0, .total_steps = 0, .schedule = CLM_LR_CONSTANT,
					.min_lr_ratio = 0.0f };
}

void clm_adamw_init(struct clm_adamw *o, const struct clm_adamw_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->cfg = *cfg;
}

void clm_adamw_release(struct clm_adamw *o)
{
	for (size_t i = 0; i < o->n_moments; i++) {
		free(o->moments[i].m);
		free(o->moments[i].v);
	}
	free(o->moments);
	o->moments = NULL;
	o->n_moments = o->alloc = 0;
}

float clm_adamw_lr_at(const struct clm_adamw_config *c, int64_t step)
{
	if (step < c->warmup_steps)
		return c->lr * (float)(step + 1) / (float)c->warmup_steps;
	if (c->schedule == CLM_LR_CONSTANT)
		return c->lr;
	double span = c->total_steps > c->warmup_steps ? c->total_steps - c->warmup_steps : 1;
	double progress = (double)(step - c->warmup_steps) / span;
	progress = progress > 1.0 ? 1.0 : progress;
	double floor = c->min_lr_ratio, ratio;
	if (c->schedule == CLM_LR_LINEAR)
		ratio = 1.0 - progress * (1.0 - floor);
	else
		ratio = floor + (1.0 - floor) * 0.5 * (1.0 + cos(M_PI * progress));
	return (float)(c->lr * ratio);
}

/* The moment record of parameter `name` with n elements, created (zero) or grown as needed. */
static struct clm_adamw_moment *moment_for(struct clm_adamw *o, const char *name, size_t n)
{
	struct clm_adamw_moment *mo = NULL;

	for (size_t i = 0; i < o->n_moments && !mo; i++)
		if (!strcmp(o->moments[i].name, name))
			mo = &o->moments[i];
	if (!mo) {
		if (CLM_ALLOC_GROW(o->moments, o->n_moments + 1, o->alloc) < 0)
			return NULL;
		mo = &o->moments[o->n_moments++];
		memset(mo, 0, sizeof(*mo));
		snprintf(mo->name, sizeof(mo->name), "%s", name);
	}
	if (mo->n < n) { /* new, or a prompt table that grew: new rows start at zero */
		float *m = realloc(mo->m, n * sizeof(float)), *v = m ? realloc(mo->v, n * sizeof(float)) : NULL;
		if (m)
			mo->m = m;
		if (!v)
			return NULL;
		mo->v = v;
		memset(mo->m + mo->n, 0, (n - mo->n) * sizeof(float));
		memset(mo->v + mo->n, 0, (n - mo->n) * sizeof(float));
		mo->n = n;
	}
	return mo->n == n ? mo : NULL;
}

int clm_adamw_step(struct clm_adamw *o, struct clm_gpt *m, int n_accum)
{
	const struct clm_adamw_config *c = &o->cfg;
	double sq = 0;

	if (n_accum < 1)
		return clm_error_set(CLM_EINVALID, "optimizer: gradient accumulation count %d < 1", n_accum);
	for (size_t i = 0; i < m->n_params; i++) {
		const struct clm_param *p = &m->params[i];
		if (!p->trainable || !p->g)
			continue;
		for (size_t j = 0; j < p->n; j++)
			sq += (double)p->g[j] * p->g[j];
	}
	double norm = sqrt(sq) / n_accum;
	o->last_grad_norm = (float)norm;
	if (!isfinite(norm)) {
		clm_gpt_zero_grad(m);
		return clm_error_set(CLM_EINVALID, "optimizer: gradient is not finite; step skipped");
	}
	float scale = 1.0f / (float)n_accum;
	if (c->clip_norm > 0 && norm > c->clip_norm)
		scale *= (float)(c->clip_norm / norm);
	float lr = clm_adamw_lr_at(c, o->step);
	o->last_lr = lr;
	double t = (double)(o->step + 1);
	float bc1 = (float)(1.0 - pow(c->beta1, t)), bc2 = (float)(1.0 - pow(c->beta2, t));
	for (size_t i = 0; i < m->n_params; i++) {
		struct clm_param *p = &m->params[i];
		if (!p->trainable || !p->g)
			continue;
		struct clm_adamw_moment *mo = moment_for(o, p->name, p->n);
		if (!mo)
			return clm_error_set(CLM_EINVALID, "optimizer: no room or shape mismatch for the state of %s",
					     p->name);
		float decay = (c->decay_all || p->decay) ? 1.0f - lr * c->weight_decay : 1.0f;
		for (size_t j = 0; j < p->n; j++) {
			float g = p->g[j] * scale;
			mo->m[j] = c->beta1 * mo->m[j] + (1.0f - c->beta1) * g;
			mo->v[j] = c->beta2 * mo->v[j] + (1.0f - c->beta2) * g * g;
			float mhat = mo->m[j] / bc1, vhat = mo->v[j] / bc2;
			p->w[j] = p->w[j] * decay - lr * mhat / (sqrtf(vhat) + c->eps);
		}
	}
	clm_gpt_zero_grad(m);
	o->step++;
	return 0;
}

int clm_adamw_save(const struct clm_adamw *o, struct clm_tensor_list *out)
{
	char name[CLM_PARAM_NAME_MAX + 16];
	int64_t step = o->step, shape[1] = { 0 };

	if (clm_tensor_list_add(out, "clm.optim.step", CLM_DTYPE_I64, 0, shape, &step, sizeof(step)))
		return CLM_ENOMEM;
	for (size_t i = 0; i < o->n_moments; i++) {
		const struct clm_adamw_moment *mo = &o->moments[i];
		shape[0] = (int64_t)mo->n;
		snprintf(name, sizeof(name), "clm.optim.m.%s", mo->name);
		if (clm_tensor_list_add(out, name, CLM_DTYPE_F32, 1, shape, mo->m, mo->n * sizeof(float)))
			return CLM_ENOMEM;
		snprintf(name, sizeof(name), "clm.optim.v.%s", mo->name);
		if (clm_tensor_list_add(out, name, CLM_DTYPE_F32, 1, shape, mo->v, mo->n * sizeof(float)))
			return CLM_ENOMEM;
	}
	return 0;
}

int clm_adamw_load(struct clm_adamw *o, const struct clm_tensor_list *in)
{
	static const char mprefix[] = "clm.optim.m.";
	char vname[CLM_PARAM_NAME_MAX + 16];
	const struct clm_named_tensor *st = clm_tensor_list_find(in, "clm.optim.step");
	struct clm_adamw fresh;

	if (!st || st->dtype != CLM_DTYPE_I64 || st->nbytes != sizeof(int64_t))
		return clm_error_set(CLM_EINVALID, "optimizer state: missing or malformed clm.optim.step");
	clm_adamw_init(&fresh, &o->cfg);
	memcpy(&fresh.step, st->data, sizeof(int64_t));
	for (size_t i = 0; i < in->n; i++) {
		const struct clm_named_tensor *tm = &in->items[i];
		if (strncmp(tm->name, mprefix, sizeof(mprefix) - 1))
			continue;
		const char *pname = tm->name + sizeof(mprefix) - 1;
		snprintf(vname, sizeof(vname), "clm.optim.v.%s", pname);
		const struct clm_named_tensor *tv = clm_tensor_list_find(in, vname);
		size_t n = tm->nbytes / sizeof(float);
		if (!tv || tm->dtype != CLM_DTYPE_F32 || tv->dtype != CLM_DTYPE_F32 || tv->nbytes != tm->nbytes ||
		    strlen(pname) >= CLM_PARAM_NAME_MAX) {
			clm_adamw_release(&fresh);
			return clm_error_set(CLM_EINVALID, "optimizer state: moments of %s are malformed", pname);
		}
		struct clm_adamw_moment *mo = moment_for(&fresh, pname, n);
		if (!mo) {
			clm_adamw_release(&fresh);
			return clm_error_oom();
		}
		memcpy(mo->m, tm->data, tm->nbytes);
		memcpy(mo->v, tv->data, tv->nbytes);
	}
	clm_adamw_release(o);
	*o = fresh;
	return 0;
}
