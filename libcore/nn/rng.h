/* A small deterministic random generator (splitmix64 seeding, xoshiro256** stream). Callers own
 * the state, so there is no global randomness and the same seed gives the same numbers. */
#ifndef CLM_NN_RNG_H
#define CLM_NN_RNG_H

#include <stdint.h>

struct clm_rng {
	uint64_t s[4];
};

/* Seed the generator; every seed (including 0) gives a valid, distinct stream. */
void clm_rng_seed(struct clm_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t clm_rng_next(struct clm_rng *r);

/* Uniform float in [0, 1). */
double clm_rng_uniform(struct clm_rng *r);

/* Standard normal sample (Box-Muller). */
double clm_rng_normal(struct clm_rng *r);

/* Uniform integer in [0, n), n > 0. */
uint64_t clm_rng_below(struct clm_rng *r, uint64_t n);

#endif
