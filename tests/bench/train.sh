#!/bin/sh
# `make bench-train`: the engine's training/inference benchmark (build/bench/bench_train), then the
# same config in PyTorch when Debian's python3-torch imports, and the ratio of the two.
set -u
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
out=$("$CLM_BUILD/bench/bench_train") || { echo "$out"; exit 1; }
echo "$out"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
	torch_out=$(/usr/bin/python3 "$CLM_TOP/tests/bench/train_torch.py") || { echo "$torch_out"; exit 1; }
	echo "$torch_out"
	ours=$(echo "$out" | sed -n 's/^train_tokens_per_s: //p')
	theirs=$(echo "$torch_out" | sed -n 's/^torch_train_tokens_per_s: //p')
	awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio_vs_torch: %.3f\n", a / b }'
else
	echo "# PyTorch baseline skipped: /usr/bin/python3 cannot import torch (apt-get install python3-torch)"
fi
