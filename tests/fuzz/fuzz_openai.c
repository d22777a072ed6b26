/* Responses of OpenAI-compatible servers. First byte even: one whole /v1/completions answer;
 * odd: an event stream fed in pieces whose sizes come from the second byte, each event's data
 * parsed as a completion chunk. */
#include "fuzz.h"
#include "remote/completion.h"
#include "remote/sse.h"

static int on_event(const char *event, const char *data, size_t len, void *arg)
{
	struct clm_completion_delta *d = arg;

	(void)event;
	clm_completion_parse(data, len, d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_completion_delta d;
	struct clm_sse_parser p;
	size_t piece, at;

	if (size < 2)
		return 0;
	clm_completion_delta_init(&d);
	if (data[0] % 2 == 0) {
		clm_completion_parse((const char *)data + 1, size - 1, &d);
	} else {
		piece = (size_t)data[1] % 17 + 1;
		clm_sse_init(&p, 4096);
		for (at = 2; at < size; at += piece) {
			size_t n = size - at < piece ? size - at : piece;
			if (clm_sse_feed(&p, (const char *)data + at, n, on_event, &d) < 0)
				break;
		}
		clm_sse_pending(&p);
		clm_sse_release(&p);
	}
	clm_completion_delta_release(&d);
	return 0;
}
