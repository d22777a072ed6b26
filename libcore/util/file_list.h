/* A list of files held in memory: a relative path and its bytes per entry (a version's tree
 * files, a model directory's side files). */
#ifndef CLM_UTIL_FILE_LIST_H
#define CLM_UTIL_FILE_LIST_H

#include <stddef.h>

/* One file given as bytes; `path` is relative (to a tree root or a directory). */
struct clm_file {
	char *path;
	void *data;
	size_t len;
};

/* A list of files; owns its paths and bytes. Zero-initialised is empty. */
struct clm_file_list {
	struct clm_file *items;
	size_t n, alloc;
};

/* Append a copy of `data` as `path` (replacing an earlier entry with that path); 0 or negative. */
int clm_file_list_add(struct clm_file_list *l, const char *path, const void *data, size_t len);

/* The entry for `path`, or NULL. */
const struct clm_file *clm_file_list_find(const struct clm_file_list *l, const char *path);

/* Free every entry and the list's memory. */
void clm_file_list_release(struct clm_file_list *l);

#endif
