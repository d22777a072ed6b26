#!/bin/sh
# Trust boundaries of the staged roll-out (THREAT-MODEL.md): a fetched canary stage may only serve
# a version of the model, and a hostile suggestion log is refused line by line with a message.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
v1=$(add_version "Learn task one" "ln_1ln_1ln_1ln_1" HEAD~1)
short() { echo "$1" | cut -c1-12; }
stage_line() { echo "{\"t\":1700005000,\"kind\":\"stage\",\"model\":\"default\",\"stage\":\"canary\",\"branches\":\"*\"}"; }

# A teammate's remote stages a commit pushed beside our history, for every branch.
git init -q --bare ../remote.git
other=$(git commit-tree "$v1^{tree}" -p "$v1" -m "Pushed beside ours")
git update-ref refs/clmodel/stages/default/canary "$other"
add_note "$other" "$(stage_line)"
git push -q ../remote.git "refs/clmodel/*:refs/clmodel/*" "refs/notes/clmodel:refs/notes/clmodel"
git update-ref -d refs/clmodel/stages/default/canary
git notes --ref=clmodel remove "$other" 2>/dev/null
t_ok "fetch takes the stage ref (a commit)" clm fetch -q ../remote.git
t_ok "the stage is here" test "$(git rev-parse refs/clmodel/stages/default/canary)" = "$other"
t_grep "which does not serve a staged commit that is no version" "^$v1 " clm which
t_grep "which says the stage was ignored" "warning: ignoring the canary stage of model 'default': $(short "$other") is not a version" clm which
t_grep "suggest does not serve it either" "warning: ignoring the canary stage" \
	sh -c "echo 'def f(x):' | '$CLM_BIN' suggest --task complete --max-tokens 2"
t_grep "monitor leaves it to a person and says why" "canary $(short "$other"): manual: ignoring the canary stage" \
	clm monitor --dry-run
t_ok "rollback --stage removes it" clm rollback -q --stage
t_exit 1 "the stage ref is gone" git rev-parse -q --verify refs/clmodel/stages/default/canary

# A stage naming a code commit is ignored too; one naming a candidate of the model serves.
code=$(git rev-parse HEAD~1)
git update-ref refs/clmodel/stages/default/canary "$code"
add_note "$code" "$(stage_line)"
t_grep "a staged code commit does not serve" "^$v1 " clm which
cand=$(git commit-tree "$v1^{tree}" -p "$v1" -m "A candidate")
git update-ref refs/clmodel/candidates/default/1 "$cand"
git update-ref refs/clmodel/stages/default/canary "$cand"
add_note "$cand" "$(stage_line)"
t_grep "a staged candidate of the model serves" "^$cand " clm which
git update-ref -d refs/clmodel/stages/default/canary

# A hostile suggestion log: each bad line is refused with a message, the good ones still count.
log=.git/clmodel/suggestions.jsonl
mkdir -p .git/clmodel
rec() { printf '{"t":%s,"model":"default","version":"%s","kind":"refine","path":"code.txt","hash":"0","added":%s}\n' "$@"; }
{
	rec 1700000000 "$v1" '["line 1"]'
	rec 1700000000 "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz" '["line 1"]'
	printf '{"t":1700000000,"model":"default","version":7,"kind":"refine","path":"code.txt","added":[]}\n'
	rec '"soon"' "$v1" '["line 1"]'
	rec 1700000000 "$v1" '{"line 1":1}'
	rec 1700000000 "$v1" '[1,2]'
	printf '["not an object"]\n'
	printf '{"t": broken\n'
	# over a megabyte, ending in a record: the whole line is refused, not read from its middle
	{ head -c 1100000 /dev/zero | tr '\0' 'x'; rec 1700000000 "$cand" '["line 1"]'; }
	rec 1700000000 "$v1" '["line 2"]'
} > $log
t_ok "monitor reads a hostile log" sh -c '"$CLM_BIN" monitor --json --dry-run > ../mon.json 2> ../mon.err'
t_ok "only the well-formed records count" /usr/bin/python3 -c "import json; d = json.load(open('../mon.json'))
assert d['suggestions'] == 2, d
assert [v['version'] for v in d['versions']] == ['$v1'], d
assert d['versions'][0]['kept'] == 2, d"
t_grep "the refusal is counted and the first one named with its line" \
	"warning: 8 lines of the suggestion log skipped; the first: .*suggestions.jsonl:2: \"version\" is not an object id" cat ../mon.err

# Many distinct versions are tallied by a hash table, not a list search per line.
awk 'BEGIN { for (i = 0; i < 20000; i++)
	printf "{\"t\":1700000000,\"model\":\"default\",\"version\":\"%040x\",\"kind\":\"refine\",\"path\":\"code.txt\",\"added\":[\"line 1\"]}\n", i }' > $log
t_ok "20,000 distinct versions are each counted once" sh -c '"$CLM_BIN" monitor --json --dry-run > ../many.json'
t_ok "one row each" /usr/bin/python3 -c "import json; d = json.load(open('../many.json'))
assert d['suggestions'] == 20000 and len(d['versions']) == 20000, (d['suggestions'], len(d['versions']))
assert all(v['made'] == 1 and v['kept'] == 1 for v in d['versions'])"

# A log that cannot be read fails with a message instead of looping.
rm -f $log && mkdir $log
t_exit 1 "an unreadable log fails" timeout 60 "$CLM_BIN" monitor --dry-run
t_grep "and says so" "suggestions.jsonl: read error" timeout 60 "$CLM_BIN" monitor --dry-run
rmdir $log
t_done
