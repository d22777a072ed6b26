/* libcore/util/sha256: FIPS 180-4 test vectors, and incremental updates agree with one-shot. */
#include "test_helpers.h"
#include "util/sha256.h"

static void known_vectors(void **state)
{
	char hex[65];
	char *million = malloc(1000000);
	(void)state;

	clm_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	clm_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	clm_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	clm_sha256_hex(million, 1000000, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void incremental_matches_one_shot(void **state)
{
	unsigned char data[300], a[32], b[32];
	struct clm_sha256 c;
	(void)state;

	for (int i = 0; i < 300; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	clm_sha256_init(&c);
	clm_sha256_update(&c, data, 300);
	clm_sha256_final(&c, a);
	clm_sha256_init(&c);
	for (size_t off = 0, step = 1; off < 300; off += step, step = step * 2 + 1)
		clm_sha256_update(&c, data + off, off + step > 300 ? 300 - off : step);
	clm_sha256_final(&c, b);
	assert_memory_equal(a, b, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_vectors),
		cmocka_unit_test(incremental_matches_one_shot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
