#!/bin/sh
# The gate never passes on a non-number: a task with nothing to score is left out of the means
# with a reason, matrix.json always has a summary, and log/eval never print nan or a fake 0.00.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/long-functions-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
clm init --base ../base -q >/dev/null
git config clmodel.gate.maxForgetting 1000
clm update --dry-run -q >/dev/null 2>&1
# The bump's task keeps two training examples and nothing held out, so it is merged into a later
# task that has two of its own and nothing held out either: that one trains on four examples
# and has nothing to score.
tasks=.git/clmodel/tasks
bump="$tasks/pypi%2Frequests%2F2.31.0..3.0.0"
later="$tasks/pypi%2Frequests%2F3.0.0..3.1.0"
mkdir "$later"
head -n 2 "$bump/train.jsonl" > ../two && mv ../two "$bump/train.jsonl"
: > "$bump/valid.jsonl"; : > "$bump/test.jsonl"
sed -e 's/"id": "pypi\/requests\/2.31.0..3.0.0"/"id": "pypi\/requests\/3.0.0..3.1.0"/' \
	-e 's/"time": \([0-9]*\)/"time": \19/' "$bump/task.json" > "$later/task.json"
cp "$bump/train.jsonl" "$bump/valid.jsonl" "$bump/test.jsonl" "$later/"

clm update -q --steps 2 --batch-size 2 > ../update.out 2>&1
t_grep "the task with nothing to score is learned" "3.0.0..3.1.0 +promoted" cat ../update.out
t_exit 1 "update prints no nan" grep -i nan ../update.out
t_exit 1 "log prints no nan" sh -c '"$CLM_BIN" log | grep -i nan'
t_grep "matrix.json says why the task is not averaged" '"reason": "no examples to score"' \
	git show refs/clmodel/models/default:eval/matrix.json
t_grep "matrix.json's summary averages the scored task only" '"scored": 1' \
	git show refs/clmodel/models/default:eval/matrix.json
clm eval -q > ../eval.out 2>&1
t_grep "eval names the task left out" "not averaged: pypi/requests/3.0.0..3.1.0" cat ../eval.out
t_exit 1 "eval prints no nan" grep -i nan ../eval.out

# A run refused because another process holds the lock leaves the real run's outcome in status.
git config clmodel.lockWaitMs 0
sleep 300 & holder=$!
echo $holder > .git/clmodel/lock
t_exit 1 "an update is refused while another process holds the lock" clm update -q
clm status > ../status.out 2>&1
t_grep "status shows the running writer" "Running: .*pid $holder" cat ../status.out
t_exit 1 "and names no log file that does not exist" grep "clmodel/log" ../status.out
t_exit 1 "status keeps the real run's outcome, not the refusal" grep -i "lock" ../status.out
t_grep "status shows the real run's outcome" "3.0.0..3.1.0 +promoted" cat ../status.out
rm -f .git/clmodel/lock
kill $holder 2>/dev/null
t_grep "show prints task names as they are, not URL-encoded" "^  pypi/requests/3.0.0..3.1.0" clm show
t_exit 1 "show has no %2F in task names" sh -c '"$CLM_BIN" show | grep "^  pypi%2F"'

# pin, unpin, pin within one second: the note reads as pinned (its lines in the order written).
git tag v1
clm pin -q v1 && clm unpin -q v1 && clm pin -q v1
t_grep "the note's last line is the last pin" '"kind":"pin"' sh -c 'git notes --ref=clmodel show v1 | tail -n 1'

# Export of a version that learned with pp-tf+replay: its soft prompts have no place in GGUF or
# in model.safetensors.
t_grep "gguf export gives advice a command carries out" "export --format gguf --backbone-only" \
	clm export -q --format gguf --out ../m.gguf
t_ok "--backbone-only exports the backbone" clm export -q --format gguf --backbone-only --out ../m.gguf
clm export -q --format hf --out ../hf
cat > ../keys.py <<'X'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    print("\n".join(json.loads(f.read(n))))
X
t_exit 1 "hf export writes no strategy tensor into model.safetensors" sh -c 'python3 ../keys.py ../hf/model.safetensors | grep -E "^clm?\."'
t_grep "the strategy's tensors are kept beside it" "^clm.prompt.weight" python3 ../keys.py ../hf/clmodel-strategy.safetensors
t_done
