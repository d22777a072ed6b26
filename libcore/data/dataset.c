#include "data/dataset.h"
#include "util/alloc.h"
#include "util/hash.h"
#include "util/error.h"
#include "util/json.h"
#include "util/jsonl.h"
#include "util/strbuf.h"
#include "util/fileio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = { "refine", "generate", "summarize", "complete", "translate" };

const char *clm_task_kind_name(enum clm_task_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

int clm_task_kind_parse(const char *name, enum clm_task_kind *out)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(name, kind_names[i])) {
			*out = (enum clm_task_kind)i;
			return 0;
		}
	return clm_error_set(CLM_EINVALID, "unknown task kind '%s'", name);
}

int clm_dataset_add(struct clm_dataset *ds, const char *id, const char *task, enum clm_task_kind kind,
		    const char *lang, const char *source, const char *target, json_t *prov)
{
	struct clm_example *ex;

	if (CLM_ALLOC_GROW(ds->items, ds->n + 1, ds->alloc) < 0)
		return CLM_ENOMEM;
	ex = &ds->items[ds->n];
	ex->id = strdup(id);
	ex->task = strdup(task);
	ex->lang = strdup(lang);
	ex->source = strdup(source);
	ex->target = strdup(target);
	ex->kind = kind;
	ex->prov = prov ? json_incref(prov) : NULL;
	if (!ex->id || !ex->task || !ex->lang || !ex->source || !ex->target) {
		free(ex->id), free(ex->task), free(ex->lang), free(ex->source), free(ex->target);
		json_decref(ex->prov);
		return clm_error_oom();
	}
	ds->n++;
	return 0;
}

int clm_dataset_add_json(struct clm_dataset *ds, const json_t *obj, const char *where)
{
	static const char *const fields[] = { "id", "task", "kind", "lang", "source", "target" };
	const char *v[6];
	enum clm_task_kind kind = CLM_KIND_REFINE;
	json_t *prov = json_object_get(obj, "prov");

	for (size_t i = 0; i < 6; i++)
		if (!(v[i] = clm_json_get_string(obj, fields[i], where)))
			return CLM_EINVALID;
	if (!*v[0])
		return clm_error_set(CLM_EINVALID, "%s: empty id", where);
	if (clm_task_kind_parse(v[2], &kind) < 0)
		return clm_error_wrap(CLM_EINVALID, "%s", where);
	if (prov && !json_is_object(prov))
		return clm_error_set(CLM_EINVALID, "%s: field 'prov' is not an object", where);
	return clm_dataset_add(ds, v[0], v[1], kind, v[3], v[4], v[5], prov);
}

int clm_dataset_read_jsonl(struct clm_dataset *ds, FILE *fp, const char *name)
{
	struct clm_jsonl_reader r;
	json_t *obj;
	int rc;

	clm_jsonl_reader_init(&r, fp, name, 0);
	while ((rc = clm_jsonl_next(&r, &obj)) > 0) {
		char where[512];
		snprintf(where, sizeof(where), "%s:%zu", name, r.lineno);
		rc = clm_dataset_add_json(ds, obj, where);
		json_decref(obj);
		if (rc < 0)
			break;
	}
	clm_jsonl_reader_release(&r);
	return rc < 0 ? rc : 0;
}

int clm_dataset_load_jsonl(struct clm_dataset *ds, const char *path)
{
	FILE *fp = fopen(path, "r");
	int rc;

	if (!fp)
		return clm_error_set(CLM_ENOTFOUND, "cannot open %s", path);
	rc = clm_dataset_read_jsonl(ds, fp, path);
	fclose(fp);
	return rc;
}

json_t *clm_example_to_json(const struct clm_example *ex)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", ex->id, "task", ex->task, "kind",
			      clm_task_kind_name(ex->kind), "lang", ex->lang, "source", ex->source, "target",
			      ex->target);

	if (o && ex->prov && json_object_set(o, "prov", ex->prov) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int clm_dataset_save_jsonl(const struct clm_dataset *ds, const char *path)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < ds->n && !rc; i++) {
		json_t *o = clm_example_to_json(&ds->items[i]);
		if (!o) {
			rc = clm_error_oom();
			break;
		}
		rc = clm_json_dump(o, &sb);
		if (!rc)
			rc = clm_strbuf_addch(&sb, '\n');
		json_decref(o);
	}
	if (!rc)
		rc = clm_write_file_atomic(path, sb.buf ? sb.buf : "", sb.len);
	clm_strbuf_release(&sb);
	return rc;
}

void clm_example_content_id(const char *task, const char *source, const char *target, char out[17])
{
	/* NUL separators keep ("ab","c") and ("a","bc") apart. */
	uint64_t h = CLM_FNV1A_BASIS;
	h = clm_fnv1a(h, task, strlen(task) + 1);
	h = clm_fnv1a(h, source, strlen(source) + 1);
	h = clm_fnv1a(h, target, strlen(target));
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

enum clm_split clm_split_of_id(const char *id)
{
	unsigned bucket = (unsigned)(clm_hash_bytes(id, strlen(id)) % 100);
	return bucket < 80 ? CLM_SPLIT_TRAIN : bucket < 90 ? CLM_SPLIT_VALID : CLM_SPLIT_TEST;
}

const char *clm_split_name(enum clm_split split)
{
	static const char *const names[] = { "train", "valid", "test" };
	return (unsigned)split < CLM_SPLIT_COUNT ? names[split] : "train";
}

int clm_dataset_filter_split(const struct clm_dataset *in, enum clm_split split, struct clm_dataset *out)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct clm_example *e = &in->items[i];
		if (clm_split_of_id(e->id) != split)
			continue;
		if (clm_dataset_add(out, e->id, e->task, e->kind, e->lang, e->source, e->target, e->prov) < 0)
			return CLM_ENOMEM;
	}
	return 0;
}

void clm_example_release(struct clm_example *e)
{
	free(e->id), free(e->task), free(e->lang), free(e->source), free(e->target);
	json_decref(e->prov);
}

void clm_dataset_release(struct clm_dataset *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		clm_example_release(&ds->items[i]);
	free(ds->items);
	memset(ds, 0, sizeof(*ds));
}

void clm_dataset_truncate(struct clm_dataset *ds, size_t n)
{
	for (size_t i = n; i < ds->n; i++)
		clm_example_release(&ds->items[i]);
	if (ds->n > n)
		ds->n = n;
}
