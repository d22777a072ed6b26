/* Notes under refs/notes/clmodel: one JSON object per line, "t" (seconds) first and "kind"
 * second, lines sorted, so two notes merge by the sorted union of their lines. */
#ifndef CLM_STORE_NOTES_H
#define CLM_STORE_NOTES_H

#include <jansson.h>
#include "store/store.h"
#include "util/strbuf.h"

/* Format one event line (no newline): {"t":t,"kind":kind, then `fields` in key order}. */
int clm_note_line(int64_t t, const char *kind, const json_t *fields, struct clm_strbuf *out);

/* The sorted union of the lines of two note texts, each line once, newline-terminated. */
int clm_note_union(const char *a, size_t alen, const char *b, size_t blen, struct clm_strbuf *out);

/* Without moving any reference: add `line` to the note of `target` in a new notes commit on top
 * of `*tip` (`*have_tip` 0: no notes yet); `*tip` becomes that commit. */
int clm_notes_stage(struct clm_store *s, git_oid *tip, int *have_tip, const git_oid *target, const char *line);

/* Add one event line to the note of `target` and move refs/notes/clmodel (under the lock, CAS). */
int clm_notes_add(struct clm_store *s, const git_oid *target, const char *kind, const json_t *fields);

/* Append the note text of `target` under `notes_ref` (NULL: refs/notes/clmodel) to `out`; an
 * object without a note gives "". */
int clm_notes_read(struct clm_store *s, const char *notes_ref, const git_oid *target, struct clm_strbuf *out);

/* The events of a note's text as a JSON array of objects in line order (lines that are not JSON
 * objects are skipped). Caller json_decref's *out. */
int clm_note_events_parse(const char *text, size_t len, json_t **out);

/* The note of `target` as a JSON array of its event objects, oldest first (lines that are not JSON
 * objects are skipped). Caller json_decref's. */
int clm_notes_events(struct clm_store *s, const git_oid *target, json_t **out);

/* Merge the notes commit `theirs` into refs/notes/clmodel: fast-forward when one side contains
 * the other, else a merge commit (parents: ours, theirs) whose notes are the per-object sorted
 * union of lines. Takes the lock; `*changed` says whether the local reference moved. */
int clm_notes_merge(struct clm_store *s, const git_oid *theirs, int *changed);

#endif
