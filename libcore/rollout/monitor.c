#include "rollout/monitor.h"
#include "data/dataset.h"
#include "git/blob.h"
#include "git/repo.h"
#include "store/notes.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/jsonl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_FILE "suggestions.jsonl"
#define FILE_CACHE 64
#define MAX_FILE_BYTES (4u << 20)

/* A file's lines, trimmed, sorted, for membership tests. */
struct line_set {
	char *path;
	char *text;   /* owned copy the lines point into */
	char **lines; /* owned array */
	size_t n, alloc;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Split `text` (modified in place) into trimmed non-empty lines, sorted. */
static int line_set_build(struct line_set *ls, char *text)
{
	ls->text = text;
	for (char *p = text; p && *p;) {
		char *end = strchr(p, '\n'), *s = p, *e;
		if (end)
			*end = '\0';
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s) {
			if (CLM_ALLOC_GROW(ls->lines, ls->n + 1, ls->alloc) < 0)
				return CLM_ENOMEM;
			ls->lines[ls->n++] = s;
		}
		p = end ? end + 1 : NULL;
	}
	if (ls->n)
		qsort(ls->lines, ls->n, sizeof(*ls->lines), cmp_str);
	return 0;
}

static int line_set_has(const struct line_set *ls, const char *line)
{
	return ls->n && bsearch(&line, ls->lines, ls->n, sizeof(*ls->lines), cmp_str) != NULL;
}

static void line_set_release(struct line_set *ls)
{
	free(ls->path);
	free(ls->text);
	free(ls->lines);
	memset(ls, 0, sizeof(*ls));
}

/* The lines of `text` (trimmed, non-empty) that `have` does not contain, each once, as a JSON array. */
static json_t *new_lines(const char *text, const struct line_set *have)
{
	struct line_set mine = { 0 };
	json_t *out = json_array();
	char *copy = strdup(text ? text : "");

	if (!out || !copy || line_set_build(&mine, copy) < 0) {
		json_decref(out);
		free(copy);
		free(mine.lines);
		return NULL;
	}
	for (size_t i = 0; i < mine.n; i++)
		if ((i == 0 || strcmp(mine.lines[i], mine.lines[i - 1])) && !line_set_has(have, mine.lines[i]))
			json_array_append_new(out, json_string(mine.lines[i]));
	line_set_release(&mine);
	return out;
}

int clm_suggestion_record(git_repository *repo, const struct clm_suggestion *sg)
{
	struct line_set old = { 0 };
	struct clm_strbuf path;
	char hex[GIT_OID_HEXSZ + 1], hash[17];
	char *copy = strdup(sg->file_text ? sg->file_text : "");
	json_t *added = NULL, *line = NULL;
	FILE *fp = NULL;
	int rc = copy ? line_set_build(&old, copy) : clm_error_oom();

	if (!copy)
		return rc;
	clm_strbuf_init(&path);
	if (rc == 0 && !(added = new_lines(sg->new_text, &old)))
		rc = clm_error_oom();
	if (rc == 0 && json_array_size(added) == 0)
		goto cleanup;
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)clm_hash_bytes(sg->diff, strlen(sg->diff)));
	if (rc == 0 && !(line = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:s,s:O}", "t", (json_int_t)clm_store_now(), "model",
					  sg->model ? sg->model : CLM_STORE_DEFAULT_MODEL, "version",
					  git_oid_tostr(hex, sizeof(hex), sg->version), "kind", sg->kind, "path", sg->path,
					  "function", sg->function, "hash", hash, "added", added)))
		rc = clm_error_oom();
	if (rc == 0)
		rc = clm_repo_state_path(repo, LOG_FILE, &path);
	/* One short line appended: concurrent suggests never interleave inside a line. */
	if (rc == 0 && !(fp = fopen(path.buf, "a")))
		rc = clm_error_set(CLM_EIO, "cannot append to %s", path.buf);
	if (rc == 0)
		rc = clm_jsonl_write(fp, line);
	if (fp && fclose(fp) != 0 && rc == 0)
		rc = clm_error_set(CLM_EIO, "cannot write %s", path.buf);
cleanup:
	json_decref(added);
	json_decref(line);
	line_set_release(&old);
	clm_strbuf_release(&path);
	return rc;
}

/* The file `path` at HEAD, from a small cache (a log of thousands of suggestions names few files). */
static const struct line_set *file_at_head(git_repository *repo, git_tree *head, struct line_set *cache, size_t *used,
					   const char *path)
{
	struct line_set *ls;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	char *text;

	for (size_t i = 0; i < *used; i++)
		if (!strcmp(cache[i].path, path))
			return &cache[i];
	if (*used == FILE_CACHE) {
		for (size_t i = 0; i < *used; i++)
			line_set_release(&cache[i]);
		*used = 0;
	}
	ls = &cache[(*used)++];
	ls->path = strdup(path);
	/* A file that is gone, unreadable or too large keeps none of the suggested lines. */
	if (head && git_tree_entry_bypath(&e, head, path) == 0 && git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    clm_blob_read_capped(repo, git_tree_entry_id(e), MAX_FILE_BYTES, &blob) == 0 &&
	    (text = strndup(git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob))))
		line_set_build(ls, text);
	clm_error_clear();
	git_blob_free(blob);
	git_tree_entry_free(e);
	return ls;
}

