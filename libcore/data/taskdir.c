#include "data/taskdir.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/jsonl.h"
#include "util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const task_files[] = { "train.jsonl", "valid.jsonl", "test.jsonl", "task.json", NULL };

char *clm_task_id_escape(const char *id)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("._+@-", *p);
		if (plain ? clm_strbuf_addch(&sb, (char)*p) < 0 : clm_strbuf_addf(&sb, "%%%02X", *p) < 0) {
			clm_strbuf_release(&sb);
			return NULL;
		}
	}
	/* "." and ".." are not folder names we can own. */
	if ((!strcmp(sb.buf, ".") || !strcmp(sb.buf, "..")) && clm_strbuf_addstr(&sb, "%2E") < 0) {
		clm_strbuf_release(&sb);
		return NULL;
	}
	return clm_strbuf_detach(&sb, NULL);
}

int clm_task_dir_remove(const char *dir)
{
	struct clm_strbuf path = CLM_STRBUF_INIT;
	int rc = 0;

	for (int i = 0; task_files[i] && rc == 0; i++) {
		clm_strbuf_reset(&path);
		if (clm_strbuf_addf(&path, "%s/%s", dir, task_files[i]) < 0)
			rc = clm_error_oom();
		else if (unlink(path.buf) < 0 && errno != ENOENT)
			rc = clm_error_set(CLM_EIO, "cannot remove %s: %s", path.buf, strerror(errno));
	}
	clm_strbuf_release(&path);
	if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
		rc = clm_error_set(CLM_EIO, "cannot remove %s: %s", dir, strerror(errno));
	return rc;
}

int clm_task_writer_open(struct clm_task_writer *w, const char *tasks_dir, const char *task_id, FILE *stream)
{
	char *esc = NULL;

	memset(w, 0, sizeof(*w));
	w->id = strdup(task_id);
	w->by_kind = json_object();
	w->by_lang = json_object();
	if (!w->id || !w->by_kind || !w->by_lang)
		goto oom;
	if (stream) {
		w->stream = stream;
		return 0;
	}
	esc = clm_task_id_escape(task_id);
	if (!esc || !(w->final_dir = clm_strfmt("%s/%s", tasks_dir, esc)) ||
	    !(w->tmp_dir = clm_strfmt("%s/.tmp-%s-%ld", tasks_dir, esc, (long)getpid())))
		goto oom;
	free(esc);
	esc = NULL;
	if (clm_mkdir_p(tasks_dir, 0777) < 0)
		return CLM_EIO;
	clm_task_dir_remove(w->tmp_dir);
	if (clm_mkdir_p(w->tmp_dir, 0777) < 0)
		return CLM_EIO;
	for (int s = 0; s < CLM_SPLIT_COUNT; s++) {
		char *p;
		if (!(p = clm_strfmt("%s/%s.jsonl", w->tmp_dir, clm_split_name((enum clm_split)s))))
			goto oom;
		w->files[s] = fopen(p, "w");
		if (!w->files[s]) {
			int rc = clm_error_set(CLM_EIO, "cannot create %s: %s", p, strerror(errno));
			free(p);
			return rc;
		}
		free(p);
	}
	return 0;
oom:
	free(esc);
	return clm_error_oom();
}


static int count_key(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n = v ? json_integer_value(v) : 0;
	return json_object_set_new(obj, key, json_integer(n + 1)) < 0 ? clm_error_oom() : 0;
}

/* Copy the examples of one split file of the old folder, counting them. */
static int copy_split(struct clm_task_writer *w, enum clm_split split)
{
	struct clm_jsonl_reader r;
	char *path;
	FILE *fp;
	json_t *obj;
	int rc;

	if (!(path = clm_strfmt("%s/%s.jsonl", w->final_dir, clm_split_name(split))))
		return clm_error_oom();
	fp = fopen(path, "r");
	if (!fp) {
		free(path);
		return 0;
	}
	clm_jsonl_reader_init(&r, fp, path, 0);
	while ((rc = clm_jsonl_next(&r, &obj)) > 0) {
		const char *id = json_string_value(json_object_get(obj, "id"));
		const char *kind = json_string_value(json_object_get(obj, "kind"));
		const char *lang = json_string_value(json_object_get(obj, "lang"));
		if (!id || strlen(id) != 40 || !kind || !lang)
			rc = clm_error_set(CLM_EINVALID, "%s:%zu: not a mined example", path, r.lineno);
		else if ((rc = clm_idset_add(&w->seen, id)) > 0 && (rc = clm_jsonl_write(w->files[split], obj)) == 0 &&
			 (rc = count_key(w->by_kind, kind)) == 0 && (rc = count_key(w->by_lang, lang)) == 0)
			w->by_split[split]++;
		json_decref(obj);
		if (rc < 0)
			break;
	}
	clm_jsonl_reader_release(&r);
	fclose(fp);
	free(path);
	return rc < 0 ? rc : 0;
}

