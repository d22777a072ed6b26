/* Growing dynamic arrays, after git's ALLOC_GROW: capacity grows geometrically (by half again
 * plus 16), so appending one element at a time costs amortised constant time, and every size
 * computation is checked for overflow. */
#ifndef CLM_UTIL_ALLOC_H
#define CLM_UTIL_ALLOC_H

#include <stddef.h>

/* Make room for `nr` elements in the array `x` (a pointer variable, NULL when empty) whose
 * capacity in elements is the size_t lvalue `alloc`. Evaluates to 0, or CLM_ENOMEM with a message
 * when memory runs out or the size overflows; then `x` and `alloc` are unchanged. New elements
 * are not initialised. */
#define CLM_ALLOC_GROW(x, nr, alloc) \
	((size_t)(nr) <= (alloc) ? 0 : clm_alloc_grow((void *)&(x), (size_t)(nr), &(alloc), sizeof(*(x))))

/* The function behind CLM_ALLOC_GROW: `pp` points at the array's pointer variable, `elem` is
 * one element's size. 0 or CLM_ENOMEM. */
int clm_alloc_grow(void *pp, size_t nr, size_t *alloc, size_t elem);

#endif
