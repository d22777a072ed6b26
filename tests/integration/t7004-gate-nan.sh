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
t_done
