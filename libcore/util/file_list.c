#include "util/alloc.h"
#include "util/file_list.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

int clm_file_list_add(struct clm_file_list *l, const char *path, const void *data, size_t len)
{
	struct clm_file *f = (struct clm_file *)clm_file_list_find(l, path);
	void *copy = malloc(len ? len : 1);

	if (!copy)
		return clm_error_oom();
	if (len)
		memcpy(copy, data, len);
	if (f) {
		free(f->data);
		f->data = copy;
		f->len = len;
		return 0;
	}
	if (CLM_ALLOC_GROW(l->items, l->n + 1, l->alloc) < 0) {
		free(copy);
		return CLM_ENOMEM;
	}
	f = &l->items[l->n];
	f->path = strdup(path);
	if (!f->path) {
		free(copy);
		return clm_error_oom();
	}
	f->data = copy;
	f->len = len;
	l->n++;
	return 0;
}

const struct clm_file *clm_file_list_find(const struct clm_file_list *l, const char *path)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (!strcmp(l->items[i].path, path))
			return &l->items[i];
	return NULL;
}

void clm_file_list_release(struct clm_file_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		free(l->items[i].data);
	}
	free(l->items);
	l->items = NULL;
	l->n = l->alloc = 0;
}
