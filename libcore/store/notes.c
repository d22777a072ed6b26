#include "store/notes.h"
#include "git/refs.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int clm_note_line(int64_t t, const char *kind, const json_t *fields, struct clm_strbuf *out)
{
	json_t *line = json_object();
	const char **keys = NULL;
	const char *key;
	json_t *v;
	size_t n = 0;
	char *s = NULL;
	int rc = 0;

	if (!line || json_object_set_new(line, "t", json_integer((json_int_t)t)) ||
	    json_object_set_new(line, "kind", json_string(kind))) {
		rc = clm_error_oom();
		goto cleanup;
	}
	/* jansson keeps insertion order: "t", "kind", then the rest sorted, for stable bytes. */
	if (fields) {
		keys = calloc(json_object_size(fields) + 1, sizeof(*keys));
		if (!keys) {
			rc = clm_error_oom();
			goto cleanup;
		}
		json_object_foreach((json_t *)fields, key, v)
			if (strcmp(key, "t") && strcmp(key, "kind"))
				keys[n++] = key;
		qsort(keys, n, sizeof(*keys), cmp_str);
		for (size_t i = 0; i < n; i++)
			json_object_set(line, keys[i], json_object_get(fields, keys[i]));
	}
	s = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	rc = s ? clm_strbuf_addstr(out, s) : clm_error_set(CLM_EINVALID, "cannot serialize a note line");
cleanup:
	free(s);
	free(keys);
	json_decref(line);
	return rc;
}

/* Split into non-empty lines (without their newline); pointers into `text` copies. */
static int split_lines(const char *text, size_t len, char ***lines, size_t *n)
{
	size_t start = 0, alloc = *n;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i > start) {
			if (CLM_ALLOC_GROW(*lines, *n + 1, alloc) < 0)
				return CLM_ENOMEM;
			if (!((*lines)[*n] = strndup(text + start, i - start)))
				return clm_error_oom();
			(*n)++;
		}
		start = i + 1;
	}
	return 0;
}

int clm_note_union(const char *a, size_t alen, const char *b, size_t blen, struct clm_strbuf *out)
{
	char **lines = NULL;
	size_t n = 0;
	int rc = split_lines(a, alen, &lines, &n);

	if (rc == 0)
		rc = split_lines(b, blen, &lines, &n);
	if (rc == 0 && n > 1) /* qsort must not see the NULL of two empty notes */
		qsort(lines, n, sizeof(*lines), cmp_str);
	for (size_t i = 0; i < n && rc == 0; i++)
		if (i == 0 || strcmp(lines[i], lines[i - 1]))
			rc = clm_strbuf_addf(out, "%s\n", lines[i]);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	return rc;
}

/* The note of `target` in notes commit `tip` into `out` ("" when none). */
static int read_in_commit(git_repository *repo, const git_oid *tip, const git_oid *target, struct clm_strbuf *out)
{
	git_commit *c = NULL;
	git_note *note = NULL;
	int rc = git_commit_lookup(&c, repo, tip);

	if (rc < 0)
		return clm_git_error(rc, "cannot read notes commit");
	rc = git_note_commit_read(&note, repo, c, target);
	git_commit_free(c);
	if (rc == GIT_ENOTFOUND)
		return 0;
	if (rc < 0)
		return clm_git_error(rc, "cannot read note");
	rc = clm_strbuf_addstr(out, git_note_message(note));
	git_note_free(note);
	return rc;
}

/* Replace the note of `target` by `text` in a new notes commit on top of `*tip`. */
static int write_note(struct clm_store *s, git_oid *tip, int *have_tip, const git_oid *target, const char *text)
{
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_oid commit, blob;
	int rc = clm_store_signature(s, &sig);

	if (rc < 0)
		return rc;
	if (*have_tip && (rc = git_commit_lookup(&parent, s->repo, tip)) < 0) {
		git_signature_free(sig);
		return clm_git_error(rc, "cannot read notes commit");
	}
	rc = git_note_commit_create(&commit, &blob, s->repo, parent, sig, sig, target, text, 1);
	git_commit_free(parent);
	git_signature_free(sig);
	if (rc < 0)
		return clm_git_error(rc, "cannot write note");
	git_oid_cpy(tip, &commit);
	*have_tip = 1;
	return 0;
}

int clm_notes_stage(struct clm_store *s, git_oid *tip, int *have_tip, const git_oid *target, const char *line)
{
	struct clm_strbuf old = CLM_STRBUF_INIT, merged = CLM_STRBUF_INIT;
	int rc = *have_tip ? read_in_commit(s->repo, tip, target, &old) : 0;

	if (rc == 0)
		rc = clm_note_union(old.buf, old.len, line, strlen(line), &merged);
	if (rc == 0 && strcmp(old.buf, merged.buf))
		rc = write_note(s, tip, have_tip, target, merged.buf);
	clm_strbuf_release(&old);
	clm_strbuf_release(&merged);
	return rc;
}

/* The largest "t" of the note's lines (0 when none). */
static int64_t latest_time(const char *note)
{
	int64_t latest = 0;

	for (const char *p = note; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, "{\"t\":", 5)) {
			long long t = strtoll(p + 5, NULL, 10);
			if (t > latest)
				latest = t;
		}
	return latest;
}

