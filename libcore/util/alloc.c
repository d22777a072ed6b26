#include "util/alloc.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int clm_alloc_grow(void *pp, size_t nr, size_t *alloc, size_t elem)
{
	size_t cap = *alloc;
	void *p;

	if (nr <= cap)
		return 0;
	cap = cap <= SIZE_MAX / 3 - 16 ? (cap + 16) * 3 / 2 : nr;
	if (cap < nr)
		cap = nr;
	if (cap > SIZE_MAX / elem)
		return clm_error_set(CLM_ENOMEM, "an array of %zu elements of %zu bytes is too large", nr, elem);
	/* The pointer variable is read and written through memcpy, so any object pointer type works. */
	memcpy(&p, pp, sizeof(p));
	p = realloc(p, cap * elem); /* cap >= nr > 0 */
	if (!p)
		return clm_error_oom();
	memcpy(pp, &p, sizeof(p));
	*alloc = cap;
	return 0;
}
