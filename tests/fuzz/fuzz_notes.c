/* Note texts under refs/notes/clmodel: two texts (split at the first NUL byte) merged by the
 * sorted union of their lines, then read back as events. */
#include "fuzz.h"
#include "store/notes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *a = (const char *)data, *nul = memchr(data, 0, size);
	size_t alen = nul ? (size_t)(nul - a) : size;
	const char *b = nul ? nul + 1 : "";
	size_t blen = nul ? size - alen - 1 : 0;
	struct clm_strbuf merged = CLM_STRBUF_INIT;
	json_t *events = NULL;

	if (clm_note_union(a, alen, b, blen, &merged) == 0 &&
	    clm_note_events_parse(merged.buf, merged.len, &events) == 0)
		json_decref(events);
	clm_strbuf_release(&merged);
	return 0;
}