int clm_task_writer_resume(struct clm_task_writer *w, const char *tasks_dir, const char *task_id, json_t **meta)
{
	struct clm_strbuf data = CLM_STRBUF_INIT;
	char *path = NULL;
	int rc;

	*meta = NULL;
	if ((rc = clm_task_writer_open(w, tasks_dir, task_id, NULL)) < 0)
		return rc;
	if (!(path = clm_strfmt("%s/task.json", w->final_dir)))
		return clm_error_oom();
	rc = clm_read_file(path, 16 << 20, &data);
	if (rc == 0 && !(*meta = clm_json_parse(data.buf, data.len, path)))
		rc = CLM_EINVALID;
	if (rc == 0)
		w->duplicates = (size_t)json_integer_value(
			json_object_get(json_object_get(*meta, "counts"), "duplicates"));
	for (int s = 0; rc == 0 && s < CLM_SPLIT_COUNT; s++)
		rc = copy_split(w, (enum clm_split)s);
	if (rc < 0) {
		json_decref(*meta);
		*meta = NULL;
	}
	clm_strbuf_release(&data);
	free(path);
	return rc;
}

int clm_task_writer_add(struct clm_task_writer *w, struct clm_mined_example *ex)
{
	char id[41];
	json_t *obj;
	enum clm_split split;
	int rc;

	ex->task = w->id;
	if ((rc = clm_mined_example_id(ex, id)) < 0)
		return rc;
	obj = clm_mined_example_to_json(ex, id);
	if (!obj) {
		w->unencodable++;
		return 0;
	}
	rc = clm_idset_add(&w->seen, id);
	if (rc <= 0) {
		json_decref(obj);
		w->duplicates += rc == 0;
		return rc;
	}
	split = clm_split_of_id(id);
	rc = clm_jsonl_write(w->stream ? w->stream : w->files[split], obj);
	json_decref(obj);
	if (rc < 0)
		return rc;
	w->by_split[split]++;
	if ((rc = count_key(w->by_kind, ex->kind)) < 0 || (rc = count_key(w->by_lang, ex->lang)) < 0)
		return rc;
	return 1;
}

size_t clm_task_writer_count(const struct clm_task_writer *w)
{
	return w->by_split[0] + w->by_split[1] + w->by_split[2];
}

int clm_task_writer_finish(struct clm_task_writer *w, json_t *meta)
{
	struct clm_strbuf sb = CLM_STRBUF_INIT;
	char *path = NULL, *old = NULL;
	json_t *counts;
	int rc = 0;

	counts = json_pack("{s:I,s:I,s:I,s:O,s:O,s:I}", "train", (json_int_t)w->by_split[0], "valid",
			   (json_int_t)w->by_split[1], "test", (json_int_t)w->by_split[2], "kind", w->by_kind,
			   "lang", w->by_lang, "duplicates", (json_int_t)w->duplicates);
	if (!counts || json_object_set_new(meta, "counts", counts) < 0)
		return clm_error_oom();
	if (w->stream)
		return fflush(w->stream) ? clm_error_set(CLM_EIO, "cannot write examples: %s", strerror(errno)) : 0;
	for (int s = 0; s < CLM_SPLIT_COUNT; s++) {
		int bad = fflush(w->files[s]) != 0 || fsync(fileno(w->files[s])) != 0;
		bad |= fclose(w->files[s]) != 0;
		w->files[s] = NULL;
		if (bad && !rc)
			rc = clm_error_set(CLM_EIO, "cannot write task %s: %s", w->id, strerror(errno));
	}
	if (rc)
		return rc;
	if (clm_json_dump_pretty(meta, &sb) < 0 || !(path = clm_strfmt("%s/task.json", w->tmp_dir)) ||
	    !(old = clm_strfmt("%s.old-%ld", w->tmp_dir, (long)getpid()))) {
		rc = clm_error_oom();
		goto cleanup;
	}
	if ((rc = clm_write_file_atomic(path, sb.buf, sb.len)) < 0)
		goto cleanup;
	/* Move an older copy aside first, so the task folder is always complete or absent. */
	if (rename(w->final_dir, old) < 0 && errno != ENOENT) {
		rc = clm_error_set(CLM_EIO, "cannot replace %s: %s", w->final_dir, strerror(errno));
		goto cleanup;
	}
	if (rename(w->tmp_dir, w->final_dir) < 0) {
		rc = clm_error_set(CLM_EIO, "cannot create %s: %s", w->final_dir, strerror(errno));
		rename(old, w->final_dir);
		goto cleanup;
	}
	clm_task_dir_remove(old);
	free(w->tmp_dir);
	w->tmp_dir = NULL;
cleanup:
	free(path);
	free(old);
	clm_strbuf_release(&sb);
	return rc;
}

