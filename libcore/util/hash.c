#include "util/hash.h"

uint64_t clm_fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t clm_hash_bytes(const void *data, size_t len)
{
	return clm_fnv1a(CLM_FNV1A_BASIS, data, len);
}

uint64_t clm_hash_mix(uint64_t h, uint64_t v)
{
	/* splitmix64 finaliser over the combination: cheap and spreads low bits well */
	uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
