#include "update/handoff.h"
#include "cl/trainer.h"
#include "io/lora.h"
#include "io/safetensors.h"
#include "nn/tensormap.h"
#include "nn/optim.h"
#include "store/export.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/hash.h"
#include "util/json.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Largest job.json or result/handoff.json read, and the longest trainer description kept. */
#define HANDOFF_JSON_MAX (1u << 20)
#define HANDOFF_TRAINER_MAX 200

struct handoff_ctx {
	struct clm_store *store;
	const char *dir;
	const char *script;
	const char *model;
	json_t *job;         /* take-back: job.json */
	json_t *result;      /* take-back: result/handoff.json */
	const struct clm_update_task *task; /* during the call */
};

static int join(struct clm_strbuf *out, const char *dir, const char *name)
{
	clm_strbuf_reset(out);
	return clm_strbuf_addf(out, "%s/%s", dir, name);
}

/* Write `v` (a reference this takes; NULL: out of memory) as dir/name. */
static int write_json(const char *dir, const char *name, json_t *v)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	int rc = v ? clm_json_dump_pretty(v, &text) : clm_error_oom();

	if (rc == 0 && (rc = join(&path, dir, name)) == 0)
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
	json_decref(v);
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
	return rc;
}

static json_t *read_json(const char *dir, const char *name)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, text = CLM_STRBUF_INIT;
	json_t *v = NULL;

	if (join(&path, dir, name) == 0 && clm_read_file(path.buf, HANDOFF_JSON_MAX, &text) == 0)
		v = clm_json_parse(text.buf, text.len, path.buf);
	if (v && !json_is_object(v)) {
		clm_error_set(CLM_EINVALID, "%s is not a JSON object", path.buf);
		json_decref(v);
		v = NULL;
	}
	clm_strbuf_release(&path);
	clm_strbuf_release(&text);
	return v;
}

/* `dir` created, or existing and empty: a hand-off never mixes with other files. */
static int fresh_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int used = 0;

	if (!d)
		return clm_mkdir_p(dir, 0777);
	while (!used && (e = readdir(d)))
		used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return used ? clm_error_set(CLM_EINVALID, "%s is not empty; a hand-off goes into a new folder", dir) : 0;
}

