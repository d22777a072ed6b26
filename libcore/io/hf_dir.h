/* A Hugging Face model directory, read and written in one place: config.json (model keys),
 * tokenizer.json (tokenizers format), model.safetensors, and the side files transformers reads
 * next to them (clm_hf_side_files). The model keys and the tokenizer stay JSON text here; the
 * engine (nn/config.h) and the tokenizer (tok/hf_json.h) parse them. */
#ifndef CLM_IO_HF_DIR_H
#define CLM_IO_HF_DIR_H

#include <jansson.h>
#include "nn/model.h"
#include "nn/tensors.h"
#include "util/file_list.h"
#include "util/strbuf.h"

/* Largest config.json or side file read (1 MiB), and largest tokenizer.json (256 MiB). */
#define CLM_HF_CONFIG_MAX (1u << 20)
#define CLM_HF_TOKENIZER_MAX (256u << 20)

/* Side files kept with a model when it has them (tokenizer_config.json,
 * special_tokens_map.json, generation_config.json). NULL-terminated. */
extern const char *const clm_hf_side_files[];

/* The parts of a directory that clm_hf_dir_read and clm_hf_dir_write handle. */
enum {
	CLM_HF_CONFIG = 1u << 0,    /* config.json */
	CLM_HF_TOKENIZER = 1u << 1, /* tokenizer.json */
	CLM_HF_WEIGHTS = 1u << 2,   /* model.safetensors or its shards (read as f32) */
	CLM_HF_SIDE = 1u << 3,      /* side files: read those present, write every entry of `side` */
	CLM_HF_ALL = 0xfu,
	CLM_HF_KEEP_DTYPE = 1u << 4 /* reading weights: F16 and BF16 tensors stay as stored, not f32 */
};

/* A model directory in memory; owns everything. */
struct clm_hf_dir {
	struct clm_strbuf config;       /* config.json text */
	struct clm_strbuf tokenizer;    /* tokenizer.json text */
	struct clm_tensor_list weights; /* the tensors of model.safetensors */
	struct clm_file_list side;      /* side files by name */
};

#define CLM_HF_DIR_INIT { CLM_STRBUF_INIT, CLM_STRBUF_INIT, { 0 }, { 0 } }

/* Read `parts` of the directory `dir` into `out` (initialised here; release it also after a
 * failure). A missing config.json, tokenizer.json or model.safetensors is an error naming the
 * file; a missing side file is not. */
int clm_hf_dir_read(const char *dir, unsigned parts, struct clm_hf_dir *out);

/* Build model `m` of config `cfg` from the weights of `dir` (model.safetensors, or the shards
 * model.safetensors.index.json names; F32, F16 or BF16): each file is mapped and every tensor
 * converted straight into its f32 parameter, its pages dropped after, so the weights are never
 * held twice. Every backbone tensor must be present. 0 or a negative code naming the file. */
int clm_hf_dir_load_model(const char *dir, const struct clm_gpt_config *cfg, struct clm_gpt *m);

/* Write `parts` of `d` into `dir` (created when missing), each file atomically: config.json,
 * tokenizer.json, the side files, then model.safetensors with `metadata` (string values, may be
 * NULL) in its header. */
int clm_hf_dir_write(const char *dir, const struct clm_hf_dir *d, unsigned parts, const json_t *metadata);

/* Free the directory's memory and leave it empty. */
void clm_hf_dir_release(struct clm_hf_dir *d);

#endif