int clm_notes_add(struct clm_store *s, const git_oid *target, const char *kind, const json_t *fields)
{
	struct clm_strbuf line = CLM_STRBUF_INIT, note = CLM_STRBUF_INIT;
	int64_t t = clm_store_now();
	git_oid old, tip;
	int have_old, have_tip, rc;

	if ((rc = clm_store_lock(s)) < 0)
		goto cleanup;
	rc = clm_ref_read(s->repo, CLM_STORE_NOTES_REF, &old);
	have_old = rc == 0;
	if (rc == CLM_ENOTFOUND)
		memset(&old, 0, sizeof(old));
	/* Lines sort by time first: a line added within the same second as the note's last one
	 * (pin, unpin, pin) gets the next second, so the order it was written in is the order read. */
	if (rc == 0)
		rc = read_in_commit(s->repo, &old, target, &note);
	if (rc == 0 && latest_time(note.buf) >= t)
		t = latest_time(note.buf) + 1;
	if (rc == 0 || rc == CLM_ENOTFOUND)
		rc = clm_note_line(t, kind, fields, &line);
	if (rc == 0) {
		git_oid_cpy(&tip, &old);
		have_tip = have_old;
		rc = clm_notes_stage(s, &tip, &have_tip, target, line.buf);
	}
	if (rc == 0 && have_tip && (!have_old || !git_oid_equal(&tip, &old)))
		rc = clm_ref_cas(s->repo, CLM_STORE_NOTES_REF, &tip, have_old ? &old : NULL, "clmodel: add note");
	clm_store_unlock(s);
cleanup:
	clm_strbuf_release(&line);
	clm_strbuf_release(&note);
	return rc;
}

int clm_notes_read(struct clm_store *s, const char *notes_ref, const git_oid *target, struct clm_strbuf *out)
{
	git_oid tip;
	int rc = clm_ref_read(s->repo, notes_ref ? notes_ref : CLM_STORE_NOTES_REF, &tip);

	if (rc == CLM_ENOTFOUND)
		return 0;
	return rc < 0 ? rc : read_in_commit(s->repo, &tip, target, out);
}

int clm_note_events_parse(const char *text, size_t len, json_t **out)
{
	size_t start = 0;

	*out = json_array();
	if (!*out)
		return clm_error_oom();
	for (size_t i = 0; i <= len; i++) {
		json_t *ev;
		if (i < len && text[i] != '\n')
			continue;
		ev = i > start ? json_loadb(text + start, i - start, 0, NULL) : NULL;
		if (json_is_object(ev) && json_array_append(*out, ev) < 0) {
			json_decref(ev);
			json_decref(*out);
			*out = NULL;
			return clm_error_oom();
		}
		json_decref(ev);
		start = i + 1;
	}
	return 0;
}

int clm_notes_events(struct clm_store *s, const git_oid *target, json_t **out)
{
	struct clm_strbuf text = CLM_STRBUF_INIT;
	int rc = clm_notes_read(s, NULL, target, &text);

	*out = NULL;
	if (rc == 0)
		rc = clm_note_events_parse(text.buf, text.len, out);
	clm_strbuf_release(&text);
	return rc;
}

/* One note of a notes commit: the annotated object and the blob of its text. */
struct note_ref {
	git_oid target, blob;
};

static int cmp_note_ref(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct note_ref *)a)->target, &((const struct note_ref *)b)->target);
}

/* Every note of notes commit `tip`, sorted by annotated object (fanout or flat, as git reads it). */
static int list_notes(git_repository *repo, const git_oid *tip, struct note_ref **out, size_t *n)
{
	git_commit *c = NULL;
	git_note_iterator *it = NULL;
	struct note_ref *v = NULL, e;
	size_t count = 0, cap = 0;
	int rc = git_commit_lookup(&c, repo, tip);

	if (rc == 0)
		rc = git_note_commit_iterator_new(&it, c);
	while (rc == 0 && (rc = git_note_next(&e.blob, &e.target, it)) == 0) {
		if ((rc = CLM_ALLOC_GROW(v, count + 1, cap)) < 0)
			break;
		v[count++] = e;
	}
	git_note_iterator_free(it);
	git_commit_free(c);
	if (rc != GIT_ITEROVER) {
		free(v);
		return rc == CLM_ENOMEM ? rc : clm_git_error(rc, "cannot read the notes");
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_note_ref);
	*out = v;
	*n = count;
	return 0;
}

/* The blob holding the sorted union of the notes in blobs `a` and `b`. */
static int union_blob(git_repository *repo, const git_oid *a, const git_oid *b, git_oid *out)
{
	struct clm_strbuf merged = CLM_STRBUF_INIT;
	git_blob *ba = NULL, *bb = NULL;
	int rc = git_blob_lookup(&ba, repo, a);

	if (rc == 0)
		rc = git_blob_lookup(&bb, repo, b);
	if (rc < 0)
		rc = clm_git_error(rc, "cannot read a note");
	else if ((rc = clm_note_union(git_blob_rawcontent(ba), (size_t)git_blob_rawsize(ba), git_blob_rawcontent(bb),
				      (size_t)git_blob_rawsize(bb), &merged)) == 0 &&
		 (rc = git_blob_create_from_buffer(out, repo, merged.buf, merged.len)) < 0)
		rc = clm_git_error(rc, "cannot write a merged note");
	git_blob_free(ba);
	git_blob_free(bb);
	clm_strbuf_release(&merged);
	return rc;
}