/* The token ids as a JSON array of integers. */
static json_t *ids_json(const int32_t *ids, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer(ids[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* One line of train.jsonl: the example, its text as prompt/completion and its token ids. */
static int add_example(const struct clm_update_task *t, const struct clm_example *ex, long replay_task,
		       struct clm_strbuf *out)
{
	int32_t *src = NULL, *tgt = NULL;
	size_t nsrc = 0, ntgt = 0;
	json_t *o = clm_example_to_json(ex);
	int rc = o ? clm_cl_encode_for_training(t->strategy, t->model, t->codec, ex, &src, &nsrc, &tgt, &ntgt)
		   : clm_error_oom();

	if (rc == 0 && (json_object_set_new(o, "prompt", json_string(ex->source)) < 0 ||
			json_object_set_new(o, "completion", json_string(ex->target)) < 0 ||
			json_object_set_new(o, "replay", json_boolean(replay_task >= 0)) < 0 ||
			json_object_set_new(o, "source_ids", ids_json(src, nsrc)) < 0 ||
			json_object_set_new(o, "target_ids", ids_json(tgt, ntgt)) < 0))
		rc = clm_error_oom();
	if (rc == 0 && replay_task >= 0 && json_object_set_new(o, "replay_task", json_integer(replay_task)) < 0)
		rc = clm_error_oom();
	if (rc == 0 && (rc = clm_json_dump(o, out)) == 0)
		rc = clm_strbuf_addch(out, '\n');
	json_decref(o);
	free(src);
	free(tgt);
	return rc;
}

/* train.jsonl: the replay buffer (oldest task first), then the task's examples. */
static int write_train(const struct handoff_ctx *h, const struct clm_update_task *t, size_t *replay_n)
{
	const struct clm_replay_buffer *b = &t->strategy->replay;
	struct clm_strbuf text = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT;
	int rc = 0;

	*replay_n = 0;
	for (size_t k = 0; rc == 0 && t->strategy->params.replay && k < b->ntasks; k++)
		for (size_t i = 0; rc == 0 && i < b->per_task[k].n; i++, ++*replay_n)
			rc = add_example(t, &b->per_task[k].items[i], (long)k, &text);
	for (size_t i = 0; rc == 0 && i < t->train->n; i++)
		rc = add_example(t, &t->train->items[i], -1, &text);
	if (rc == 0 && (rc = join(&path, h->dir, "train.jsonl")) == 0)
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
	clm_strbuf_release(&text);
	clm_strbuf_release(&path);
	return rc;
}

/* Strategies the trainer implements: every weight (seqft, replay), or one LoRA set per task on the
 * frozen backbone (lora; with +replay the buffer's examples go through their own tasks' sets,
 * which the trainer does not hold). */
static int check_strategy(const struct clm_strategy *s)
{
	if (!strcmp(s->ops->name, "seqft") || (!strcmp(s->ops->name, "lora") && !s->params.replay))
		return 0;
	return clm_error_set(CLM_EINVALID, "the model learns with %s, which train_ddp.py does not implement (it trains "
			     "seqft and replay, every weight, and lora, one adapter per task); train it here with "
			     "git clmodel update", s->name);
}

static int is_lora(const struct clm_strategy *s)
{
	return !strcmp(s->ops->name, "lora");
}

/* LoRA set `set` of the model in PEFT's layout (names "<module>.lora_A" [r, in], ".lora_B"). */
static int collect_set(struct clm_gpt *m, int set, struct clm_lora_adapter *out)
{
	struct clm_tensor_list w = { 0 };
	int rc = clm_gpt_export(m, CLM_EXPORT_LORA, &w);

	if (rc == 0)
		rc = clm_lora_collect(&w, set, out);
	clm_tensor_list_release(&w);
	return rc;
}

/* adapter_init/: the new task's LoRA set as the engine starts it (begin_task adds it; nothing of
 * this hand-off is recorded, so the model may change), as a PEFT directory the trainer starts from. */
static int write_initial_adapter(const struct handoff_ctx *h, const struct clm_update_task *t)
{
	struct clm_lora_adapter a = { 0 };
	struct clm_strbuf config = CLM_STRBUF_INIT, dir = CLM_STRBUF_INIT;
	int rc = clm_strategy_begin_task(t->strategy, t->model, t->task, t->train);

	if (rc == 0)
		rc = collect_set(t->model, t->model->n_lora - 1, &a);
	if (rc == 0)
		rc = clm_store_read_file(h->store, t->head, "config.json", &config);
	if (rc == 0 && (rc = join(&dir, h->dir, "adapter_init")) == 0)
		rc = clm_lora_write_peft(&a, config.buf, config.len, dir.buf);
	clm_lora_adapter_release(&a);
	clm_strbuf_release(&config);
	clm_strbuf_release(&dir);
	return rc;
}

/* strategy.json: what trains, how, and for how long, so the trainer makes the engine's choices. */
static json_t *hyper_json(const struct clm_update_task *t, size_t replay_n)
{
	const struct clm_cl_train_config *c = t->config;
	const struct clm_cl_params *p = &t->strategy->params;
	const struct clm_gpt *m = t->model;
	int lora = is_lora(t->strategy);
	struct clm_adamw_config ac = c->adamw;
	size_t from_buffer = p->replay && replay_n ? (size_t)lround(p->replay_ratio * c->batch_size) : 0;
	json_t *lr = json_array(), *train = json_array(), *decay = json_array();
	char seed[19];

	snprintf(seed, sizeof(seed), "0x%016llx", (unsigned long long)p->seed);
	/* as clm_cl_train_task: a frozen backbone's adapters take their own learning rate */
	if (t->strategy->ops->frozen_backbone && c->frozen_lr > 0)
		ac.lr = c->frozen_lr;
	for (int i = 0; lr && i < c->steps; i++)
		json_array_append_new(lr, json_real(clm_adamw_lr_at(&ac, i)));
	for (size_t i = 0; !lora && train && decay && i < m->n_backbone; i++) {
		json_array_append_new(train, json_string(m->params[i].name));
		if (m->params[i].decay || c->adamw.decay_all)
			json_array_append_new(decay, json_string(m->params[i].name));
	}
	/* the engine decays every LoRA matrix (nn/model.c) */
	return json_pack("{s:s,s:s,s:s?,s:b,s:b,s:o,s:o,s:i,s:i,s:I,s:o,s:{s:f,s:f,s:f,s:f,s:f},s:s}", "strategy",
			 t->strategy->name, "weights", lora ? "lora" : "full", "adapter", lora ? "adapter_init" : NULL,
			 "lora_decay", lora, "replay",
			 p->replay, "train", train, "decay", decay, "steps",
			 c->steps, "batch_size", c->batch_size, "replay_per_batch",
			 (json_int_t)(from_buffer > (size_t)c->batch_size ? (size_t)c->batch_size : from_buffer), "lr", lr,
			 "adamw", "beta1", (double)c->adamw.beta1, "beta2", (double)c->adamw.beta2, "eps",
			 (double)c->adamw.eps, "weight_decay", (double)c->adamw.weight_decay, "clip_norm",
			 (double)c->adamw.clip_norm, "seed", seed);
}

/* A hand-off id: distinct for every hand-off (head, task, time, process). */
static void new_id(const struct clm_update_task *t, char out[17])
{
	struct timespec ts;
	uint64_t h = clm_hash_bytes(t->head->id, sizeof(t->head->id));

	clock_gettime(CLOCK_REALTIME, &ts);
	h = clm_fnv1a(h, t->task, strlen(t->task));
	h = clm_hash_mix(clm_hash_mix(clm_hash_mix(h, (uint64_t)ts.tv_sec), (uint64_t)ts.tv_nsec), (uint64_t)getpid());
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int copy_script(const struct handoff_ctx *h)
{
	struct clm_strbuf text = CLM_STRBUF_INIT, path = CLM_STRBUF_INIT;
	int rc = clm_read_file(h->script, 0, &text);

	if (rc < 0)
		rc = clm_error_wrap(rc, "the trainer script");
	if (rc == 0 && (rc = join(&path, h->dir, "train_ddp.py")) == 0)
		rc = clm_write_file_atomic(path.buf, text.buf, text.len);
	clm_strbuf_release(&text);
	clm_strbuf_release(&path);
	return rc;
}

static int handoff_train(void *ctx, const struct clm_update_task *t, struct clm_cl_train_stats *stats)
{
	struct handoff_ctx *h = ctx;
	struct clm_strbuf base = CLM_STRBUF_INIT;
	char id[17], head[GIT_OID_HEXSZ + 1];
	size_t replay_n = 0;
	json_t *job;
	int rc = check_strategy(t->strategy);

	(void)stats;
	new_id(t, id);
	git_oid_tostr(head, sizeof(head), t->head);
	if (rc == 0)
		rc = fresh_dir(h->dir);
	if (rc == 0 && (rc = join(&base, h->dir, "base")) == 0)
		rc = clm_store_export(h->store, t->head, CLM_EXPORT_HF, base.buf);
	if (rc == 0)
		rc = write_train(h, t, &replay_n);
	if (rc == 0 && is_lora(t->strategy))
		rc = write_initial_adapter(h, t);
	if (rc == 0)
		rc = write_json(h->dir, "strategy.json", hyper_json(t, replay_n));
	if (rc == 0)
		rc = copy_script(h);
	if (rc == 0) {
		job = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "format", CLM_HANDOFF_FORMAT,
				"version", CLM_HANDOFF_VERSION, "id", id, "model", h->model ? h->model : CLM_STORE_DEFAULT_MODEL,
				"head", head, "task", t->task, "strategy", t->strategy->name, "base", "base", "train",
				"train.jsonl", "hyper", "strategy.json", "result", "result", "script", "train_ddp.py", "command",
				"torchrun --nproc_per_node=<N> train_ddp.py .", "examples", (json_int_t)(t->train->n + replay_n));
		if (job && t->source)
			json_object_set_new(job, "source", json_string(t->source));
		rc = write_json(h->dir, "job.json", job);
	}
	clm_strbuf_release(&base);
	return rc < 0 ? rc : CLM_UPDATE_HANDED_OFF;
}

int clm_handoff_write(struct clm_store *s, const struct clm_update_options *o, const char *dir, const char *script,
		      struct clm_progress *p, struct clm_update_result *out)
{
	struct handoff_ctx h = { .store = s, .dir = dir, .script = script, .model = o->model };
	struct clm_update_trainer trainer = { handoff_train, &h, NULL };
	struct clm_update_options opt = *o;

	opt.trainer = &trainer;
	return clm_update_run(s, &opt, p, out);
}

/* A string field of job.json or handoff.json that must be there. */
static const char *field(const json_t *o, const char *key, const char *file, const char *dir)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (!v)
		clm_error_set(CLM_EINVALID, "%s/%s has no \"%s\"", dir, file, key);
	return v;
}

/* The trainer's description: one printable line, not too long. */
static int check_trainer_text(const char *v, const char *dir)
{
	size_t n = strlen(v);

	if (!n || n > HANDOFF_TRAINER_MAX)
		return clm_error_set(CLM_EINVALID, "%s/result/handoff.json: \"trainer\" must be 1 to %d characters", dir,
				     HANDOFF_TRAINER_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return clm_error_set(CLM_EINVALID, "%s/result/handoff.json: \"trainer\" holds a control character",
					     dir);
	return 0;
}

/* job.json and result/handoff.json read, and the result belonging to this hand-off. */
static int read_job(struct handoff_ctx *h, const char **trainer)
{
	struct clm_strbuf result = CLM_STRBUF_INIT;
	const char *format, *id, *rid;
	int rc = 0;

	if (!(h->job = read_json(h->dir, "job.json")))
		return clm_error_wrap(CLM_EINVALID, "%s is not a hand-off folder", h->dir);
	format = json_string_value(json_object_get(h->job, "format"));
	if (!format || strcmp(format, CLM_HANDOFF_FORMAT) ||
	    json_integer_value(json_object_get(h->job, "version")) != CLM_HANDOFF_VERSION)
		return clm_error_set(CLM_EINVALID, "%s/job.json is not a %s version %d job", h->dir, CLM_HANDOFF_FORMAT,
				     CLM_HANDOFF_VERSION);
	if (!(id = field(h->job, "id", "job.json", h->dir)) || !field(h->job, "head", "job.json", h->dir) ||
	    !field(h->job, "task", "job.json", h->dir))
		return CLM_EINVALID;
	if ((rc = join(&result, h->dir, "result")) == 0 && !(h->result = read_json(result.buf, "handoff.json")))
		rc = clm_error_wrap(CLM_EINVALID, "no result to take back in %s (the trainer writes result/)", h->dir);
	clm_strbuf_release(&result);
	if (rc < 0)
		return rc;
	if (!(rid = field(h->result, "id", "result/handoff.json", h->dir)) ||
	    !(*trainer = field(h->result, "trainer", "result/handoff.json", h->dir)))
		return CLM_EINVALID;
	if (strcmp(rid, id))
		return clm_error_set(CLM_EINVALID, "the result in %s/result belongs to hand-off %.16s, not to this one (%s); "
				     "nothing recorded", h->dir, rid, id);
	return check_trainer_text(*trainer, h->dir);
}

/* The result's tensors checked against the model's backbone: names, shapes, dtypes, values. */
static int check_weights(const struct clm_tensor_list *w, struct clm_gpt *m, const char *path)
{
	size_t matched = 0;

	for (size_t i = 0; i < w->n; i++) {
		const struct clm_named_tensor *t = &w->items[i];
		struct clm_param *p = clm_gpt_param(m, t->name);
		int rc;

		if (!p || (size_t)(p - m->params) >= m->n_backbone)
			return clm_error_set(CLM_EINVALID, "%s: tensor %s is not in the base", path, t->name);
		if (t->dtype != CLM_DTYPE_F32 && t->dtype != CLM_DTYPE_F16 && t->dtype != CLM_DTYPE_BF16)
			return clm_error_set(CLM_EINVALID, "%s: %s is %s, not F32, F16 or BF16", path, t->name,
					     clm_dtype_name(t->dtype));
		if (t->ndim != p->ndim || t->shape[0] != p->shape[0] || (p->ndim == 2 && t->shape[1] != p->shape[1]))
			return clm_error_set(CLM_EINVALID, "%s: %s has shape %s, the base's is [%lld%s%lld]", path, t->name,
					     t->ndim == 1 ? "[n]" : t->ndim == 2 ? "[r, c]" : "of another rank",
					     (long long)p->shape[0], p->ndim == 2 ? ", " : "",
					     p->ndim == 2 ? (long long)p->shape[1] : 0LL);
		if (!p->w)
			return clm_error_set(CLM_EINVALID, "%s: %s is quantized in the base; it cannot take trained values",
					     path, t->name);
		if ((rc = clm_tensor_check_finite(t)) < 0)
			return clm_error_wrap(rc, "%s", path);
		matched++;
	}
	if (matched != m->n_backbone)
		for (size_t i = 0; i < m->n_backbone; i++)
			if (!clm_tensor_list_find(w, m->params[i].name))
				return clm_error_set(CLM_EINVALID, "%s: tensor %s of the base is missing", path,
						     m->params[i].name);
	return 0;
}

/* A PEFT tensor name ("base_model.model.[transformer.]<module>.lora_A.weight") as the adapter's
 * "<module>.lora_A", into `out`; 0 when it has that form. */
static int peft_module_name(const char *name, struct clm_strbuf *out)
{
	static const char prefix[] = "base_model.model.", gpt2[] = "transformer.", suffix[] = ".weight";
	size_t n = strlen(name);

	if (strncmp(name, prefix, sizeof(prefix) - 1) || n < sizeof(prefix) + sizeof(suffix) ||
	    strcmp(name + n - (sizeof(suffix) - 1), suffix))
		return -1;
	name += sizeof(prefix) - 1;
	if (!strncmp(name, gpt2, sizeof(gpt2) - 1) && !strncmp(name + sizeof(gpt2) - 1, "h.", 2))
		name += sizeof(gpt2) - 1;
	clm_strbuf_reset(out);
	return clm_strbuf_add(out, name, strlen(name) - (sizeof(suffix) - 1));
}

/* The result's LoRA set checked against the set the engine added for the task (names, shapes,
 * dtypes, values), then written into the model's "clm.lora.<k>.<module>.A" [in, r] and ".B"
 * [r, out] (PEFT keeps their transposes). */
static int load_adapter(struct clm_gpt *m, const struct clm_tensor_list *w, const char *path)
{
	struct clm_lora_adapter a = { 0 };
	struct clm_strbuf name = CLM_STRBUF_INIT;
	int set = m->n_lora - 1, rc = collect_set(m, set, &a);

	for (size_t i = 0; rc == 0 && i < w->n; i++) {
		const struct clm_named_tensor *t = &w->items[i], *want;
		if (peft_module_name(t->name, &name) < 0 || !(want = clm_tensor_list_find(&a.ab, name.buf)))
			rc = clm_error_set(CLM_EINVALID, "%s: tensor %s is not in the task's LoRA set", path, t->name);
		else if (t->dtype != CLM_DTYPE_F32 && t->dtype != CLM_DTYPE_F16 && t->dtype != CLM_DTYPE_BF16)
			rc = clm_error_set(CLM_EINVALID, "%s: %s is %s, not F32, F16 or BF16", path, t->name,
					   clm_dtype_name(t->dtype));
		else if (t->ndim != 2 || t->shape[0] != want->shape[0] || t->shape[1] != want->shape[1])
			rc = clm_error_set(CLM_EINVALID, "%s: %s does not have the shape [%lld, %lld]", path, t->name,
					   (long long)want->shape[0], (long long)want->shape[1]);
		else if ((rc = clm_tensor_check_finite(t)) < 0)
			rc = clm_error_wrap(rc, "%s", path);
	}
	for (size_t i = 0; rc == 0 && w->n != a.ab.n && i < a.ab.n; i++) {
		size_t j = 0;
		for (; j < w->n && (peft_module_name(w->items[j].name, &name) < 0 || strcmp(name.buf, a.ab.items[i].name)); j++)
			;
		if (j == w->n)
			rc = clm_error_set(CLM_EINVALID, "%s: the LoRA tensor of %s is missing", path, a.ab.items[i].name);
	}
	for (size_t i = 0; rc == 0 && i < w->n; i++) {
		const struct clm_named_tensor *t = &w->items[i];
		char pname[CLM_PARAM_NAME_MAX], ab;
		struct clm_param *p;
		float *v = NULL;

		peft_module_name(t->name, &name);
		ab = name.buf[name.len - 1]; /* "<module>.lora_A" or ".lora_B" */
		clm_strbuf_setlen(&name, name.len - strlen(".lora_A"));
		snprintf(pname, sizeof(pname), "clm.lora.%d.%s.%c", set, name.buf, ab);
		if (!(p = clm_gpt_param(m, pname)))
			rc = clm_error_set(CLM_EINVALID, "%s: no LoRA parameter %s for %s", path, pname, t->name);
		else if ((rc = clm_tensor_to_f32(t, &v)) == 0)
			for (int64_t r = 0; r < t->shape[0]; r++)
				for (int64_t c = 0; c < t->shape[1]; c++)
					p->w[c * t->shape[0] + r] = v[r * t->shape[1] + c];
		free(v);
	}
	clm_lora_adapter_release(&a);
	clm_strbuf_release(&name);
	return rc;
}

/* clm_cl_adopt_task's loader: the result's weights into the model, after every check. */
static int load_result(void *ctx, struct clm_gpt *m)
{
	struct handoff_ctx *h = ctx;
	if (is_lora(h->task->strategy)) {
		struct clm_tensor_list w = { 0 };
		struct clm_strbuf path = CLM_STRBUF_INIT;
		int rc = join(&path, h->dir, "result/adapter_model.safetensors");
		if (rc == 0)
			rc = clm_safetensors_read(path.buf, 0, &w, NULL);
		if (rc == 0)
			rc = load_adapter(m, &w, path.buf);
		clm_tensor_list_release(&w);
		clm_strbuf_release(&path);
		return rc;
	}
	struct clm_tensor_list w = { 0 };
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = join(&path, h->dir, "result/model.safetensors");

	if (rc == 0)
		rc = clm_safetensors_read(path.buf, 0, &w, NULL);
	if (rc == 0)
		rc = check_weights(&w, m, path.buf);
	for (size_t i = 0; rc == 0 && i < w.n; i++)
		rc = clm_tensor_to_f32_into(&w.items[i], clm_gpt_param(m, w.items[i].name)->w);
	clm_tensor_list_release(&w);
	clm_strbuf_release(&path);
	return rc;
}

/* The result's config.json must be the base's: the same model, trained. */
static int check_config(const struct handoff_ctx *h, const struct clm_update_task *t)
{
	struct clm_strbuf path = CLM_STRBUF_INIT, base_text = CLM_STRBUF_INIT;
	json_t *got = NULL, *base = NULL;
	int rc = join(&path, h->dir, "result");

	if (rc == 0 && !(got = read_json(path.buf, "config.json")))
		rc = CLM_EINVALID;
	if (rc == 0 && (rc = clm_store_read_file(h->store, t->head, "config.json", &base_text)) == 0 &&
	    !(base = clm_json_parse(base_text.buf, base_text.len, "config.json of the head")))
		rc = CLM_EINVALID;
	if (rc == 0 && !json_equal(got, base))
		rc = clm_error_set(CLM_EINVALID, "%s/config.json is not the base's config.json (another model?)", path.buf);
	json_decref(got);
	json_decref(base);
	clm_strbuf_release(&path);
	clm_strbuf_release(&base_text);
	return rc;
}

/* The result's adapter_config.json must keep the set's rank and alpha (its scale). */
static int check_adapter_config(const struct handoff_ctx *h, const struct clm_strategy *s)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	json_t *c = NULL;
	int rc = join(&path, h->dir, "result");

	if (rc == 0 && !(c = read_json(path.buf, "adapter_config.json")))
		rc = CLM_EINVALID;
	if (rc == 0 && (json_integer_value(json_object_get(c, "r")) != s->params.lora_rank ||
			json_number_value(json_object_get(c, "lora_alpha")) != (double)s->params.lora_alpha))
		rc = clm_error_set(CLM_EINVALID, "%s/adapter_config.json: r and lora_alpha must stay %d and %g", path.buf,
				   s->params.lora_rank, (double)s->params.lora_alpha);
	json_decref(c);
	clm_strbuf_release(&path);
	return rc;
}

static int take_back_train(void *ctx, const struct clm_update_task *t, struct clm_cl_train_stats *stats)
{
	struct handoff_ctx *h = ctx;
	const char *task = json_string_value(json_object_get(h->job, "task"));
	const char *head = json_string_value(json_object_get(h->job, "head"));
	char now[GIT_OID_HEXSZ + 1];
	int rc;

	git_oid_tostr(now, sizeof(now), t->head);
	if (strcmp(head, now))
		return clm_error_set(CLM_ECONFLICT, "the hand-off started from version %.12s, but the model is at %.12s now; "
				     "nothing recorded (hand the task off again)", head, now);
	if (strcmp(task, t->task))
		return clm_error_set(CLM_ECONFLICT, "the hand-off is for task %s, but the next task to learn is %s; nothing "
				     "recorded", task, t->task);
	if ((rc = check_strategy(t->strategy)) < 0 || (!is_lora(t->strategy) && (rc = check_config(h, t)) < 0) ||
	    (is_lora(t->strategy) && (rc = check_adapter_config(h, t->strategy)) < 0))
		return rc;
	rc = clm_cl_adopt_task(t->strategy, t->model, t->codec, t->task, t->train, load_result, h);
	if (rc == 0) {
		stats->first_loss = json_number_value(json_object_get(h->result, "first_loss"));
		stats->last_loss = json_number_value(json_object_get(h->result, "last_loss"));
		stats->seconds = json_number_value(json_object_get(h->result, "seconds"));
	}
	return rc;
}

/* Every task after the one taken back stays for a later update or hand-off. */
static int stop_after(void *ctx, const struct clm_update_task *t, struct clm_cl_train_stats *stats)
{
	struct handoff_ctx *h = ctx;

	(void)stats;
	if (h->task)
		return CLM_UPDATE_HANDED_OFF;
	h->task = t;
	return take_back_train(ctx, t, stats);
}

/* The result reports the task taken back; the tasks after it were only looked at. */
static void drop_later_steps(struct clm_update_result *r, const char *task)
{
	size_t keep = r->n;

	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->steps[i].task, task))
			keep = i + 1;
	for (size_t i = keep; i < r->n; i++) {
		free(r->steps[i].task);
		free(r->steps[i].candidate_ref);
		free(r->steps[i].reason);
	}
	r->n = keep;
	r->pending = 0;
}

int clm_handoff_take_back(struct clm_store *s, const struct clm_update_options *o, const char *dir,
			  struct clm_progress *p, struct clm_update_result *out)
{
	struct handoff_ctx h = { .store = s, .dir = dir, .model = o->model };
	struct clm_update_trainer trainer = { stop_after, &h, NULL };
	struct clm_update_options opt = *o;
	int rc = read_job(&h, &trainer.name);

	opt.trainer = &trainer;
	opt.skip_mining = 1;
	memset(out, 0, sizeof(*out));
	if (rc == 0) {
		/* the strategy the job was made with, for a model that has none yet */
		opt.strategy = json_string_value(json_object_get(h.job, "strategy"));
		rc = clm_update_run(s, &opt, p, out);
	}
	if (rc == 0 && !h.task)
		rc = clm_error_set(CLM_EINVALID, "no task left to learn: the hand-off's task %s was learned already",
				   json_string_value(json_object_get(h.job, "task")));
	if (rc == 0)
		drop_later_steps(out, json_string_value(json_object_get(h.job, "task")));
	json_decref(h.job);
	json_decref(h.result);
	return rc;
}
