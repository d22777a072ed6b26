#!/bin/sh
# llama.cpp (node-llama-cpp, installed by tests/llama/setup.sh) loads the GGUF files we export for
# `llama` (q/k rows permuted for its rotation of adjacent pairs) and `qwen2` (halves, q/k/v biases),
# f32 and f16, and continues three prompts greedily with exactly the tokens our engine generates
# from the Hugging Face directory (its BF16 weights are f16 values too, up to the few below f16's
# normal range).
. "$CLM_TOP/tests/integration/lib.sh"

modules=$(sh "$CLM_TOP/tests/llama/setup.sh" 2>/dev/null) || {
	t_skip "llama.cpp gives our greedy tokens" "node or node-llama-cpp unavailable"
	t_done
	exit
}
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
ref="/usr/bin/python3 $CLM_TOP/tests/nn/llama_ref.py"
top=$PWD
git init -q repo
cd repo
cp "$CLM_TOP"/libcore/util/*.c .
git add . && git commit -qm "some C code"
clm pretrain --out "$top/base" --steps 10 --vocab 400 -q >/dev/null 2>&1

# our greedy tokens for each prompt, as the request greedy.mjs reads
request() {
	/usr/bin/python3 - "$@" <<'PY'
import json, subprocess, sys
bin_, model, out = sys.argv[1:4]
prompts = ["int main(void) {", "static const char *name", "\treturn rc;\n}\n"]
req, ours = {"n": 10, "prompts": []}, []
for p in prompts:
    r = json.loads(subprocess.check_output([bin_, "generate", "--model", model, "--prompt", p, "-n", "10", "--json"]))
    req["prompts"].append({"text": p, "ids": r["prompt_tokens"]})
    ours.append(r["tokens"])
json.dump(req, open(out + ".request.json", "w"))
json.dump(ours, open(out + ".ours.json", "w"))
PY
}
same() {
	/usr/bin/python3 -c '
import json, sys
ours = json.load(open(sys.argv[1]))
theirs = [r["generated"] for r in json.load(open(sys.argv[2]))["results"]]
sys.exit(0 if ours == theirs else "ours %s, llama.cpp %s" % (ours, theirs))' "$1" "$2"
}

for case in llama_plain_bf16 qwen2_bf16; do
	# embeddings 8x larger: logit margins wide enough that llama.cpp's f16 products (activations
	# rounded to f16) cannot turn a near-tie; llama.cpp's context, no rope scaling
	$ref model "$top/$case" $case 400 8 256
	cp "$top/base/tokenizer.json" "$top/$case/"
	t_ok "$case: init from the directory" clm init --name $case --base "$top/$case"
	request "$CLM_BIN" "$top/$case" "$top/$case"
	for dtype in f32 f16; do
		t_ok "$case: export GGUF $dtype" clm export --name $case --format gguf --dtype $dtype --out "$top/$case.$dtype.gguf"
		t_ok "$case $dtype: llama.cpp loads it and continues 3 prompts" sh -c "node '$CLM_TOP/tests/llama/greedy.mjs' '$modules' '$top/$case.$dtype.gguf' '$top/$case.request.json' > '$top/$case.$dtype.llama.json'"
		t_ok "$case $dtype: with exactly our greedy tokens" same "$top/$case.ours.json" "$top/$case.$dtype.llama.json"
	done
done
t_done