static struct clm_version_uptake *uptake_for(struct clm_monitor_result *r, const char *version)
{
	uint32_t id;

	if (clm_symtab_intern(&r->index, version, strlen(version), &id) < 0)
		return NULL;
	if (id < r->n)
		return &r->versions[id];
	if (CLM_ALLOC_GROW(r->versions, r->n + 1, r->alloc) < 0)
		return NULL;
	memset(&r->versions[r->n], 0, sizeof(r->versions[r->n]));
	snprintf(r->versions[r->n].version, sizeof(r->versions[r->n].version), "%s", version);
	return &r->versions[r->n++];
}

/* A log line is a record when every field the scan reads has its type and the version is an
 * object id; else CLM_EINVALID with a message naming the line. */
static int check_record(const json_t *rec, const struct clm_jsonl_reader *rd)
{
	static const char *const strings[] = { "model", "version", "kind", "path" };
	const json_t *added = json_object_get(rec, "added"), *line;
	const char *v = json_string_value(json_object_get(rec, "version"));
	git_oid id;
	size_t i;

	for (i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		if (!json_is_string(json_object_get(rec, strings[i])))
			return clm_error_set(CLM_EINVALID, "%s:%zu: \"%s\" is not a string", rd->name, rd->lineno, strings[i]);
	if (strlen(v) != GIT_OID_HEXSZ || git_oid_fromstr(&id, v) < 0)
		return clm_error_set(CLM_EINVALID, "%s:%zu: \"version\" is not an object id", rd->name, rd->lineno);
	if (!json_is_integer(json_object_get(rec, "t")))
		return clm_error_set(CLM_EINVALID, "%s:%zu: \"t\" is not an integer", rd->name, rd->lineno);
	if (!json_is_array(added))
		return clm_error_set(CLM_EINVALID, "%s:%zu: \"added\" is not an array", rd->name, rd->lineno);
	json_array_foreach(added, i, line)
		if (!json_is_string(line))
			return clm_error_set(CLM_EINVALID, "%s:%zu: \"added\" holds a non-string", rd->name, rd->lineno);
	return 0;
}

/* Count a refused line, keeping the first message. */
static void skip_line(struct clm_monitor_result *r)
{
	if (!r->skipped++)
		snprintf(r->first_skipped, sizeof(r->first_skipped), "%s", clm_error());
	clm_error_clear();
}

void clm_wilson_interval(size_t k, size_t n, double *lo, double *hi)
{
	const double z = 1.959964, z2 = z * z;
	double p, centre, half;

	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	p = (double)k / (double)n;
	centre = (p + z2 / (2.0 * (double)n)) / (1 + z2 / (double)n);
	half = z * sqrt(p * (1 - p) / (double)n + z2 / (4.0 * (double)n * (double)n)) / (1 + z2 / (double)n);
	*lo = fmax(0, centre - half);
	*hi = fmin(1, centre + half);
}

static void classify(struct clm_version_uptake *u, const json_t *added, const struct line_set *now, double age_days,
		     double window_days)
{
	size_t n = json_array_size(added), present = 0;

	for (size_t i = 0; i < n; i++) /* strings: check_record */
		present += line_set_has(now, json_string_value(json_array_get(added, i)));
	u->made++;
	if (n && present == n)
		u->kept++;
	else if (present)
		u->partly++;
	else if (age_days > window_days)
		u->dropped++;
	else
		u->pending++;
}

/* The mask bit of a suggestion's kind; 0 for a kind we do not know. */
static unsigned kind_bit(const char *name)
{
	enum clm_task_kind k;

	if (!name || clm_task_kind_parse(name, &k) < 0) {
		clm_error_clear();
		return 0;
	}
	return 1u << k;
}

int clm_monitor_scan(struct clm_store *s, const char *model, double window_days, unsigned kinds,
		     struct clm_monitor_result *out)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	struct line_set *cache = calloc(FILE_CACHE, sizeof(*cache));
	struct clm_jsonl_reader rd;
	struct clm_strbuf path;
	git_commit *head_commit = NULL;
	git_tree *head = NULL;
	git_oid head_id;
	size_t used = 0;
	int64_t now = clm_store_now();
	FILE *fp = NULL;
	json_t *rec;
	int rc = cache ? 0 : clm_error_oom();

	memset(out, 0, sizeof(*out));
	clm_strbuf_init(&path);
	if (rc == 0)
		rc = clm_repo_state_path(s->repo, LOG_FILE, &path);
	if (rc == 0 && !(fp = fopen(path.buf, "r")))
		goto cleanup; /* nothing suggested yet */
	if (rc == 0 && git_reference_name_to_id(&head_id, s->repo, "HEAD") == 0 &&
	    git_commit_lookup(&head_commit, s->repo, &head_id) == 0)
		git_commit_tree(&head, head_commit);
	clm_jsonl_reader_init(&rd, fp, path.buf, 1u << 20);
	while (rc == 0) {
		int r = clm_jsonl_next(&rd, &rec);
		const char *v, *em;
		struct clm_version_uptake *u;
		unsigned bit;
		if (r == 0)
			break;
		if (r < 0 && r != CLM_EINVALID) {
			rc = r; /* unreadable (a read error, out of memory): no figures rather than wrong ones */
			break;
		}
		/* a damaged line (a crash mid-append, an edit) costs that suggestion, not the report */
		if (r < 0 || check_record(rec, &rd) < 0) {
			skip_line(out);
			json_decref(rec);
			continue;
		}
		v = json_string_value(json_object_get(rec, "version"));
		em = json_string_value(json_object_get(rec, "model"));
		bit = kind_bit(json_string_value(json_object_get(rec, "kind")));
		if (!strcmp(em, m) && (!kinds || (bit & kinds))) {
			const struct line_set *now_lines =
				file_at_head(s->repo, head, cache, &used, json_string_value(json_object_get(rec, "path")));
			double age = (double)(now - json_integer_value(json_object_get(rec, "t"))) / 86400.0;
			if (!(u = uptake_for(out, v)))
				rc = clm_error_oom();
			else
				classify(u, json_object_get(rec, "added"), now_lines, age, window_days);
			if (u)
				u->kinds |= bit;
			out->records++;
		}
		json_decref(rec);
	}
	clm_jsonl_reader_release(&rd);
	for (size_t i = 0; i < out->n; i++) {
		struct clm_version_uptake *u = &out->versions[i];
		size_t resolved = u->kept + u->partly + u->dropped;
		u->rate = resolved ? (double)(u->kept + u->partly) / (double)resolved : NAN;
		clm_wilson_interval(u->kept + u->partly, resolved, &u->lo, &u->hi);
	}
cleanup:
	if (fp)
		fclose(fp);
	for (size_t i = 0; cache && i < used; i++)
		line_set_release(&cache[i]);
	free(cache);
	git_tree_free(head);
	git_commit_free(head_commit);
	clm_strbuf_release(&path);
	if (rc < 0)
		clm_monitor_result_release(out);
	return rc;
}

