/* Importing a model from outside as a new version: a GGUF gpt2 file (llama.cpp's converter, our
 * export) or a Hugging Face GPT-2 directory (config.json, tokenizer.json, model.safetensors). */
#ifndef CLM_GIT_STORE_IMPORT_H
#define CLM_GIT_STORE_IMPORT_H

#include "git/store.h"

/* Record the model at `path` (a .gguf file or a model directory) as a new version of `model`
 * (NULL: default): its first version when it does not exist yet, else a version on top of its
 * head. `out` gets the new id. */
int clm_store_import(struct clm_store *s, const char *path, const char *model, git_oid *out);

#endif
