/* LoRA adapters as serving tools load them: a Hugging Face PEFT directory (adapter_config.json
 * and adapter_model.safetensors, which `peft` and vLLM's `--enable-lora` read) and a llama.cpp
 * GGUF adapter (general.type "adapter", which llama.cpp, node-llama-cpp and Ollama's ADAPTER
 * read). The engine keeps set k as "clm.lora.<k>.<module>.A" [in x r] and ".B" [r x out] with
 * scale alpha / r (nn/model.h); PEFT keeps the transposes, lora_A [r x in] and lora_B [out x r],
 * with the same scale lora_alpha / r, so the update of a weight is scale * lora_B @ lora_A. */
#ifndef CLM_IO_LORA_H
#define CLM_IO_LORA_H

#include <jansson.h>
#include <stddef.h>
#include "nn/tensors.h"

/* One LoRA set in PEFT's layout; owns everything. */
struct clm_lora_adapter {
	int set;                     /* the set's index in the version */
	int rank;                    /* r */
	float alpha;                 /* lora_alpha; the scale is alpha / r */
	struct clm_tensor_list ab;   /* "<module>.lora_A" [r, in] and "<module>.lora_B" [out, r], F32, in the
					engine's order; <module> is the Hugging Face module name, e.g.
					"model.layers.3.self_attn.q_proj" or GPT-2's "h.3.attn.c_attn" */
};

/* LoRA set `set` (-1: the last one) of a version's tensors ("clm.lora.<k>.*" as the engine
 * exports them) in PEFT's layout. CLM_ENOTFOUND with a message when the version has no such set;
 * CLM_EINVALID when its tensors are inconsistent. */
int clm_lora_collect(const struct clm_tensor_list *weights, int set, struct clm_lora_adapter *out);

/* The target module names of an adapter ("q_proj", "c_attn", ...: the last part of each
 * module), sorted and unique, as a JSON array (new reference) or NULL when out of memory. */
json_t *clm_lora_target_modules(const struct clm_lora_adapter *a);

/* Write `a` as a PEFT directory `dir` (created when missing): adapter_config.json (peft_type
 * LORA, task_type CAUSAL_LM, r, lora_alpha, target_modules, fan_in_fan_out for GPT-2's Conv1D,
 * base_model_name_or_path from config.json's "_name_or_path" when it has one) and
 * adapter_model.safetensors with PEFT's names
 * ("base_model.model.<module>.lora_A.weight"; GPT-2 modules under "transformer."). */
int clm_lora_write_peft(const struct clm_lora_adapter *a, const char *config_json, size_t config_len,
			const char *dir);

/* Write `a` as a llama.cpp LoRA adapter at `path` for the Llama, Qwen2 or StarCoder2 model of
 * config.json (`dtype` CLM_DTYPE_F32 or CLM_DTYPE_F16 for the tensors): see
 * clm_gguf_add_llama_lora. A GPT-2 model is refused by name. */
int clm_lora_write_gguf(const struct clm_lora_adapter *a, const char *config_json, size_t config_len,
			enum clm_dtype dtype, const char *path);

/* Free the adapter's tensors. */
void clm_lora_adapter_release(struct clm_lora_adapter *a);

#endif
