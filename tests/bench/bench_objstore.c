/* Object store transfers against nginx WebDAV on 127.0.0.1 (tests/objstore/dav-server.sh):
 * uploads, then downloads through the server's throttled path (256 KB/s per connection, like a
 * far-away store) with 1, 4 and 8 transfers at once; the single-transfer run is the baseline.
 * Prints measured times only; asserts nothing. */
#include "remote/objstore.h"
#include "util/error.h"
#include "util/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_OBJECTS 8
#define OBJECT_BYTES (256u * 1024)

static void configure(struct clm_objstore *os, const char *url, const char *cache, int parallel)
{
	memset(os, 0, sizeof(*os));
	os->url = url;
	os->cache_dir = cache;
	os->parallel = parallel;
	clm_http_options_default(&os->http);
}

int main(void)
{
	char dir[256], cmd[8192], url[256] = "", slow[300], cache[64];
	const char *top = getenv("CLM_TOP");
	struct clm_obj_ref refs[N_OBJECTS];
	struct clm_objstore os;
	unsigned char *buf = malloc(OBJECT_BYTES);
	const int parallel[] = { 1, 4, 8 };
	double base = 0, t;
	FILE *p;

	snprintf(dir, sizeof(dir), "/tmp/clm-bench-objstore.%ld", (long)getpid());
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/objstore/dav-server.sh' start %s", top ? top : ".", dir);
	p = popen(cmd, "r");
	if (!p || !fgets(url, sizeof(url), p) || strncmp(url, "http://", 7)) {
		printf("objstore: nginx cannot start here; nothing measured\n");
		if (p)
			pclose(p);
		free(buf);
		return 0;
	}
	pclose(p);
	url[strcspn(url, "\n")] = '\0';
	snprintf(slow, sizeof(slow), "%s/slow", url);

	configure(&os, url, "/tmp/clm-bench-objstore-up", 4);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s-*", os.cache_dir, os.cache_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "objstore: could not clear old caches\n");
	for (int i = 0; i < N_OBJECTS; i++) {
		for (size_t j = 0; j < OBJECT_BYTES; j++)
			buf[j] = (unsigned char)((j * 2654435761u + (unsigned)i * 97u) >> 11);
		clm_objstore_cache_put(&os, buf, OBJECT_BYTES, &refs[i]);
	}
	t = clm_now();
	if (clm_objstore_upload(&os, refs, N_OBJECTS, NULL) < 0) {
		printf("objstore: upload failed: %s\n", clm_error());
	} else {
		printf("objstore: upload %d x %u KiB, 4 at once, unthrottled: %.3f s\n", N_OBJECTS, OBJECT_BYTES / 1024,
		       clm_now() - t);
		for (size_t k = 0; k < sizeof(parallel) / sizeof(parallel[0]); k++) {
			snprintf(cache, sizeof(cache), "/tmp/clm-bench-objstore-up-%d", parallel[k]);
			configure(&os, slow, cache, parallel[k]);
			t = clm_now();
			if (clm_objstore_fetch(&os, refs, N_OBJECTS, NULL) < 0) {
				printf("objstore: fetch failed: %s\n", clm_error());
				break;
			}
			t = clm_now() - t;
			if (k == 0)
				base = t;
			printf("objstore: fetch %d x %u KiB at 256 KB/s per connection, %d at once: %.2f s "
			       "(%.1fx the 1-at-a-time baseline of %.2f s)\n", N_OBJECTS, OBJECT_BYTES / 1024, parallel[k],
			       t, base / t, base);
		}
	}
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/objstore/dav-server.sh' stop %s; rm -rf %s /tmp/clm-bench-objstore-up*",
		 top ? top : ".", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "objstore: could not clean up %s\n", dir);
	free(buf);
	return 0;
}
