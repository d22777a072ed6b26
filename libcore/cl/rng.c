#include "cl/rng.h"

void clm_rng_seed(struct clm_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t clm_rng_next(struct clm_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t clm_rng_below(struct clm_rng *r, size_t n)
{
	/* Modulo bias is below 2^-40 for the sizes used here (datasets, pools). */
	return (size_t)(clm_rng_next(r) % n);
}

double clm_rng_uniform(struct clm_rng *r)
{
	return (double)(clm_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
