#include "data/codetask.h"
#include "util/hash.h"
#include "data/pydoc.h"
#include "util/error.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct clm_codetask_family families[] = {
	{ "concode", CLM_KIND_GENERATE, "java" },
	{ "codetrans", CLM_KIND_TRANSLATE, "java->c_sharp" },
	{ "bugs2fix", CLM_KIND_REFINE, "java" },
};

const struct clm_codetask_family *clm_codetask_family(const char *name)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(families[i].name, name))
			return &families[i];
	return NULL;
}

struct ranked {
	uint64_t key;
	size_t index;
};

static int by_key(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->index > y->index) - (x->index < y->index);
}

static int by_index(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static uint64_t id_rank(const char *id)
{
	/* A basis other than the split's, so that the subset does not follow the split. */
	return clm_fnv1a(0x84222325cbf29ce4ULL, id, strlen(id));
}

int clm_dataset_subsample(struct clm_dataset *ds, size_t max)
{
	struct ranked *r;
	struct clm_example *kept;

	if (!max || ds->n <= max)
		return 0;
	r = malloc(ds->n * sizeof(*r));
	kept = malloc(max * sizeof(*kept));
	if (!r || !kept) {
		free(r), free(kept);
		return clm_error_oom();
	}
	for (size_t i = 0; i < ds->n; i++)
		r[i] = (struct ranked){ id_rank(ds->items[i].id), i };
	qsort(r, ds->n, sizeof(*r), by_key);
	for (size_t i = max; i < ds->n; i++)
		clm_example_release(&ds->items[r[i].index]);
	qsort(r, max, sizeof(*r), by_index);
	for (size_t i = 0; i < max; i++)
		kept[i] = ds->items[r[i].index];
	free(ds->items);
	free(r);
	ds->items = kept;
	ds->n = ds->alloc = max;
	return 0;
}

int clm_codetask_load(const char *dir, const char *family, const char *split, size_t max,
		      struct clm_dataset *out)
{
	const struct clm_codetask_family *fam = clm_codetask_family(family);
	struct clm_dataset ds = { 0 };
	struct clm_jsonl_reader r;
	char path[4096];
	json_t *obj;
	FILE *fp;
	int rc;

	if (!fam)
		return clm_error_set(CLM_ENOTFOUND, "unknown CodeTask family '%s'", family);
	snprintf(path, sizeof(path), "%s/%s/%s.jsonl", dir, family, split);
	if (!(fp = fopen(path, "r")))
		return clm_error_set(CLM_ENOTFOUND, "cannot open %s", path);
	clm_jsonl_reader_init(&r, fp, path, 0);
	while ((rc = clm_jsonl_next(&r, &obj)) > 0) {
		char where[4200];
		const char *id, *src = NULL, *tgt = NULL;
		snprintf(where, sizeof(where), "%s:%zu", path, r.lineno);
		id = clm_json_get_string(obj, "id", where);
		if (id)
			src = clm_json_get_string(obj, "source", where);
		if (src)
			tgt = clm_json_get_string(obj, "target", where);
		rc = tgt ? clm_dataset_add(&ds, id, fam->name, fam->kind, fam->lang, src, tgt, NULL) : CLM_EINVALID;
		json_decref(obj);
		if (rc < 0)
			break;
	}
	clm_jsonl_reader_release(&r);
	fclose(fp);
	if (!rc)
		rc = clm_dataset_subsample(&ds, max);
	for (size_t i = 0; !rc && i < ds.n; i++) {
		const struct clm_example *e = &ds.items[i];
		rc = clm_dataset_add(out, e->id, e->task, e->kind, e->lang, e->source, e->target, NULL);
	}
	clm_dataset_release(&ds);
	return rc < 0 ? rc : 0;
}

int clm_codetask_stream_load(const char *data_dir, const char *py_root, size_t max_train, size_t max_eval,
			     size_t max_chars, struct clm_codetask_stream *out)
{
	static const char *const order[CLM_CODETASK_NTASKS] = { "concode", "codetrans", "pydoc", "bugs2fix" };
	struct clm_dataset all = { 0 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t t = 0; t < CLM_CODETASK_NTASKS && !rc; t++) {
		const struct clm_codetask_family *fam = clm_codetask_family(order[t]);
		out->names[t] = order[t];
		if (fam) {
			out->kinds[t] = fam->kind;
			out->langs[t] = fam->lang;
			rc = clm_codetask_load(data_dir, fam->name, "train", max_train, &out->train[t]);
			if (!rc)
				rc = clm_codetask_load(data_dir, fam->name, "valid", max_eval, &out->eval[t]);
			continue;
		}
		out->kinds[t] = CLM_KIND_SUMMARIZE;
		out->langs[t] = "python";
		rc = clm_pydoc_collect(py_root, "pydoc", max_chars, 0, &all);
		if (!rc)
			rc = clm_dataset_filter_split(&all, CLM_SPLIT_TRAIN, &out->train[t]);
		if (!rc)
			rc = clm_dataset_filter_split(&all, CLM_SPLIT_VALID, &out->eval[t]);
		if (!rc)
			rc = clm_dataset_subsample(&out->train[t], max_train);
		if (!rc)
			rc = clm_dataset_subsample(&out->eval[t], max_eval);
		clm_dataset_release(&all);
	}
	if (rc)
		clm_codetask_stream_release(out);
	return rc;
}

void clm_codetask_stream_release(struct clm_codetask_stream *s)
{
	for (size_t t = 0; t < CLM_CODETASK_NTASKS; t++) {
		clm_dataset_release(&s->train[t]);
		clm_dataset_release(&s->eval[t]);
	}
}
