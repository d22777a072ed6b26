/* Dependency manifests: recognise manifest files, parse their dependencies, diff two versions.
 * One parser per ecosystem lives in parsers/manifests/<ecosystem>.c behind this interface. */
#ifndef CLM_PARSERS_MANIFEST_H
#define CLM_PARSERS_MANIFEST_H

#include <stddef.h>

/* One declared dependency as written in a manifest. */
struct clm_dep {
	char *name;        /* ecosystem-normalised package name ("requests", "github.com/x/y",
	                      "org.foo:bar"); for Go the module path without its /vN suffix */
	char *spec;        /* version or range as written (">=2.31,<3"), "" when unversioned;
	                      Maven ${x}, MSBuild $(x) and Gradle $x references resolved; a Go
	                      replace shows as "v1.0.0 => fork.io/m v1.0.1" */
	char *lower;       /* normalised lower bound ("2.31.0"), "" when none can be derived */
	char *group;       /* "runtime", "dev", "test", "peer", "optional", "build", or an extras /
	                      Poetry / Bundler group name; also "indirect" and "replace" (Go),
	                      "workspace" (Cargo), "managed" (Maven dependencyManagement, NuGet
	                      central versions), "parent" (Maven parent POM), Maven scopes */
	char *go_path;     /* Go only: the full module path as written (with /vN); NULL elsewhere */
};

struct clm_dep_list {
	struct clm_dep *items; /* owned */
	size_t n, alloc;
};

enum clm_dep_change_kind { CLM_DEP_ADDED, CLM_DEP_REMOVED, CLM_DEP_BUMPED };
enum clm_semver_level { CLM_SEMVER_NONE, CLM_SEMVER_MAJOR, CLM_SEMVER_MINOR, CLM_SEMVER_PATCH,
			CLM_SEMVER_OTHER };

/* One difference between the old and new dependency lists of a manifest. */
struct clm_dep_change {
	enum clm_dep_change_kind kind;
	char *name;
	char *from_spec, *to_spec;   /* as written; "" for the missing side */
	char *from_lower, *to_lower; /* normalised lower bounds; "" when unknown */
	enum clm_semver_level level; /* for bumps of semver-like versions; NONE otherwise */
	char *group;                 /* the dependency's group (new side; old side for removals) */
};

struct clm_dep_change_list {
	struct clm_dep_change *items; /* owned */
	size_t n, alloc;
};

/* Reads a file named `path` of the same tree, for `-r other.txt` includes; returns 0 and sets
 * *data and *len (owned by the callee until the next call) or a negative code when absent. */
typedef int (*clm_manifest_read_fn)(void *ctx, const char *path, const char **data, size_t *len);

struct clm_manifest_parser {
	const char *ecosystem; /* "pypi", "npm", "go", "cargo", "maven", "gradle", "rubygems", "nuget" */
	/* Non-zero when `path` (repository-relative) is a manifest this parser reads. */
	int (*matches)(const char *path);
	/* Parse `len` bytes of the manifest at `path` into `out`. `read` may be NULL. Returns 0 or
	 * CLM_EINVALID with a message naming the path and position; never reads out of bounds. */
	int (*parse)(const char *path, const char *data, size_t len, clm_manifest_read_fn read,
		     void *read_ctx, struct clm_dep_list *out);
};

/* The parser for a manifest path, or NULL when the path is not a known manifest. */
const struct clm_manifest_parser *clm_manifest_for_path(const char *path);

/* All parsers, NULL-terminated. */
const struct clm_manifest_parser *const *clm_manifest_parsers(void);

/* Compare two dependency lists of one manifest (either may be NULL) and append the changes,
 * sorted by name. Entries of one name pair up unchanged first, then within a group, then across
 * groups (a move between groups with the same spec is no change). Go modules whose path differs
 * only in /vN share a name, so v8 -> v9 is one bump. 0 or CLM_ENOMEM. */
int clm_manifest_diff(const struct clm_dep_list *old_deps, const struct clm_dep_list *new_deps,
		      struct clm_dep_change_list *out);

/* Classify a bump from one normalised version to another by the first differing of the three
 * leading numeric components; OTHER when only later parts differ; NONE when either is not
 * semver-like or both are equal. */
enum clm_semver_level clm_semver_classify(const char *from, const char *to);

/* Normalised lower bound of a version or range as written in any supported ecosystem
 * (">=2.31,<3" -> "2.31.0", "^1.2" -> "1.2.0", "~> 3.1" -> "3.1.0", "[1.0,2.0)" -> "1.0.0",
 * "v1.2.3" -> "1.2.3"); writes "" when none can be derived. Always NUL-terminates `out`. */
void clm_version_lower_bound(const char *spec, char *out, size_t out_size);

/* "added", "removed" or "bumped". */
const char *clm_dep_change_kind_name(enum clm_dep_change_kind kind);

/* "major", "minor", "patch", "other", or "" for NONE. */
const char *clm_semver_level_name(enum clm_semver_level level);

/* Append a dependency (strings copied; go_path may be NULL); 0 or CLM_ENOMEM. */
int clm_dep_list_add(struct clm_dep_list *l, const char *name, const char *spec, const char *lower,
		     const char *group, const char *go_path);

/* Free a dependency list's contents. */
void clm_dep_list_release(struct clm_dep_list *l);

/* Free a change list's contents. */
void clm_dep_change_list_release(struct clm_dep_change_list *l);

#endif
