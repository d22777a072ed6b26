#include "cl/strategy.h"
#include "cl/strategy_internal.h"
#include "cl/key_select.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct clm_strategy_ops *const all_ops[] = {
	&clm_cl_seqft_ops, &clm_cl_mtl_ops, &clm_cl_ewc_ops, &clm_cl_lora_ops, &clm_cl_spt_ops,
	&clm_cl_tspt_ops, &clm_cl_pp_ops, &clm_cl_pptf_ops,
};
#define N_OPS (sizeof(all_ops) / sizeof(all_ops[0]))

static const char *const names[] = { "seqft", "mtl", "replay", "ewc", "lora", "spt", "tspt", "pp", "pp-tf", NULL };

const char *const *clm_strategy_names(void)
{
	return names;
}

void clm_cl_params_defaults(struct clm_cl_params *p)
{
	memset(p, 0, sizeof(*p));
	p->replay_size = 200;
	p->replay_ratio = 0.25;
	p->mtl_alpha = 0.7;
	p->ewc_lambda = 1000;
	p->ewc_decay = 0.9;
	p->fisher_samples = 32;
	p->lora_rank = 8;
	p->lora_alpha = 16;
	p->prompt_len = 100;
	p->pool_size = 100;
	p->pool_prompt_len = 5;
	p->top_k = 20;
	p->pptf_shared = 2;
	p->planned_tasks = 4;
	p->key_lr = 0.01;
	p->key_loss_weight = 0.1;
	p->seed = 1;
}

void clm_cl_params_fit_context(struct clm_cl_params *p, int n_positions)
{
	if (n_positions >= 512)
		return;
	p->prompt_len = 20;
	p->top_k = 4;
}