const struct clm_version_uptake *clm_monitor_find(const struct clm_monitor_result *r, const git_oid *version)
{
	char hex[GIT_OID_HEXSZ + 1];

	uint32_t id;

	git_oid_tostr(hex, sizeof(hex), version);
	id = clm_symtab_find(&r->index, hex, GIT_OID_HEXSZ);
	return id < r->n ? &r->versions[id] : NULL;
}

json_t *clm_monitor_last_note(struct clm_store *s, const char *model, const git_oid *version)
{
	json_t *events = NULL, *ev, *last = NULL;
	size_t i;

	if (clm_notes_events(s, version, &events) < 0) {
		clm_error_clear();
		return NULL;
	}
	json_array_foreach(events, i, ev) {
		const char *kind = json_string_value(json_object_get(ev, "kind"));
		const char *em = json_string_value(json_object_get(ev, "model"));
		if (kind && !strcmp(kind, "monitor") && (!model || (em && !strcmp(em, model))))
			last = ev;
	}
	json_incref(last);
	json_decref(events);
	return last;
}

/* The counts of the last "monitor" line for `model` in the note of `version` equal `u`'s. */
static int already_noted(struct clm_store *s, const char *model, const git_oid *version,
			 const struct clm_version_uptake *u)
{
	json_t *last = clm_monitor_last_note(s, model, version);
	int same = last && (size_t)json_integer_value(json_object_get(last, "made")) == u->made &&
		   (size_t)json_integer_value(json_object_get(last, "kept")) == u->kept &&
		   (size_t)json_integer_value(json_object_get(last, "partly")) == u->partly &&
		   (size_t)json_integer_value(json_object_get(last, "dropped")) == u->dropped &&
		   (size_t)json_integer_value(json_object_get(last, "pending")) == u->pending;

	json_decref(last);
	return same;
}

int clm_monitor_note(struct clm_store *s, const char *model, const struct clm_monitor_result *r)
{
	const char *m = model ? model : CLM_STORE_DEFAULT_MODEL;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct clm_version_uptake *u = &r->versions[i];
		git_commit *c = NULL;
		git_oid id;
		json_t *f;
		/* a version that is not here (a teammate's log line) gets no note from us */
		if (git_oid_fromstr(&id, u->version) < 0 || git_commit_lookup(&c, s->repo, &id) < 0 ||
		    already_noted(s, m, &id, u)) {
			git_commit_free(c);
			continue;
		}
		git_commit_free(c);
		f = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "model", m, "made", (json_int_t)u->made, "kept", (json_int_t)u->kept,
			      "partly", (json_int_t)u->partly, "dropped", (json_int_t)u->dropped, "pending", (json_int_t)u->pending);
		rc = f ? clm_notes_add(s, &id, "monitor", f) : clm_error_oom();
		json_decref(f);
	}
	return rc;
}

void clm_monitor_result_release(struct clm_monitor_result *r)
{
	free(r->versions);
	clm_symtab_release(&r->index);
	memset(r, 0, sizeof(*r));
}
