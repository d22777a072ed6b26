/* Hugging Face safetensors files, read through the file reader (with F16/BF16 conversion on
 * every other input, chosen by the size's parity so both paths see every shape of header). */
#include "fuzz.h"
#include "io/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct clm_tensor_list tensors = { 0 };
	json_t *meta = NULL;
	char path[64];

	if (fuzz_write_file(path, "safetensors", data, size) < 0)
		return 0;
	if (clm_safetensors_read(path, size % 2 ? CLM_SAFETENSORS_TO_F32 : 0, &tensors, &meta) == 0)
		json_decref(meta);
	clm_tensor_list_release(&tensors);
	unlink(path);
	return 0;
}