int clm_strategy_create(struct clm_strategy *s, const char *name, const struct clm_cl_params *params)
{
	char base[32];
	const char *plus = strchr(name, '+');
	size_t len = plus ? (size_t)(plus - name) : strlen(name);

	memset(s, 0, sizeof(*s));
	if (len >= sizeof(base) || (plus && strcmp(plus, "+replay")))
		goto unknown;
	memcpy(base, name, len);
	base[len] = 0;
	s->params = *params;
	if (!strcmp(base, "replay")) {
		if (plus)
			goto unknown;
		s->ops = &clm_cl_seqft_ops;
		s->params.replay = 1;
	} else {
		for (size_t i = 0; i < N_OPS && !s->ops; i++)
			if (!strcmp(all_ops[i]->name, base))
				s->ops = all_ops[i];
		if (!s->ops)
			goto unknown;
		s->params.replay = plus != NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	clm_rng_seed(&s->rng, s->params.seed);
	clm_replay_init(&s->replay, s->params.replay ? s->params.replay_size : 0);
	return 0;
unknown:
	memset(s, 0, sizeof(*s));
	return clm_error_set(CLM_EINVALID,
			     "unknown strategy '%s' (known: seqft, mtl, replay, ewc, lora, spt, tspt, pp, pp-tf, "
			     "and <name>+replay)", name);
}

int clm_strategy_begin_task(struct clm_strategy *s, struct clm_gpt *m, const char *task,
			    const struct clm_dataset *train)
{
	char *copy = strdup(task);

	if (!copy)
		return clm_error_oom();
	if (s->n_task_names > s->ntasks) { /* a retried begin replaces the name */
		free(s->task_names[s->ntasks]);
		s->task_names[s->ntasks] = copy;
	} else {
		if (CLM_ALLOC_GROW(s->task_names, s->n_task_names + 1, s->task_names_alloc) < 0) {
			free(copy);
			return CLM_ENOMEM;
		}
		s->task_names[s->n_task_names++] = copy;
	}
	return s->ops->begin_task(s, m, train);
}

int clm_strategy_compose(struct clm_strategy *s, const struct clm_dataset *train, struct clm_cl_item *items, size_t n)
{
	size_t from_buffer = 0;
	int rc;

	if (!train->n)
		return clm_error_set(CLM_EINVALID, "task %s has no training examples",
				     s->ntasks < s->n_task_names ? s->task_names[s->ntasks] : "?");
	if (s->params.replay && clm_replay_size(&s->replay))
		from_buffer = (size_t)lround(s->params.replay_ratio * (double)n);
	if (from_buffer > n)
		from_buffer = n;
	if (s->ops->compose) {
		if ((rc = s->ops->compose(s, train, items, n - from_buffer)) < 0)
			return rc;
	} else {
		for (size_t i = 0; i < n - from_buffer; i++)
			items[i] = (struct clm_cl_item){ &train->items[clm_rng_below(&s->rng, train->n)], s->ntasks };
	}
	for (size_t i = n - from_buffer; i < n; i++)
		items[i].ex = clm_replay_draw(&s->replay, &s->rng, &items[i].task);
	return 0;
}

int clm_strategy_route(struct clm_strategy *s, struct clm_gpt *m, const struct clm_cl_item *items,
		       const struct clm_batch *bare, enum clm_route_mode mode, struct clm_cl_route *routes)
{
	if (s->ops->route)
		return s->ops->route(s, m, items, bare, mode, routes);
	for (int i = 0; i < bare->n; i++)
		routes[i] = (struct clm_cl_route){ NULL, 0, -1 };
	return 0;
}

int clm_strategy_extra_loss(struct clm_strategy *s, struct clm_gpt *m, float *loss)
{
	return s->ops->extra_loss ? s->ops->extra_loss(s, m, loss) : 0;
}

int clm_strategy_end_task(struct clm_strategy *s, struct clm_gpt *m, const struct clm_dataset *train)
{
	int rc = s->ops->end_task ? s->ops->end_task(s, m, train) : 0;

	if (!rc && s->params.replay)
		rc = clm_replay_add_task(&s->replay, train);
	if (!rc)
		s->ntasks++;
	return rc;
}

int clm_strategy_max_prefix(const struct clm_strategy *s)
{
	if (s->ops == &clm_cl_spt_ops || s->ops == &clm_cl_tspt_ops)
		return s->params.prompt_len;
	if (s->ops == &clm_cl_pp_ops || s->ops == &clm_cl_pptf_ops)
		return s->params.pool_prompt_len * s->params.top_k;
	return 0;
}

size_t clm_strategy_trainable(const struct clm_strategy *s, const struct clm_gpt *m)
{
	return clm_gpt_trainable_count(m) + (s->ops->own_params ? s->ops->own_params(s) : 0);
}

/* Grow both histograms to at least rows x cols, keeping counts. */
static int hist_grow(struct clm_strategy *s, size_t rows, size_t cols)
{
	if (rows <= s->hist_rows && cols <= s->hist_cols)
		return 0;
	rows = rows > s->hist_rows ? rows : s->hist_rows;
	cols = cols > s->hist_cols ? cols : s->hist_cols;
	for (int h = 0; h < 2; h++) {
		uint64_t *n = calloc(rows * cols, sizeof(*n));
		if (!n)
			return clm_error_oom();
		for (size_t r = 0; r < s->hist_rows; r++)
			memcpy(n + r * cols, s->hist[h] + r * s->hist_cols, s->hist_cols * sizeof(*n));
		free(s->hist[h]);
		s->hist[h] = n;
	}
	s->hist_rows = rows;
	s->hist_cols = cols;
	return 0;
}

int clm_strategy_count_selection(struct clm_strategy *s, int inference, size_t task, size_t key)
{
	int rc = hist_grow(s, task + 1, key + 1);

	if (!rc)
		s->hist[inference != 0][task * s->hist_cols + key]++;
	return rc;
}

char *clm_strategy_histogram_text(const struct clm_strategy *s, int inference)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char *line = malloc(8192);

	for (size_t t = 0; line && t < s->hist_rows; t++) {
		const char *name = t < s->n_task_names ? s->task_names[t] : "?";
		clm_histogram_format(s->hist[inference != 0] + t * s->hist_cols, s->hist_cols, line, 8192);
		clm_strbuf_addf(&sb, "%s: %s\n", name, line);
	}
	free(line);
	return clm_strbuf_detach(&sb, NULL);
}

static json_t *u64_json(uint64_t v)
{
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)v);
	return json_string(hex);
}

static json_t *params_json(const struct clm_cl_params *p)
{
	return json_pack("{s:b, s:I, s:f, s:f, s:f, s:b, s:f, s:I, s:i, s:f, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, s:o}",
			 "replay", p->replay, "replay_size", (json_int_t)p->replay_size, "replay_ratio",
			 p->replay_ratio, "mtl_alpha", p->mtl_alpha, "ewc_lambda", p->ewc_lambda, "ewc_online",
			 p->ewc_online, "ewc_decay", p->ewc_decay, "fisher_samples", (json_int_t)p->fisher_samples,
			 "lora_rank", p->lora_rank, "lora_alpha", (double)p->lora_alpha, "prompt_len",
			 p->prompt_len, "pool_size", p->pool_size, "pool_prompt_len", p->pool_prompt_len, "top_k",
			 p->top_k, "pptf_shared", p->pptf_shared, "planned_tasks", p->planned_tasks, "key_lr",
			 p->key_lr, "key_loss_weight", p->key_loss_weight, "seed", u64_json(p->seed));
}

