#!/bin/sh
# `make bench-llama`: a random model at the real shapes of Qwen2.5-Coder-0.5B (24 layers, width 896,
# 14 heads, 2 key/value heads, head_dim 64, MLP 4864, vocab 151936, tied, rope_theta 1e6; BF16
# weights as it ships, about 1 GB) written by tests/nn/llama_ref.py, then build/bench/bench_llama:
# load time, peak RSS, prompt and generation tokens/s, one LoRA training step.
set -u
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
dir=${LLAMA_BENCH_DIR:-$CLM_BUILD/bench/qwen2.5-coder-0.5b-shape}
if [ ! -f "$dir/model.safetensors" ]; then
	/usr/bin/python3 "$CLM_TOP/tests/nn/llama_ref.py" shape "$dir" || exit 1
fi
"$CLM_BUILD/bench/bench_llama" "$dir" "${LLAMA_BENCH_NEW:-32}" "${LLAMA_BENCH_TRAIN:-128}"