static int tree_add(git_treebuilder *tb, const git_oid *target, const git_oid *blob)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc = git_treebuilder_insert(NULL, tb, git_oid_tostr(hex, sizeof(hex), target), blob, GIT_FILEMODE_BLOB);

	return rc < 0 ? clm_git_error(rc, "cannot build the merged notes tree") : 0;
}

/* The tree of the per-object union of notes commits `ours` and `theirs`: both note lists sorted
 * by object, walked side by side, one blob written per object annotated differently on both
 * sides, one flat tree written at the end. Linear in the notes (after sorting), whatever their
 * number: no intermediate commits or trees. */
static int union_tree(git_repository *repo, const git_oid *ours, const git_oid *theirs, git_oid *out)
{
	struct note_ref *a = NULL, *b = NULL;
	size_t na = 0, nb = 0, i = 0, j = 0;
	git_treebuilder *tb = NULL;
	int rc = list_notes(repo, ours, &a, &na);

	if (rc == 0)
		rc = list_notes(repo, theirs, &b, &nb);
	if (rc == 0 && (rc = git_treebuilder_new(&tb, repo, NULL)) < 0)
		rc = clm_git_error(rc, "cannot build the merged notes tree");
	while (rc == 0 && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : git_oid_cmp(&a[i].target, &b[j].target);
		git_oid merged;
		if (c < 0) {
			rc = tree_add(tb, &a[i].target, &a[i].blob);
			i++;
		} else if (c > 0) {
			rc = tree_add(tb, &b[j].target, &b[j].blob);
			j++;
		} else {
			if (git_oid_equal(&a[i].blob, &b[j].blob))
				git_oid_cpy(&merged, &a[i].blob);
			else
				rc = union_blob(repo, &a[i].blob, &b[j].blob, &merged);
			if (rc == 0)
				rc = tree_add(tb, &a[i].target, &merged);
			i++;
			j++;
		}
	}
	if (rc == 0 && (rc = git_treebuilder_write(out, tb)) < 0)
		rc = clm_git_error(rc, "cannot write the merged notes tree");
	git_treebuilder_free(tb);
	free(a);
	free(b);
	return rc;
}

/* A commit with the union tree and parents (ours, theirs), so pushing it later fast-forwards. */
static int merge_commit(struct clm_store *s, const git_oid *ours, const git_oid *theirs, git_oid *out)
{
	git_commit *p[2] = { NULL, NULL };
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	int rc = union_tree(s->repo, ours, theirs, &tree_id);

	if (rc == 0)
		rc = clm_store_signature(s, &sig);
	if (rc == 0 && ((rc = git_tree_lookup(&tree, s->repo, &tree_id)) < 0 ||
			(rc = git_commit_lookup(&p[0], s->repo, ours)) < 0 ||
			(rc = git_commit_lookup(&p[1], s->repo, theirs)) < 0 ||
			(rc = git_commit_create(out, s->repo, NULL, sig, sig, NULL,
						"Merge clmodel notes (sorted union of lines)\n", tree, 2,
						(const git_commit **)p)) < 0))
		rc = clm_git_error(rc, "cannot write the notes merge commit");
	git_commit_free(p[0]);
	git_commit_free(p[1]);
	git_tree_free(tree);
	git_signature_free(sig);
	return rc;
}

int clm_notes_merge(struct clm_store *s, const git_oid *theirs, int *changed)
{
	git_oid ours, result;
	int rc = clm_store_lock(s);

	*changed = 0;
	if (rc < 0)
		return rc;
	rc = clm_ref_read(s->repo, CLM_STORE_NOTES_REF, &ours);
	if (rc == CLM_ENOTFOUND) {
		rc = clm_ref_cas(s->repo, CLM_STORE_NOTES_REF, theirs, NULL, "clmodel: fetch notes");
		*changed = rc == 0;
		goto cleanup;
	}
	if (rc < 0 || git_oid_equal(&ours, theirs) || git_graph_descendant_of(s->repo, &ours, theirs) == 1)
		goto cleanup;
	if (git_graph_descendant_of(s->repo, theirs, &ours) == 1) {
		rc = clm_ref_cas(s->repo, CLM_STORE_NOTES_REF, theirs, &ours, "clmodel: fast-forward notes");
		*changed = rc == 0;
		goto cleanup;
	}
	rc = merge_commit(s, &ours, theirs, &result);
	if (rc == 0)
		rc = clm_ref_cas(s->repo, CLM_STORE_NOTES_REF, &result, &ours, "clmodel: merge notes");
	*changed = rc == 0;
cleanup:
	clm_store_unlock(s);
	return rc;
}
