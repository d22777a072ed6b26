/* Responses of OpenAI-compatible servers. First byte even: one whole /v1/completions answer;
 * odd: an event stream fed in pieces whose sizes come from the second byte, each event's data
 * parsed as a completion chunk and its text taken as the client does (clm_completion_take) for a
 * max_tokens from the first byte: the answer never outgrows max_tokens pieces and bytes. */
#include "fuzz.h"
#include "remote/completion.h"
#include "remote/sse.h"

#include <stdlib.h>

struct answer {
	struct clm_completion_delta d;
	size_t have;
	int pieces, max_tokens, cut;
};

static int on_event(const char *event, const char *data, size_t len, void *arg)
{
	struct answer *a = arg;
	size_t take;

	(void)event;
	if (a->cut || clm_completion_parse(data, len, &a->d) < 0 || a->d.text.len == 0)
		return 0;
	take = clm_completion_take(a->d.text.buf, a->d.text.len, a->have, a->pieces, a->max_tokens, &a->cut);
	if (take > a->d.text.len)
		abort();
	if (take) {
		a->have += take;
		a->pieces++;
	}
	if (a->pieces > a->max_tokens || a->have > (size_t)a->max_tokens * CLM_COMPLETION_TOKEN_BYTES_MAX)
		abort(); /* the bound the client promises */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct answer a = { .max_tokens = data && size ? data[0] / 2 % 8 + 1 : 1 };
	struct clm_sse_parser p;
	size_t piece, at;

	if (size < 2)
		return 0;
	clm_completion_delta_init(&a.d);
	if (data[0] % 2 == 0) {
		clm_completion_parse((const char *)data + 1, size - 1, &a.d);
	} else {
		piece = (size_t)data[1] % 17 + 1;
		clm_sse_init(&p, 4096);
		for (at = 2; at < size && !a.cut; at += piece) {
			size_t n = size - at < piece ? size - at : piece;
			if (clm_sse_feed(&p, (const char *)data + at, n, on_event, &a) < 0)
				break;
		}
		clm_sse_pending(&p);
		clm_sse_release(&p);
	}
	clm_completion_delta_release(&a.d);
	return 0;
}
