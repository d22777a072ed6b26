#!/bin/sh
# git clmodel generate on Llama-family Hugging Face directories (random tiny Qwen2 and Llama models
# written by tests/nn/llama_ref.py with a pretrained byte-level BPE tokenizer): greedy tokens and
# top log-probabilities agree with the independent PyTorch implementation, end tokens from
# generation_config.json stop it, sampling is reproducible from its seed, a version and a GGUF file
# load too, and bad requests are refused.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
ref="/usr/bin/python3 $CLM_TOP/tests/nn/llama_ref.py"
# field of a generate --json result: ntok FILE (number of new tokens), first FILE (the first one)
ntok() { /usr/bin/python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["tokens"]))' "$1"; }
first() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tokens"][0])' "$1"; }
top=$PWD
git init -q repo
cd repo
cp "$CLM_TOP"/libcore/util/*.c .
git add . && git commit -qm "some C code"
clm pretrain --out "$top/base" --steps 10 --vocab 400 -q >/dev/null 2>&1
clm init --base "$top/base" >/dev/null

for case in qwen2_bf16 llama_gqa5 starcoder2; do
	t_ok "$case: a random model directory" $ref model "$top/$case" $case 400
	cp "$top/base/tokenizer.json" "$top/$case/"
	t_ok "$case: generate --json --top 3" sh -c "'$CLM_BIN' generate --model '$top/$case' --prompt 'int main(void) {' -n 12 --json --top 3 > '$top/$case.json'"
	t_ok "$case: greedy tokens and top-3 log-probabilities agree with PyTorch" $ref greedy "$top/$case" "$top/$case.json"
done

t_ok "12 tokens without an end token" test "$(ntok "$top/qwen2_bf16.json")" -eq 12
printf '{"eos_token_id": [%s]}' "$(first "$top/qwen2_bf16.json")" > "$top/qwen2_bf16/generation_config.json"
clm generate --model "$top/qwen2_bf16" --prompt 'int main(void) {' -n 12 --json > eos.json
t_ok "an end token from generation_config.json stops at once" test "$(ntok eos.json)" -eq 0
t_grep "-v prints load time and speeds" "tokens/s" clm generate --model "$top/llama_gqa5" --prompt 'x' -n 4 -v
clm generate --model "$top/llama_gqa5" --prompt 'static int' -n 10 --temperature 0.8 --top-k 20 --seed 7 --json > s1.json
clm generate --model "$top/llama_gqa5" --prompt 'static int' -n 10 --temperature 0.8 --top-k 20 --seed 7 --json > s2.json
clm generate --model "$top/llama_gqa5" --prompt 'static int' -n 10 --temperature 0.8 --top-k 20 --seed 8 --json > s3.json
t_ok "sampling with a seed is reproducible" cmp s1.json s2.json
t_ok "another seed samples something else" sh -c "! cmp -s s1.json s3.json"
printf 'int x' | clm generate --model "$top/llama_gqa5" -n 3 --json > stdin.json
t_ok "the prompt can come from standard input" test "$(ntok stdin.json)" -eq 3
clm generate --model default --prompt 'int' -n 3 --json > version.json
t_ok "a stored version generates" test "$(ntok version.json)" -eq 3
clm export --format gguf --out "$top/m.gguf" >/dev/null
clm generate --model "$top/m.gguf" --prompt 'int' -n 3 --json > gguf.json
t_ok "a GGUF file generates, as the version it came from" cmp version.json gguf.json
# the CL workflow on a Llama-family base: init from the directory, an update with LoRA sets
cd "$top"
sh "$CLM_TOP/fixtures/python-repo.sh" pyrepo >/dev/null 2>&1
cd pyrepo
$ref model "$top/qwen-base" qwen2_bf16 400
cp "$top/base/tokenizer.json" "$top/qwen-base/"
sed 's/"max_position_embeddings": 64/"max_position_embeddings": 512/' "$top/qwen-base/config.json" > cfg && mv cfg "$top/qwen-base/config.json"
t_ok "init --base a Qwen2 directory" clm init --base "$top/qwen-base"
git config clmodel.strategy lora
t_grep "an update trains LoRA sets on it and records versions" "promoted" clm update -q --steps 3 --batch-size 2
t_grep "the version says what it learned" "with lora" clm log
cd "$top/repo"
t_exit 129 "-n is required" clm generate --model "$top/llama_gqa5" --prompt x
t_exit 129 "--top needs --json" clm generate --model "$top/llama_gqa5" --prompt x -n 2 --top 3
rm "$top/starcoder2/model-00002-of-00002.safetensors"
t_grep "a missing shard is named" "model-00002-of-00002.safetensors" clm generate --model "$top/starcoder2" --prompt x -n 2
printf '{"weight_map": {"a": "../x.safetensors"}}' > "$top/starcoder2/model.safetensors.index.json"
t_grep "a shard outside the directory is refused" "plain file name" clm generate --model "$top/starcoder2" --prompt x -n 2
t_done
