/* Dataset JSON lines through the streaming reader, with a small line limit so the over-long
 * line path is reached too. */
#include "fuzz.h"
#include "util/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_jsonl_reader r;
	json_t *obj;
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	clm_jsonl_reader_init(&r, fp, "fuzz.jsonl", 4096);
	while (clm_jsonl_next(&r, &obj) > 0)
		json_decref(obj);
	clm_jsonl_reader_release(&r);
	fclose(fp);
	return 0;
}
