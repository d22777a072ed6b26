/* Shared pieces of the libFuzzer harnesses (tests/fuzz/fuzz_*.c). Each harness defines
 * LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer, `make test` with replay_main.c,
 * which replays the committed seeds and crash inputs under tests/fuzz/. */
#ifndef CLM_TESTS_FUZZ_H
#define CLM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Write `size` bytes to a scratch file private to this process (for readers that take a path);
 * fills `path` (at least 64 bytes) and returns 0, or -1 when the file cannot be written. */
static inline int fuzz_write_file(char *path, const char *stem, const uint8_t *data, size_t size)
{
	const char *dir = getenv("TMPDIR");
	FILE *fp;
	int ok;

	snprintf(path, 64, "%.32s/clm-fuzz-%s-%d", dir && *dir && strlen(dir) < 32 ? dir : "/tmp", stem,
		 (int)getpid());
	fp = fopen(path, "wb");
	if (!fp)
		return -1;
	ok = fwrite(data, 1, size, fp) == size;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

#endif