static int params_from_json(const json_t *j, struct clm_cl_params *p)
{
	const char *what = "strategy params";
	int64_t v[11];
	double d[6];
	int rc = 0;

	rc |= clm_json_get_int(j, "replay_size", 0, 1 << 30, &v[0], what);
	rc |= clm_json_get_int(j, "fisher_samples", 0, 1 << 30, &v[1], what);
	rc |= clm_json_get_int(j, "lora_rank", 0, 4096, &v[2], what);
	rc |= clm_json_get_int(j, "prompt_len", 0, 1 << 20, &v[3], what);
	rc |= clm_json_get_int(j, "pool_size", 0, 1 << 20, &v[4], what);
	rc |= clm_json_get_int(j, "pool_prompt_len", 0, 1 << 20, &v[5], what);
	rc |= clm_json_get_int(j, "top_k", 0, 1 << 20, &v[6], what);
	rc |= clm_json_get_int(j, "pptf_shared", 0, 1 << 20, &v[7], what);
	rc |= clm_json_get_int(j, "planned_tasks", 0, 1 << 20, &v[8], what);
	rc |= clm_json_get_number(j, "replay_ratio", &d[0], what);
	rc |= clm_json_get_number(j, "mtl_alpha", &d[1], what);
	rc |= clm_json_get_number(j, "ewc_lambda", &d[2], what);
	rc |= clm_json_get_number(j, "ewc_decay", &d[3], what);
	rc |= clm_json_get_number(j, "lora_alpha", &d[4], what);
	rc |= clm_json_get_number(j, "key_lr", &d[5], what);
	rc |= clm_json_get_number(j, "key_loss_weight", &p->key_loss_weight, what);
	if (rc)
		return CLM_EINVALID;
	p->replay = json_is_true(json_object_get(j, "replay"));
	p->ewc_online = json_is_true(json_object_get(j, "ewc_online"));
	p->replay_size = (size_t)v[0], p->fisher_samples = (size_t)v[1], p->lora_rank = (int)v[2];
	p->prompt_len = (int)v[3], p->pool_size = (int)v[4], p->pool_prompt_len = (int)v[5], p->top_k = (int)v[6];
	p->pptf_shared = (int)v[7], p->planned_tasks = (int)v[8];
	p->replay_ratio = d[0], p->mtl_alpha = d[1], p->ewc_lambda = d[2], p->ewc_decay = d[3];
	p->lora_alpha = (float)d[4], p->key_lr = d[5];
	return 0;
}

static int u64_from_json(const json_t *j, uint64_t *out)
{
	const char *s = json_string_value(j);
	char *end;

	if (!s || strlen(s) != 16)
		return clm_error_set(CLM_EINVALID, "strategy state: expected 16 hex digits");
	*out = strtoull(s, &end, 16);
	return *end ? clm_error_set(CLM_EINVALID, "strategy state: bad hex number '%s'", s) : 0;
}

static int hist_save(const struct clm_strategy *s, struct clm_tensor_list *out)
{
	int64_t shape[2] = { (int64_t)s->hist_rows, (int64_t)s->hist_cols };
	static const char *const hnames[2] = { "cl.histogram.train", "cl.histogram.infer" };
	int rc = 0;

	if (!s->hist_rows)
		return 0;
	for (int h = 0; h < 2 && !rc; h++)
		rc = clm_tensor_list_add(out, hnames[h], CLM_DTYPE_I64, 2, shape, s->hist[h],
					 s->hist_rows * s->hist_cols * sizeof(uint64_t));
	return rc;
}

static int hist_load(struct clm_strategy *s, const struct clm_tensor_list *in)
{
	static const char *const hnames[2] = { "cl.histogram.train", "cl.histogram.infer" };

	for (int h = 0; h < 2; h++) {
		const struct clm_named_tensor *t = clm_tensor_list_find(in, hnames[h]);
		if (!t)
			continue;
		if (t->dtype != CLM_DTYPE_I64 || t->ndim != 2 || t->shape[0] < 0 || t->shape[1] < 0)
			return clm_error_set(CLM_EINVALID, "strategy state: bad tensor %s", hnames[h]);
		if (hist_grow(s, (size_t)t->shape[0], (size_t)t->shape[1]) < 0)
			return CLM_ENOMEM;
		if ((size_t)t->shape[0] != s->hist_rows || (size_t)t->shape[1] != s->hist_cols)
			return clm_error_set(CLM_EINVALID, "strategy state: histograms differ in shape");
		memcpy(s->hist[h], t->data, t->nbytes);
	}
	return 0;
}

