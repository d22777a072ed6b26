#!/bin/sh
# update (gate pass and fail, candidates, promote, dry run, interruption), eval, suggest, status.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
t_ok "init from a tiny pretrained base" clm init --base ../base
base=$(git rev-parse refs/clmodel/models/default)

t_grep "dry run shows the plan" "would learn" clm update --dry-run -q
t_ok "dry run trains nothing" test "$(git rev-parse refs/clmodel/models/default)" = "$base"

# An interrupted update leaves the head where it was, and the next one runs.
# A background job of a script ignores SIGINT; perl restores the default, as a terminal has it.
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$CLM_BIN" update -q --steps 100000 >/dev/null 2>&1 &
pid=$!
sleep 3
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
t_ok "Ctrl-C stops the update with status 130" test "$rc" -eq 130
t_ok "Ctrl-C leaves the head unchanged" test "$(git rev-parse refs/clmodel/models/default)" = "$base"

# A gate nobody can pass: the first task is kept as a candidate and the head stays.
git config clmodel.gate.minScore 101
t_grep "failing the gate keeps a candidate" "candidate .*below clmodel.gate.minScore" clm update -q --steps 3 --batch-size 2
t_ok "head unchanged after a failed gate" test "$(git rev-parse refs/clmodel/models/default)" = "$base"
t_ok "candidate ref exists" git rev-parse -q --verify refs/clmodel/candidates/default/1
t_grep "candidate is noted, not as a model line" '"kind":"candidate"' sh -c 'git notes --ref=clmodel list | cut -d" " -f2 | xargs -n1 git notes --ref=clmodel show'
t_grep "status shows the failed task" "candidate" clm status
t_ok "promote the candidate" clm promote 1
t_ok "head is the candidate now" test "$(git rev-parse refs/clmodel/models/default^)" = "$base"
t_exit 1 "candidate ref removed" git rev-parse -q --verify refs/clmodel/candidates/default/1
t_exit 1 "promoting a missing candidate fails" clm promote 7

# The remaining tasks pass a reachable gate.
git config clmodel.gate.minScore 0
t_grep "update promotes the next task" "promoted" clm update -q --steps 3 --batch-size 2
t_ok "log lists the learned versions" test "$(clm log | wc -l)" -ge 3
t_grep "log shows strategy and scores" "strategy=pp-tf\+replay.*avg=" clm log
t_grep "second update has nothing new to train" "Nothing to learn|skipped" clm update -q --steps 3
last=$(git rev-parse HEAD)
t_grep "which explains the serving version" "why:" clm which
t_grep "eval scores every task" "smooth-bleu|codebleu|bleu" clm eval -q
t_ok "eval --json parses" sh -c '"$CLM_BIN" eval -q --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert d[\"tasks\"]"'
t_grep "status names the serving version" "Serving HEAD: [0-9a-f]{12}" clm status
t_ok "status --json parses" sh -c '"$CLM_BIN" status --json | python3 -m json.tool >/dev/null'

# suggest on a function: a diff of that function that git apply accepts.
t_ok "suggest on a function succeeds" sh -c '"$CLM_BIN" suggest -q --file weather/client.py --line 10 > ../s.diff'
t_grep "suggest prints a diff of the file" '^diff --git a/weather/client.py b/weather/client.py$' cat ../s.diff
t_grep "the diff rewrites the function at line 10" '^-def post_report\(data\):$' cat ../s.diff
t_ok "git apply accepts the diff" git apply --check ../s.diff
t_grep "suggest --json names the function" '"function": "post_report"' clm suggest -q --json --file weather/client.py --line 10
# (on a terminal: this tiny model's text holds control characters, which a pipe would refuse)
t_ok "suggest from stdin prints both alternatives" sh -c 'echo "def f(x):" > ../in.py && script -qec "\"$CLM_BIN\" suggest -q --force --task complete --lang python -n 2 < ../in.py" /dev/null |
	grep -c "^# alternative [12]" | grep -qx 2'
t_ok "suggest from stdin: two non-empty completions" sh -c 'echo "def f(x):" |
	"$CLM_BIN" suggest -q --json --task complete --lang python -n 2 | python3 -c "import json, sys
d = json.load(sys.stdin); a = d[\"alternatives\"]
assert d[\"task\"] == \"complete\" and len(a) == 2 and all(x[\"text\"].strip() for x in a), d"'
t_exit 129 "suggest --line without --file" clm suggest --line 3
t_exit 1 "suggest outside a function" clm suggest --file weather/client.py --line 2
t_exit 1 "update with another strategy than the model's is refused" clm update --strategy seqft -q

cd .. && git init -q empty && cd empty && git commit -q --allow-empty -m e
t_grep "suggest without a model says how to make one" "git clmodel init" clm suggest --task complete < /dev/null
t_done
