#include "util/treepath.h"
#include "util/error.h"

#include <string.h>

int clm_tree_path_resolve(const char *from, const char *rel, size_t len, struct clm_strbuf *out)
{
	const char *slash = strrchr(from, '/');
	size_t i = 0;

	clm_strbuf_reset(out);
	if (!len || rel[0] == '/' || memchr(rel, '\0', len) || memmem(rel, len, "://", 3))
		return 0;
	if (slash && clm_strbuf_add(out, from, (size_t)(slash - from)) < 0)
		return CLM_ENOMEM;
	while (i < len) {
		size_t j = i;
		while (j < len && rel[j] != '/')
			j++;
		if (j - i == 2 && rel[i] == '.' && rel[i + 1] == '.') {
			char *up;
			if (!out->len)
				return 0;
			up = strrchr(out->buf, '/');
			clm_strbuf_setlen(out, up ? (size_t)(up - out->buf) : 0);
		} else if (j > i && !(j - i == 1 && rel[i] == '.')) {
			if ((out->len && clm_strbuf_addch(out, '/') < 0) || clm_strbuf_add(out, rel + i, j - i) < 0)
				return CLM_ENOMEM;
		}
		i = j + 1;
	}
	return 1; /* empty: the root folder itself */
}
