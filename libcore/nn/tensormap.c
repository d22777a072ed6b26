#include "nn/tensormap.h"
#include "nn/model_internal.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int export_param(const struct clm_param *p, struct clm_tensor_list *out)
{
	float *dec;
	int rc;

	if (!p->q.data)
		return clm_tensor_list_add(out, p->name, CLM_DTYPE_F32, p->ndim, p->shape, p->w, p->n * sizeof(float));
	if (!(dec = malloc(p->n * sizeof(float))))
		return clm_error_oom();
	clm_qmat_rows(&p->q, 0, p->q.rows, dec);
	rc = clm_tensor_list_add(out, p->name, CLM_DTYPE_F32, p->ndim, p->shape, dec, p->n * sizeof(float));
	free(dec);
	return rc;
}

int clm_gpt_export(const struct clm_gpt *m, int what, struct clm_tensor_list *out)
{
	char name[64];

	for (size_t i = 0; i < m->n_params; i++) {
		const struct clm_param *p = &m->params[i];
		int group = i < m->n_backbone ? CLM_EXPORT_BACKBONE
			    : (int)i == m->prompt_param ? CLM_EXPORT_PROMPT : CLM_EXPORT_LORA;
		if ((what & group) && export_param(p, out))
			return CLM_ENOMEM;
	}
	for (int s = 0; (what & CLM_EXPORT_LORA) && s < m->n_lora; s++) {
		snprintf(name, sizeof(name), "clm.lora.%d.alpha", s);
		if (clm_tensor_list_add(out, name, CLM_DTYPE_F32, 0, NULL, &m->lora[s].alpha, sizeof(float)))
			return CLM_ENOMEM;
	}
	return 0;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* The name without the "transformer." prefix GPT2LMHeadModel checkpoints use. */
static const char *bare_name(const char *name)
{
	return strncmp(name, "transformer.", 12) ? name : name + 12;
}

/* Tensors a GPT-2 checkpoint carries that are not parameters here. */
static int ignored(const char *name)
{
	return has_suffix(name, ".attn.bias") || has_suffix(name, ".attn.masked_bias") || !strcmp(name, "lm_head.weight") ||
	       has_suffix(name, ".rotary_emb.inv_freq") || !strncmp(name, "clm.optim.", 10);
}

int clm_gpt_checkpoint_shape(const struct clm_gpt_config *cfg, const char *name, int *ndim, int64_t shape[2])
{
	const char *bare = bare_name(name);

	if (clm_gpt_backbone_shape(cfg, bare, ndim, shape))
		return 1;
	return ignored(bare) ? 0 : -1;
}

/* Create LoRA sets up to the highest index named in `in`, rank from their first A, alpha from the
 * alpha tensor (default: the rank). */
static int create_lora_sets(struct clm_gpt *m, const struct clm_tensor_list *in)
{
	char name[CLM_PARAM_NAME_MAX], prefix[32];
	int want = m->n_lora;

	for (size_t i = 0; i < in->n; i++) {
		int k;
		if (sscanf(in->items[i].name, "clm.lora.%d.", &k) == 1 && k >= want && k < 4096)
			want = k + 1;
	}
	while (m->n_lora < want) {
		int s = m->n_lora;
		snprintf(prefix, sizeof(prefix), m->lay.layer_prefix, 0);
		snprintf(name, sizeof(name), "clm.lora.%d.%s%s.A", s, prefix, m->lay.proj[0].name);
		const struct clm_named_tensor *a = clm_tensor_list_find(in, name);
		if (!a || a->ndim != 2)
			return clm_error_set(CLM_EINVALID, "LoRA set %d: tensor %s is missing or not a matrix", s, name);
		float alpha = (float)a->shape[1];
		snprintf(name, sizeof(name), "clm.lora.%d.alpha", s);
		const struct clm_named_tensor *al = clm_tensor_list_find(in, name);
		if (al) {
			float *v;
			if (clm_shape_numel(al->ndim, al->shape) != 1 || clm_tensor_to_f32(al, &v))
				return clm_error_set(CLM_EINVALID, "tensor %s: not a scalar", name);
			alpha = v[0];
			free(v);
		}
		int rc = clm_gpt_add_lora(m, (int)a->shape[1], alpha, (uint64_t)s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Copy tensor t into parameter p after checking its shape. */
static int load_one(struct clm_param *p, const struct clm_named_tensor *t)
{
	int same = t->ndim == p->ndim;

	for (int d = 0; same && d < p->ndim; d++)
		same = t->shape[d] == p->shape[d];
	if (!same)
		return clm_error_set(CLM_EINVALID, "tensor %s: shape does not match the model's [%lld%s%lld]", t->name,
				     (long long)p->shape[0], p->ndim == 2 ? " x " : "",
				     p->ndim == 2 ? (long long)p->shape[1] : 0LL);
	if (clm_tensor_to_f32_into(t, p->w))
		return clm_error_wrap(CLM_EINVALID, "tensor %s", t->name);
	return 0;
}

/* Load every tensor of `in`; marks loaded backbone params in `seen` (n_backbone flags) if given. */
static int load_all(struct clm_gpt *m, const struct clm_tensor_list *in, char *seen)
{
	int rc;
	const struct clm_named_tensor *pt = clm_tensor_list_find(in, "clm.prompt.weight");

	if (pt) {
		if (pt->ndim != 2 || pt->shape[1] != m->cfg.n_embd || pt->shape[0] < 1 || pt->shape[0] > 1 << 20)
			return clm_error_set(CLM_EINVALID, "tensor clm.prompt.weight: shape is not [rows x %d]",
					     m->cfg.n_embd);
		if (pt->shape[0] < m->n_prompt_rows)
			return clm_error_set(CLM_EINVALID, "tensor clm.prompt.weight: %lld rows, the model has %d",
					     (long long)pt->shape[0], m->n_prompt_rows);
		if ((rc = clm_gpt_set_prompt_rows(m, (int)pt->shape[0], 0)))
			return rc;
	}
	if ((rc = create_lora_sets(m, in)))
		return rc;
	for (size_t i = 0; i < in->n; i++) {
		const struct clm_named_tensor *t = &in->items[i];
		const char *name = bare_name(t->name);
		struct clm_param *p = clm_gpt_param(m, name);
		if (!p && (ignored(name) || has_suffix(name, ".alpha")))
			continue;
		if (!p)
			return clm_error_set(CLM_EINVALID, "tensor %s is not part of a %s model of this config",
					     t->name, clm_arch_name(m->cfg.arch));
		if ((rc = load_one(p, t)))
			return rc;
		if (seen && (size_t)(p - m->params) < m->n_backbone)
			seen[p - m->params] = 1;
	}
	return 0;
}

int clm_gpt_loader_begin(struct clm_gpt_loader *ld, struct clm_gpt *m, const struct clm_gpt_config *cfg)
{
	int rc = clm_gpt_alloc(m, cfg);

	ld->m = m;
	ld->seen = NULL;
	if (rc)
		return rc;
	if (!(ld->seen = calloc(m->n_backbone, 1))) {
		clm_gpt_release(m);
		return clm_error_oom();
	}
	return 0;
}

int clm_gpt_loader_add(struct clm_gpt_loader *ld, const struct clm_named_tensor *t)
{
	const char *name = bare_name(t->name);
	struct clm_param *p = clm_gpt_param(ld->m, name);
	int rc;

	if (!p && ignored(name))
		return 0;
	if (!p || (size_t)(p - ld->m->params) >= ld->m->n_backbone)
		return clm_error_set(CLM_EINVALID, "tensor %s is not part of a %s model of this config", t->name,
				     clm_arch_name(ld->m->cfg.arch));
	if ((rc = load_one(p, t)))
		return rc;
	ld->seen[p - ld->m->params] = 1;
	return 0;
}

/* Whether backbone parameter p is a [rows][cols] matrix as nn.Linear stores it (not GPT-2's Conv1D). */
static int linear_layout(const struct clm_gpt *m, const struct clm_param *p)
{
	size_t i = (size_t)(p - m->params);

	if ((int)i == m->lay.wte || (int)i == m->lay.lm_head)
		return 1;
	for (int k = 0; k < m->lay.n_proj && i >= (size_t)m->lay.first_layer; k++)
		if ((i - (size_t)m->lay.first_layer) % (size_t)m->lay.per_layer == (size_t)m->lay.proj[k].w)
			return m->lay.proj[k].hf;
	return 0;
}

int clm_gpt_loader_add_encoded(struct clm_gpt_loader *ld, const char *name, enum clm_ggml_type type,
			       const void *data, size_t nbytes)
{
	struct clm_param *p = clm_gpt_param(ld->m, bare_name(name));
	size_t row;
	int rc;

	if (!p || (size_t)(p - ld->m->params) >= ld->m->n_backbone || p->ndim != 2 || !linear_layout(ld->m, p))
		return clm_error_set(CLM_EINVALID, "tensor %s is no weight matrix of a %s model of this config", name,
				     clm_arch_name(ld->m->cfg.arch));
	if ((rc = clm_ggml_row_bytes(type, (uint64_t)p->shape[1], &row)) < 0 || row * (size_t)p->shape[0] != nbytes)
		return clm_error_set(CLM_EINVALID, "tensor %s: %zu bytes are not %lld rows of %lld %s values", name,
				     nbytes, (long long)p->shape[0], (long long)p->shape[1], clm_ggml_type_name(type));
	if ((rc = clm_qmat_init(&p->q, type, p->shape[0], p->shape[1], data)) < 0)
		return rc;
	free(p->w);
	free(p->g);
	p->w = p->g = NULL;
	p->trainable = 0;
	ld->seen[p - ld->m->params] = 1;
	return 0;
}

int clm_gpt_loader_end(struct clm_gpt_loader *ld, int ok)
{
	int rc = ok ? 0 : CLM_EINVALID;

	for (size_t i = 0; !rc && i < ld->m->n_backbone; i++)
		if (!ld->seen[i])
			rc = clm_error_set(CLM_EINVALID, "checkpoint has no tensor %s", ld->m->params[i].name);
	free(ld->seen);
	ld->seen = NULL;
	if (rc)
		clm_gpt_release(ld->m);
	return rc;
}

int clm_gpt_load_tensors(struct clm_gpt *m, const struct clm_tensor_list *in)
{
	return load_all(m, in, NULL);
}

int clm_gpt_from_tensors(struct clm_gpt *m, const struct clm_gpt_config *cfg, const struct clm_tensor_list *in)
{
	int rc = clm_gpt_alloc(m, cfg);
	char *seen;

	if (rc)
		return rc;
	if (!(seen = calloc(m->n_backbone, 1))) {
		clm_gpt_release(m);
		return clm_error_oom();
	}
	rc = load_all(m, in, seen);
	for (size_t i = 0; !rc && i < m->n_backbone; i++)
		if (!seen[i])
			rc = clm_error_set(CLM_EINVALID, "checkpoint has no tensor %s", m->params[i].name);
	free(seen);
	if (rc)
		clm_gpt_release(m);
	return rc;
}
