/* Dependency events: what a commit changed in its dependency manifests, found from the tree diff
 * alone (only manifest blobs are read). */
#ifndef CLM_MINE_EVENTS_H
#define CLM_MINE_EVENTS_H

#include <stddef.h>
#include <git2.h>
#include <jansson.h>
#include "parsers/manifest.h"

struct clm_dep_event {
	char *ecosystem, *package;      /* "pypi", "requests" */
	char *from, *to;                /* normalised versions (lower bounds, else as written); "" when absent */
	char *from_spec, *to_spec;      /* as written */
	char *manifest;                 /* repository-relative manifest path */
	char *group;                    /* "runtime", "dev", ...; "" when the parser gives none */
	enum clm_dep_change_kind kind;
	enum clm_semver_level level;
	git_oid commit;
};

struct clm_dep_event_list {
	struct clm_dep_event *items; /* owned */
	size_t n, alloc;
};

/* Called for a problem that skips one file but not the walk (missing object, unparsable
 * manifest): `msg` names the path and commit. */
typedef void (*clm_warn_fn)(void *ctx, const char *msg);

/* Append the dependency events of `commit`, whose tree diff against its first parent (old tree
 * NULL for a root commit) is `diff`. Manifests that cannot be read or parsed are reported through
 * `warn` and skipped. 0, or a negative code for allocation failures. */
int clm_events_from_diff(git_repository *repo, git_diff *diff, git_tree *old_tree, git_tree *new_tree,
			 const git_oid *commit, clm_warn_fn warn, void *warn_ctx, struct clm_dep_event_list *out);

/* The task id of one commit's events: "<ecosystem>/<package>/<from>..<to>" of the first bump
 * (else the first event), "none" for a missing side, "+N" when N more events share the commit.
 * Caller frees; NULL when out of memory or the list is empty. */
char *clm_events_task_id(const struct clm_dep_event_list *l);

/* One event as a JSON object (kind "added"/"removed"/"bumped", level "major"/... or null). */
json_t *clm_event_to_json(const struct clm_dep_event *e);

/* Free the list's contents and leave it empty. */
void clm_dep_event_list_release(struct clm_dep_event_list *l);

#endif
