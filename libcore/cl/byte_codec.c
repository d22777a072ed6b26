#include "cl/byte_codec.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static int byte_encode(void *ctx, const char *text, size_t len, int32_t **ids, size_t *n)
{
	int32_t *g = realloc(*ids, (*n + len + 1) * sizeof(*g));

	(void)ctx;
	if (!g)
		return clm_error_oom();
	for (size_t i = 0; i < len; i++)
		g[*n + i] = (unsigned char)text[i];
	*n += len;
	*ids = g;
	return 0;
}

static int byte_decode(void *ctx, const int32_t *ids, size_t n, struct clm_strbuf *out)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		if (ids[i] >= 0 && ids[i] < 256 && clm_strbuf_addch(out, (char)ids[i]) < 0)
			return CLM_ENOMEM;
	return 0;
}

void clm_byte_codec(struct clm_text_codec *c)
{
	memset(c, 0, sizeof(*c));
	c->encode = byte_encode;
	c->decode = byte_decode;
	c->sep = 256;
	c->eos = 257;
}
