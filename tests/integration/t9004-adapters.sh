#!/bin/sh
# LoRA versions of a Llama-family base served elsewhere: an update with the lora strategy stores
# only its adapter next to the shared backbone (kept as the base stored it, BF16); export --format peft writes a PEFT directory whose
# math (base + lora_alpha / r * lora_B @ lora_A, PEFT's names and layouts, read by the independent
# PyTorch implementation of tests/nn/llama_ref.py) gives exactly what `generate --adapter` gives;
# export --format ollama writes base.gguf, adapter.gguf and a Modelfile, and llama.cpp
# (node-llama-cpp) with that base and adapter continues prompts with our greedy tokens and
# log-probabilities, for `qwen2` and for `llama` (whose q/k rows llama.cpp wants reordered, in
# lora_b too). Versions without LoRA sets are refused with the way to serve them.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
ref="/usr/bin/python3 $CLM_TOP/tests/nn/llama_ref.py"
modules=$(sh "$CLM_TOP/tests/llama/setup.sh" 2>/dev/null) || modules=
top=$PWD
git init -q repo
cd repo
cp "$CLM_TOP"/libcore/util/*.c .
git add . && git commit -qm "some C code"
clm pretrain --out "$top/tok" --steps 10 --vocab 400 -q >/dev/null 2>&1
cd "$top"
sh "$CLM_TOP/fixtures/python-repo.sh" pyrepo >/dev/null 2>&1
cd pyrepo

# ours MODEL OUT [--adapter K]: generate --json --top 3 on three prompts -> OUT.ours.json (one
# result per prompt) and OUT.request.json (what greedy.mjs reads)
ours() {
	/usr/bin/python3 - "$CLM_BIN" "$@" <<'PY'
import json, subprocess, sys
bin_, model, out = sys.argv[1:4]
prompts = ["import requests", "def get(url):\n    return", "class Session:"]
req, res = {"n": 8, "top": 3, "prompts": []}, []
for p in prompts:
    r = json.loads(subprocess.check_output([bin_, "generate", "--model", model, "--prompt", p, "-n", "8", "--json",
                                            "--top", "3"] + sys.argv[4:]))
    req["prompts"].append({"text": p, "ids": r["prompt_tokens"]})
    res.append(r)
json.dump(req, open(out + ".request.json", "w"))
json.dump(res, open(out + ".ours.json", "w"))
PY
}
# same OURS LLAMA: llama.cpp's greedy tokens are ours and its top-3 log-probabilities within 1e-3
same() {
	/usr/bin/python3 -c '
import json, sys
ours = json.load(open(sys.argv[1]))
theirs = json.load(open(sys.argv[2]))["results"]
worst = 0.0
for o, t in zip(ours, theirs):
    if o["tokens"] != t["generated"]:
        sys.exit("ours %s, llama.cpp %s" % (o["tokens"], t["generated"]))
    for a, b in zip(o["top"], t["top"]):
        for (i, lp), (j, lq) in zip(a, b):
            if i != j and abs(lp - lq) > 1e-3:
                sys.exit("top tokens differ: %s %s" % (a, b))
            worst = max(worst, abs(lp - lq))
if worst > 1e-3:
    sys.exit("log-probabilities differ by %g" % worst)
print("# %s: llama.cpp with the adapter: greedy tokens equal, top-3 log-probabilities within %.2g" % (sys.argv[3], worst))' "$@" >> "$top/figures"
}
# only_adapter NAME: every tensor the head version adds is of its newest LoRA set or the strategy,
# and the backbone it shares is the base's, in the base's BF16
only_adapter() {
	clm show --name "$1" --json | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
new = [t["name"] for t in j["tensors"] if t["new"]]
bad = [n for n in new if not (n.startswith("clm.lora.1.") or n.startswith("cl."))]
lora = sum(t["bytes"] for t in j["tensors"] if t["new"] and t["name"].startswith("clm.lora."))
if bad or not lora:
    sys.exit("the version adds %s" % (bad or "no adapter"))
kept = set(t["dtype"] for t in j["tensors"] if not t["name"].startswith(("clm.", "cl.")))
if kept != {"BF16"}:
    sys.exit("the backbone is stored as %s, not as the base directory has it (BF16)" % kept)
print("# %s: the version adds %d bytes (%d of them the adapter) to %d" % (sys.argv[1], j["weights"]["new_bytes"], lora,
                                                                      j["weights"]["bytes"]))' "$1" >> "$top/figures"
}

for case in qwen2_bf16 llama_plain_bf16; do
	# embeddings 8x larger: logit margins wide enough for llama.cpp's f16 rounding of activations;
	# llama.cpp's context, no rope scaling
	$ref model "$top/$case" $case 400 8 512
	cp "$top/tok/tokenizer.json" "$top/$case/"
	t_ok "$case: init --base" clm init --name $case --base "$top/$case"
	t_grep "$case: an update trains two LoRA sets" "promoted.*promoted" \
		sh -c "'$CLM_BIN' update --name $case --strategy lora -q --steps 3 --batch-size 2 2>&1 | tr '\n' ' '"
	t_ok "$case: the newest version adds only its adapter and the strategy's state" only_adapter $case
	t_ok "$case: export --format peft" clm export --name $case --format peft --out "$top/$case.peft"
	t_grep "$case: adapter_config.json says LORA, r and alpha" '"peft_type": "LORA"' cat "$top/$case.peft/adapter_config.json"
	ours "$case" "$top/$case.lora" --adapter 1
	ours "$case" "$top/$case.none"
	t_ok "$case: the adapter changes the log-probabilities" sh -c "! cmp -s '$top/$case.lora.ours.json' '$top/$case.none.ours.json'"
	t_ok "$case: PEFT's LoRA math in PyTorch gives our tokens and log-probabilities on 3 prompts" \
		sh -c "$ref greedy '$top/$case' '$top/$case.lora.ours.json' '$top/$case.peft' > '$top/$case.peft.check'"
	sed "s/^/# $case: PyTorch with the PEFT adapter: /" "$top/$case.peft.check" >> "$top/figures"
	t_ok "$case: export set 0 too" clm export --name $case --format peft --adapter 0 --out "$top/$case.peft0"
	t_ok "$case: ... whose values are not set 1's" sh -c "! $ref greedy '$top/$case' '$top/$case.lora.ours.json' '$top/$case.peft0'"
	t_ok "$case: export --format ollama" clm export --name $case --format ollama --out "$top/$case.ollama"
	t_grep "$case: the Modelfile names the base and the adapter" "^FROM ./base.gguf" cat "$top/$case.ollama/Modelfile"
	t_grep "$case: ... with an ADAPTER line" "^ADAPTER ./adapter.gguf" cat "$top/$case.ollama/Modelfile"
	if [ -z "$modules" ]; then
		t_skip "$case: llama.cpp with the adapter" "node or node-llama-cpp unavailable"
		continue
	fi
	t_ok "$case: llama.cpp loads base.gguf with adapter.gguf" sh -c "node '$CLM_TOP/tests/llama/greedy.mjs' '$modules' \
		'$top/$case.ollama/base.gguf' '$top/$case.lora.request.json' '$top/$case.ollama/adapter.gguf' > '$top/$case.llama.json'"
	t_ok "$case: and gives our greedy tokens and log-probabilities" same "$top/$case.lora.ours.json" "$top/$case.llama.json" $case
done

cat "$top/figures"
t_ok "export --format gguf-lora of an older set" clm export --name qwen2_bf16 --format gguf-lora --adapter 0 --out "$top/a0.gguf"
t_grep "a set the version lacks is named" "LoRA sets 0 to 1, not 4" clm export --name qwen2_bf16 --format peft --adapter 4 --out "$top/x"
t_grep "the base version has no adapter and says how to serve it" "no LoRA adapter.*suggest" \
	clm export --name qwen2_bf16 --format peft --out "$top/x" qwen2_bf16~2
t_exit 129 "--adapter goes with the adapter formats" clm export --name qwen2_bf16 --format hf --adapter 1 --out "$top/x"
t_grep "generate refuses a set the model lacks" "no set 2" clm generate --model qwen2_bf16 --adapter 2 --prompt x -n 1
t_done