int clm_strategy_save(const struct clm_strategy *s, struct clm_tensor_list *tensors, json_t **state)
{
	json_t *o = json_object(), *tasks = json_array(), *rng = json_array(), *impl = json_object();
	int rc = (!o || !tasks || !rng || !impl) ? clm_error_oom() : 0;

	for (size_t t = 0; !rc && t < s->ntasks; t++)
		rc = json_array_append_new(tasks, json_string(s->task_names[t])) < 0 ? clm_error_oom() : 0;
	for (int i = 0; !rc && i < 4; i++)
		rc = json_array_append_new(rng, u64_json(s->rng.s[i])) < 0 ? clm_error_oom() : 0;
	if (!rc)
		rc = json_object_set_new(o, "params", params_json(&s->params)) < 0 ? clm_error_oom() : 0;
	if (!rc && s->params.replay)
		rc = json_object_set_new(o, "replay", clm_replay_to_json(&s->replay)) < 0 ? clm_error_oom() : 0;
	if (!rc && s->ops->save)
		rc = s->ops->save(s, tensors, impl);
	if (!rc)
		rc = hist_save(s, tensors);
	if (!rc && (json_object_set_new(o, "strategy", json_string(s->name)) < 0 ||
		    json_object_set(o, "tasks", tasks) < 0 || json_object_set(o, "rng", rng) < 0 ||
		    json_object_set(o, "state", impl) < 0))
		rc = clm_error_oom();
	json_decref(tasks), json_decref(rng), json_decref(impl);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*state = o;
	return 0;
}

int clm_strategy_load(struct clm_strategy *s, const struct clm_tensor_list *tensors, const json_t *state)
{
	const char *name = clm_json_get_string(state, "strategy", "strategy state");
	const json_t *tasks = json_object_get(state, "tasks"), *rng = json_object_get(state, "rng");
	const json_t *pj = json_object_get(state, "params");
	struct clm_cl_params params;
	int rc;

	memset(s, 0, sizeof(*s));
	clm_cl_params_defaults(&params);
	if (!name)
		return CLM_EINVALID;
	if (!json_is_array(tasks) || !json_is_array(rng) || json_array_size(rng) != 4 || !json_is_object(pj))
		return clm_error_set(CLM_EINVALID, "strategy state: missing tasks, rng or params");
	if ((rc = params_from_json(pj, &params)) < 0 || (rc = u64_from_json(json_object_get(pj, "seed"), &params.seed)) < 0)
		return rc;
	if ((rc = clm_strategy_create(s, name, &params)) < 0)
		return rc;
	for (int i = 0; !rc && i < 4; i++)
		rc = u64_from_json(json_array_get(rng, i), &s->rng.s[i]);
	s->task_names = calloc(json_array_size(tasks) + 1, sizeof(char *));
	if (!rc && !s->task_names)
		rc = clm_error_oom();
	for (size_t t = 0; !rc && t < json_array_size(tasks); t++) {
		const char *tn = json_string_value(json_array_get(tasks, t));
		if (!tn || !(s->task_names[t] = strdup(tn)))
			rc = tn ? clm_error_oom() : clm_error_set(CLM_EINVALID, "strategy state: task %zu is not a string", t);
		else
			s->ntasks = s->n_task_names = t + 1;
	}
	if (!rc && s->params.replay)
		rc = clm_replay_from_json(&s->replay, json_object_get(state, "replay"));
	if (!rc)
		rc = hist_load(s, tensors);
	if (!rc && s->ops->load)
		rc = s->ops->load(s, tensors, json_object_get(state, "state"));
	if (rc)
		clm_strategy_release(s);
	return rc;
}

void clm_strategy_release(struct clm_strategy *s)
{
	if (s->ops && s->ops->release)
		s->ops->release(s);
	for (size_t t = 0; t < s->n_task_names; t++)
		free(s->task_names[t]);
	free(s->task_names);
	free(s->hist[0]);
	free(s->hist[1]);
	clm_replay_release(&s->replay);
	memset(s, 0, sizeof(*s));
}
