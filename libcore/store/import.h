/* Importing a model from outside as a new version: a GGUF gpt2 file (llama.cpp's converter, our
 * export) or a Hugging Face GPT-2 directory (config.json, tokenizer.json, model.safetensors). */
#ifndef CLM_STORE_IMPORT_H
#define CLM_STORE_IMPORT_H

#include "store/store.h"

/* How an outside model is recorded. */
struct clm_import_options {
	const char *model;   /* NULL: "default" */
	int as_base;         /* `init --base`: version 0 of a new model ("Base model from ...", strategy
				"base"); the model must not exist yet */
	size_t tensors;      /* out: tensors recorded */
	uint64_t bytes;      /* out: their bytes */
};

/* Record the model at `path` (a .gguf file or a model directory with config.json, tokenizer.json,
 * model.safetensors and Hugging Face side files) as a new version: the model's first version when
 * it does not exist yet, else a version on top of its head. `out` gets the new id. */
int clm_store_import(struct clm_store *s, const char *path, struct clm_import_options *o, git_oid *out);

#endif
