/* A corpus of source files for pretraining: every file of a supported programming language
 * (parsers/languages.h; data formats such as JSON and TOML are left out) from a directory or
 * from a git revision's tree, minus what would teach the model noise: vendored folders,
 * generated and minified files, binary files and huge files. Files are sorted by path, so the
 * same input always gives the same corpus. */
#ifndef CLM_DATA_CORPUS_H
#define CLM_DATA_CORPUS_H

#include <stddef.h>

struct clm_corpus_file {
	char *path;       /* owned; relative to the directory or tree root */
	const char *lang; /* language name (static) */
	char *data;       /* owned contents */
	size_t len;
};

struct clm_corpus {
	struct clm_corpus_file *files; /* owned, sorted by path */
	size_t n, alloc;
	size_t bytes;                  /* total of the files' lengths */
	size_t skipped;                /* supported-language files left out by the filters */
};

struct clm_corpus_opts {
	size_t max_file_bytes;  /* larger files are skipped (0 = 1 MiB) */
	size_t max_total_bytes; /* stop adding files beyond this many bytes (0 = no limit) */
};

/* Fill `c` from the files under `dir` (symbolic links are not followed). 0 or negative. */
int clm_corpus_from_dir(struct clm_corpus *c, const char *dir, const struct clm_corpus_opts *o);

/* Fill `c` from the tree of revision `rev` in the repository containing `repo_path`. */
int clm_corpus_from_rev(struct clm_corpus *c, const char *repo_path, const char *rev, const struct clm_corpus_opts *o);

/* `spec` names a directory when one exists at that path, otherwise a revision of the
 * repository containing the current directory. CLM_ENOTFOUND when it is neither. */
int clm_corpus_load(struct clm_corpus *c, const char *spec, const struct clm_corpus_opts *o);

/* Free every file and reset `c` to empty. */
void clm_corpus_release(struct clm_corpus *c);

/* Non-zero when a path lies in a folder of third-party or build output code (node_modules,
 * vendor, third_party, build, dist, target, hidden folders, ...). */
int clm_corpus_is_vendored(const char *path);

/* Non-zero when contents look binary (a NUL byte early), generated (a "generated" / "do not
 * edit" marker near the top) or minified (very long lines). */
int clm_corpus_is_noise(const char *path, const char *data, size_t len);

#endif
