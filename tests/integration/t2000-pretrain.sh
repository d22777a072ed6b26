#!/bin/sh
# git clmodel pretrain: a base model from a folder or a revision, loadable by init, resumable
# after Ctrl-C. Tiny settings (a few steps of a 300-token vocabulary) keep this fast.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" GIT_COMMITTER_DATE="2024-01-01T00:00:00Z"
small="--batch 2 --seq-len 32 --vocab 300 --checkpoint-every 2"

git init -q code
for i in $(seq 1 40); do
	printf 'def f%d(x):\n    return x * %d + %d\n\n\nclass C%d:\n    pass\n' $i $i $i $i >> code/lib.py
	printf 'int g%d(int x)\n{\n\treturn x << %d;\n}\n' $i $i >> code/util.c
done
mkdir -p code/node_modules/dep && echo 'module.exports = 1;' > code/node_modules/dep/index.js
git -C code add -A && git -C code commit -qm first
echo 'print("second")' > code/main.py && git -C code add main.py && git -C code commit -qm second

t_exit 129 "--out is required" clm pretrain --steps 2
t_exit 129 "a stray argument is a usage error" clm pretrain --out m extra
t_exit 129 "steps must be positive" clm pretrain --out m --steps 0
t_grep "an unknown config is named" "unknown model config|neither tiny, small" clm pretrain --out m --config huge
t_grep "a corpus that is neither folder nor revision" "neither a folder nor a revision" \
	clm -C code pretrain --out ../m --corpus no-such-rev --steps 2
t_grep "outside a repository a missing folder is explained" "not in a git repository" \
	clm pretrain --out m --corpus no-such-folder --steps 2

t_ok "pretrain from a revision" clm -q -C code pretrain --out ../rev --corpus HEAD~1 --steps 4 $small
t_ok "config.json" test -s rev/config.json
t_ok "model.safetensors" test -s rev/model.safetensors
t_ok "tokenizer.json" test -s rev/tokenizer.json
t_grep "tokenizer.json is byte-level BPE" '"type": "ByteLevel"' cat rev/tokenizer.json
t_grep "config.json is GPT-2" '"model_type": "gpt2"' cat rev/config.json

out=$(clm --json pretrain --out dir --corpus code --steps 4 $small 2>&1)
t_grep "--json reports files (lib.py, util.c, main.py; not node_modules)" '"files": 3' echo "$out"
t_grep "--json reports the steps" '"steps": 4' echo "$out"
t_grep "--json reports a validation loss" '"valid_loss": [0-9]' echo "$out"
t_grep "text output says what to do next" "git clmodel init --base dir" clm pretrain --out dir --corpus code --steps 4 $small
t_grep "a second run with more steps resumes" '"resumed_from": 4' clm --json pretrain --out dir --corpus code --steps 6 $small
t_grep "the same step count does nothing new" "Already trained for 6 steps" clm pretrain --out dir --corpus code --steps 6 $small
t_grep "another corpus is not mixed into the checkpoint" "use --fresh" clm -C code pretrain --out ../dir --corpus HEAD --steps 8 $small

git init -q repo
t_ok "init takes the pretrained directory as its base" clm -C repo init --base ../dir
t_grep "the stored version has the model's tensors" "wte.weight|tensors" clm -C repo show

# Ctrl-C: the run checkpoints, says how to resume, exits 130; the next run continues from there.
"$CLM_BIN" pretrain --out intr --corpus code --steps 100000 $small > intr.log 2>&1 &
pid=$!
i=0
while [ ! -f intr/checkpoint/state.safetensors ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
t_ok "Ctrl-C exits 130" test "$rc" -eq 130
t_grep "Ctrl-C saves a checkpoint and says how to resume" "interrupted at step [0-9]+ of 100000; checkpoint saved" cat intr.log
step=$(sed -n 's/.*interrupted at step \([0-9]*\) of.*/\1/p' intr.log)
t_grep "the next run resumes where Ctrl-C stopped" "\"resumed_from\": ${step:-x}," \
	clm --json pretrain --out intr --corpus code --steps $((${step:-0} + 2)) $small
t_done
