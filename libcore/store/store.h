/* The model store: model versions as commits on refs/clmodel/models/<name>, written objects
 * first and references last under <git-common-dir>/clmodel/lock. See man git-clmodel, FORMATS. */
#ifndef CLM_STORE_STORE_H
#define CLM_STORE_STORE_H

#include <stdint.h>
#include <git2.h>
#include "git/lock.h"
#include "nn/tensors.h"
#include "util/file_list.h"
#include "util/strbuf.h"

#define CLM_STORE_DEFAULT_MODEL "default"
#define CLM_STORE_MODELS_PREFIX "refs/clmodel/models/"
#define CLM_STORE_PINS_PREFIX "refs/clmodel/pins/"
#define CLM_STORE_ATTIC_PREFIX "refs/clmodel/attic/"
#define CLM_STORE_NOTES_REF "refs/notes/clmodel"

/* Version of the tree layout, written into weights/index.json. */
#define CLM_STORE_FORMAT_VERSION 1

struct clm_store {
	git_repository *repo; /* owned */
	char *dir;            /* <git common dir>/clmodel: lock and working files; owned */
	int lock_wait_ms;     /* how long a writer waits for another one (default 10 s) */
	struct clm_lock lock;
	int lock_depth;       /* nested clm_store_lock calls */
};

/* What a caller supplies to record a new version. Everything is borrowed. */
struct clm_version_spec {
	const char *model;                     /* NULL: "default" */
	const char *config_json;               /* config.json bytes (a JSON object) */
	size_t config_len;
	const char *tokenizer_json;            /* tokenizer.json bytes (JSON) */
	size_t tokenizer_len;
	const struct clm_tensor_list *weights; /* one blob per tensor under weights/ */
	const struct clm_file_list *files;     /* paths under cl/, tasks/ or eval/, or a Hugging Face
						* side file (clm_hf_side_files); may be NULL */
	int keep_tasks;                        /* carry the previous version's tasks/ forward */
	int keep_backbone;                     /* carry the previous version's backbone tensors (all but
						* "clm.*" and "cl.*") that `weights` lacks forward as
						* they are: a frozen backbone is never re-encoded */
	const char *summary;                   /* one line */
	const char *strategy, *task, *source;  /* trailers; NULL leaves one out; source = code commit */
	const char *expect_head;               /* hex id the head must still have (NULL: don't care,
						* "" : the model must not exist yet) */
	const char *ref;                       /* NULL: the model head moves to the new version. Else
						* this reference under refs/clmodel/ (not models/) gets it
						* instead, e.g. a candidate awaiting a quality gate; its
						* parent is still the model head; the source commit's note
						* gets a "candidate" line, not a "model" line */
	const char *reason;                    /* with ref: why the version is not the head (noted) */
};

/* One tensor as weights/index.json describes it. */
struct clm_tensor_entry {
	char *name;      /* owned */
	char *file;      /* path in the tree, "weights/<name>"; owned */
	enum clm_dtype dtype;
	int ndim;
	int64_t shape[CLM_TENSOR_MAX_DIMS];
	uint64_t nbytes;
	char sha256[65];
	char blob[GIT_OID_HEXSZ + 1]; /* the blob id in this version's tree */
};

/* A version read back. Strings are owned; release with clm_version_release. */
struct clm_version {
	char oid[GIT_OID_HEXSZ + 1];
	char parent[GIT_OID_HEXSZ + 1]; /* "" for the first version */
	int64_t time;                   /* committer time, seconds since the epoch */
	char *summary;
	char *strategy, *task, *source; /* trailers, NULL when absent */
	char *config_json;
	size_t config_len;
	char *tokenizer_json;
	size_t tokenizer_len;
	struct clm_tensor_entry *index; /* from weights/index.json, in index order */
	size_t nindex;
	struct clm_tensor_list weights; /* with CLM_READ_WEIGHTS, checksums verified */
	struct clm_file_list files;     /* with CLM_READ_FILES: everything under cl/, tasks/, eval/
					 * and the Hugging Face side files */
};

#define CLM_READ_WEIGHTS 1u
#define CLM_READ_FILES 2u

/* Open the repository containing `path` (NULL: the current directory; bare repositories and
 * worktrees work) and prepare <common dir>/clmodel. */
int clm_store_open(struct clm_store *s, const char *path);

/* Release the lock if held and close the repository. */
void clm_store_close(struct clm_store *s);

/* Take the writers' lock (re-entrant within one store handle). */
int clm_store_lock(struct clm_store *s);

/* Release one level of the writers' lock. */
void clm_store_unlock(struct clm_store *s);

/* "refs/clmodel/models/<model>" into `out` (model NULL: default); CLM_EINVALID for a bad name. */
int clm_store_model_ref(const char *model, char *out, size_t size);

/* The head of `model`; CLM_ENOTFOUND with a message saying how to create it when missing. */
int clm_store_head(struct clm_store *s, const char *model, git_oid *out);

/* Resolve a version: NULL or a model name means that model's head; "<model>~N" walks back;
 * anything else is a revision (id, ref). The commit must be a model version. */
int clm_store_resolve(struct clm_store *s, const char *model, const char *rev, git_oid *out);

/* Record a new version: objects first, then (under the lock) the model reference by
 * compare-and-swap, then a "model" note line on the source commit. `out` gets the new id. */
int clm_store_write_version(struct clm_store *s, const struct clm_version_spec *spec, git_oid *out);

/* Read the version `id`; `flags` select weights and extra files. A tensor whose blob is missing,
 * truncated or fails its checksum is reported by name. */
int clm_store_read_version(struct clm_store *s, const git_oid *id, unsigned flags, struct clm_version *out);

/* Read one file of a version's tree into `out` (appended); CLM_ENOTFOUND when absent. */
int clm_store_read_file(struct clm_store *s, const git_oid *id, const char *path, struct clm_strbuf *out);

/* Free everything a version holds. */
void clm_version_release(struct clm_version *v);

/* One line of a model's history, for log. */
struct clm_version_info {
	char oid[GIT_OID_HEXSZ + 1];
	int64_t time;
	char *summary, *strategy, *task, *source; /* owned; trailers NULL when absent */
	int has_scores;                           /* eval/matrix.json has summary.average */
	double average, forgetting;               /* forgetting is NAN when not given */
};

/* The versions on the first-parent chain from `from`, newest first, at most `max` (0: all).
 * Free with clm_version_infos_free. */
int clm_store_list(struct clm_store *s, const git_oid *from, size_t max, struct clm_version_info **out, size_t *n);

/* Free the strings of one info. */
void clm_version_info_release(struct clm_version_info *v);

/* Free a list from clm_store_list. */
void clm_version_infos_free(struct clm_version_info *v, size_t n);

/* Summary, trailers and time of commit `id` into the info fields (strings owned by `out`). */
int clm_store_describe(struct clm_store *s, const git_oid *id, struct clm_version_info *out);

/* The signature for commits we write: user.name/user.email (default "git-clmodel"), dated by
 * GIT_COMMITTER_DATE ("<seconds> <tz>" or "@<seconds> <tz>") when set, else now. */
int clm_store_signature(struct clm_store *s, git_signature **out);

/* Seconds since the epoch for note lines: GIT_COMMITTER_DATE when set, else now. */
int64_t clm_store_now(void);

#endif