void clm_task_writer_release(struct clm_task_writer *w)
{
	for (int s = 0; s < CLM_SPLIT_COUNT; s++)
		if (w->files[s])
			fclose(w->files[s]);
	if (w->tmp_dir)
		clm_task_dir_remove(w->tmp_dir);
	free(w->tmp_dir);
	free(w->final_dir);
	free(w->id);
	json_decref(w->by_kind);
	json_decref(w->by_lang);
	clm_idset_release(&w->seen);
	memset(w, 0, sizeof(*w));
}

static int compare_tasks(const void *a, const void *b)
{
	const json_t *ta = *(json_t *const *)a, *tb = *(json_t *const *)b;
	json_int_t xa = json_integer_value(json_object_get(ta, "time"));
	json_int_t xb = json_integer_value(json_object_get(tb, "time"));
	const char *ia = json_string_value(json_object_get(ta, "id")), *ib = json_string_value(json_object_get(tb, "id"));

	if (xa != xb)
		return xa < xb ? -1 : 1;
	return strcmp(ia ? ia : "", ib ? ib : "");
}

int clm_tasks_load(const char *tasks_dir, json_t **out)
{
	DIR *d = opendir(tasks_dir);
	struct dirent *e;
	json_t **items = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*out = json_array();
	if (!*out)
		return clm_error_oom();
	if (!d)
		return errno == ENOENT ? 0 : clm_error_set(CLM_EIO, "cannot read %s: %s", tasks_dir, strerror(errno));
	while (rc == 0 && (e = readdir(d))) {
		struct clm_strbuf path = CLM_STRBUF_INIT, data = CLM_STRBUF_INIT;
		json_t *t;
		if (e->d_name[0] == '.')
			continue;
		if (clm_strbuf_addf(&path, "%s/%s/task.json", tasks_dir, e->d_name) < 0) {
			rc = clm_error_oom();
		} else if (clm_read_file(path.buf, 16 << 20, &data) == 0) {
			t = clm_json_parse(data.buf, data.len, path.buf);
			if (!t || !json_is_object(t)) {
				json_decref(t);
				rc = CLM_EINVALID;
			} else if ((rc = CLM_ALLOC_GROW(items, n + 1, cap)) < 0) {
				json_decref(t);
			} else {
				items[n++] = t;
			}
		}
		clm_strbuf_release(&path);
		clm_strbuf_release(&data);
	}
	closedir(d);
	if (n)
		qsort(items, n, sizeof(*items), compare_tasks);
	for (size_t i = 0; i < n; i++)
		if (rc == 0 && json_array_append_new(*out, items[i]) < 0)
			rc = clm_error_oom();
		else if (rc)
			json_decref(items[i]);
	free(items);
	return rc;
}

int clm_task_eval_set(clm_task_split_reader read, void *ctx, int allow_train, size_t max, struct clm_dataset *out,
		      int *on_train)
{
	int rc = read(ctx, "test", out);

	*on_train = 0;
	if (rc == 0 && out->n == 0)
		rc = read(ctx, "valid", out);
	if (rc == 0 && out->n == 0 && allow_train) {
		rc = read(ctx, "train", out);
		*on_train = 1;
	}
	if (max)
		clm_dataset_truncate(out, max);
	return rc;
}
