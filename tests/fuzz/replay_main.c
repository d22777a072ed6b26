/* A main() for the fuzz harnesses without libFuzzer: runs the harness once on each file named on
 * the command line, so `make test` replays the seed corpora and every crash input ever found
 * (under ASan in `make check-asan`). Prints one TAP line per file. */
#include <stdio.h>
#include <stdlib.h>
#include "fuzz.h"

static int replay(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!fp)
		return -1;
	do {
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap ? cap * 2 : 4096);
			if (!nb) {
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nb;
			cap = cap ? cap * 2 : 4096;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
	} while (got > 0);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int failed = 0;

	for (int i = 1; i < argc; i++) {
		if (replay(argv[i]) < 0) {
			printf("not ok %d - cannot read %s\n", i, argv[i]);
			failed = 1;
		} else {
			printf("ok %d - %s\n", i, argv[i]);
		}
	}
	printf("1..%d\n", argc - 1);
	return failed;
}
