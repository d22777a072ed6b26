/* Dataset JSON lines: the streaming reader (with a small line limit, so the over-long line path
 * is reached too), each object parsed as a dataset example, the examples split and written back
 * as JSON. */
#include "fuzz.h"
#include "data/dataset.h"
#include "util/jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_jsonl_reader r;
	struct clm_dataset ds = { 0 }, train = { 0 };
	json_t *obj;
	FILE *fp;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "rb");
	if (!fp)
		return 0;
	clm_jsonl_reader_init(&r, fp, "fuzz.jsonl", 4096);
	while (clm_jsonl_next(&r, &obj) > 0) {
		clm_dataset_add_json(&ds, obj, "fuzz.jsonl:1");
		json_decref(obj);
	}
	clm_jsonl_reader_release(&r);
	fclose(fp);
	if (clm_dataset_filter_split(&ds, CLM_SPLIT_TRAIN, &train) == 0)
		for (size_t i = 0; i < train.n; i++)
			json_decref(clm_example_to_json(&train.items[i]));
	clm_dataset_release(&train);
	clm_dataset_release(&ds);
	return 0;
}
