/* A small deterministic random number generator (splitmix64) so that every choice a strategy
 * makes (batches, replay draws) is reproducible from its seed and saved with its state. */
#ifndef CLM_CL_RNG_H
#define CLM_CL_RNG_H

#include <stddef.h>
#include <stdint.h>

struct clm_rng {
	uint64_t state;
};

/* Seed a generator. */
void clm_rng_seed(struct clm_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t clm_rng_next(struct clm_rng *r);

/* Uniform integer in [0, n); n must be > 0. */
size_t clm_rng_below(struct clm_rng *r, size_t n);

/* Uniform double in [0, 1). */
double clm_rng_uniform(struct clm_rng *r);

#endif
