#!/bin/sh
# Mining a Python fixture: exact events, exact examples, incremental runs, determinism, bare
# repositories, worktrees and -C.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null
cd repo
c_root=$(git rev-parse HEAD~5) c_bump=$(git rev-parse HEAD~3) c_mig=$(git rev-parse HEAD~2)
c_rel=$(git rev-parse HEAD~1) c_drop=$(git rev-parse HEAD)
tasks=.git/clmodel/tasks
bump=$tasks/pypi%2Frequests%2F2.31.0..3.0.0

clm mine --json -q > ../events.json
t_ok "mine --json succeeds" test -s ../events.json
t_ok "mine --json prints JSON lines: events, tasks, then the statistics" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert sum("ecosystem" in o for o in lines) == 4 and any("counts" in o for o in lines), lines
assert "commits" in lines[-1] and lines[-1]["events"] == 4, lines[-1]' ../events.json
has() { grep -qF -- "$1" "$2"; }
t_ok "bump event" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"pypi\",\"from\":\"2.31.0\",\"from_spec\":\"==2.31.0\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"requirements.txt\",\"package\":\"requests\",\"task\":\"pypi/requests/2.31.0..3.0.0\",\"to\":\"3.0.0\",\"to_spec\":\"==3.0.0\"}" ../events.json
t_ok "removal event" has "{\"commit\":\"$c_drop\",\"ecosystem\":\"pypi\",\"from\":\"1.16.0\",\"from_spec\":\">=1.16\",\"group\":\"runtime\",\"kind\":\"removed\",\"level\":null,\"manifest\":\"requirements.txt\",\"package\":\"six\",\"task\":\"pypi/six/1.16.0..none\",\"to\":\"\",\"to_spec\":\"\"}" ../events.json
t_ok "root commit adds both dependencies" has "\"kind\":\"added\",\"level\":null,\"manifest\":\"requirements.txt\",\"package\":\"six\",\"task\":\"pypi/requests/none..2.31.0+1\"" ../events.json
t_ok "exactly four events" test "$(grep -o '"ecosystem"' ../events.json | wc -l)" -eq 4
t_exit 1 "release-version-only commit has no event" grep -q "$c_rel" ../events.json
t_ok "three task folders" test "$(ls $tasks | wc -l)" -eq 3
t_ok "task.json names the bump" has "\"id\": \"pypi/requests/2.31.0..3.0.0\"" "$bump/task.json"

cat "$bump"/train.jsonl "$bump"/valid.jsonl "$bump"/test.jsonl > ../bump.jsonl
t_ok "bump task has six examples" test "$(wc -l < ../bump.jsonl)" -eq 6
t_ok "refine at distance 0 (same commit)" has "\"kind\":\"refine\",\"lang\":\"python\",\"name\":\"fetch\",\"prov\":{\"commit\":\"$c_bump\",\"grammar\":\"python@0.23.6\",\"lines\":[5,7],\"path\":\"weather/client.py\"},\"source\":\"def fetch(city):\\n    \\\"\\\"\\\"Fetch the forecast for a city. Uses the v1 API.\\\"\\\"\\\"\\n    return requests.get(" ../bump.jsonl
t_ok "refine of a later migration" has "\"kind\":\"refine\",\"lang\":\"python\",\"name\":\"post_report\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"python@0.23.6\",\"lines\":[10,12],\"path\":\"weather/client.py\"}" ../bump.jsonl
t_ok "refine target is the migrated function" has "\"target\":\"def post_report(data):\\n    \\\"\\\"\\\"Send a report to the server.\\\"\\\"\\\"\\n    return requests.send(\\\"POST\\\", \\\"https://api.example.com/report\\\", body=data, timeout=10)\",\"task\":\"pypi/requests/2.31.0..3.0.0\",\"uses_dep\":true}" ../bump.jsonl
t_ok "generate: signature and docstring to body" has "\"kind\":\"generate\",\"lang\":\"python\",\"name\":\"fetch_many\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"python@0.23.6\",\"lines\":[19,21],\"path\":\"weather/client.py\"},\"source\":\"def fetch_many(cities):\\n    \\\"\\\"\\\"Fetch forecasts for several cities at once.\\\"\\\"\\\"\",\"target\":\"\\n    return [fetch(c) for c in cities]\",\"task\":\"pypi/requests/2.31.0..3.0.0\",\"uses_dep\":false}" ../bump.jsonl
t_ok "summarize: code without docstring to first sentence" has "\"kind\":\"summarize\",\"lang\":\"python\",\"name\":\"fetch\",\"prov\":{\"commit\":\"$c_bump\",\"grammar\":\"python@0.23.6\",\"lines\":[5,7],\"path\":\"weather/client.py\"},\"source\":\"def fetch(city):\\n    return requests.fetch(\\\"https://api.example.com/v1/\\\" + city, timeout=10).json()\",\"target\":\"Fetch the forecast for a city.\"" ../bump.jsonl
t_exit 1 "vendored files are not mined" grep -rq "vendor/" $tasks
t_ok "removal task refines label without six" has "\"name\":\"label\"" $tasks/pypi%2Fsix%2F1.16.0..none/train.jsonl

t_grep "second run looks only at new commits" "^mined 0 commits" clm mine -q
echo "x = 1" > extra.py && git add extra.py && git commit -qm extra
t_grep "a new commit is mined alone" "^mined 1 commits" clm mine -q
git reset -q --hard HEAD~1
sums() { cat $tasks/*/*.jsonl | cksum; }
before=$(sums)
t_grep "--rescan walks everything again" "^mined 6 commits: 4 events, 3 tasks, 14 examples" clm mine --rescan -q
t_ok "re-mining writes identical datasets" test "$before" = "$(sums)"
t_ok "--stdout prints every example" test "$(clm mine --stdout -q | grep -c '"kind"')" -eq 14
t_ok "--stdout writes no state" test "$(clm mine --stdout -q --rescan | wc -l)" -eq 14
t_grep "--window 0 keeps only the bump commit" "pypi/requests/2.31.0..3.0.0 .* 2 examples \(refine 1, summarize 1\)" clm mine --rescan --window 0 -q
t_grep "a range limits the walk" "^mined 2 commits: 1 events" clm mine --rescan -q "$c_mig~2..$c_mig"
t_exit 1 "a bad range fails" clm mine -q nosuchrev
t_exit 129 "bad --window is a usage error" clm mine --window -1
t_grep "tasks list counts kinds and languages" "pypi/requests/2.31.0..3.0.0 .* generate 1, refine 2, summarize 3  \[python 6\]" clm tasks
t_grep "tasks show" "bumped   pypi requests: ==2.31.0 -> ==3.0.0" clm tasks show pypi/requests/2.31.0..3.0.0
t_grep "tasks show --json" '"window"' clm tasks show --json pypi/requests/2.31.0..3.0.0
t_exit 1 "tasks show of an unknown task" clm tasks show nope
t_exit 129 "tasks with a bad subcommand" clm tasks frob
cd ..

clm -C repo mine -q --rescan >/dev/null
git clone -q repo inc
git -C inc reset -q --hard HEAD~3
t_grep "mining up to the bump commit" "^mined 3 commits: 3 events, 2 tasks" clm -C inc mine -q
t_ok "the bump's window stays open in the state" grep -q '"task": "pypi/requests/2.31.0..3.0.0"' inc/.git/clmodel/mine-state.json
git -C inc reset -q --hard origin/main
t_grep "the next run continues the open window" "pypi/requests/2.31.0..3.0.0 .* 6 examples" clm -C inc mine -q
t_ok "incremental mining equals mining at once" test "$(cat inc/.git/clmodel/tasks/*/*.jsonl | sort | cksum)" = "$(cat repo/.git/clmodel/tasks/*/*.jsonl | sort | cksum)"

git clone -q --bare repo bare.git
t_grep "mine in a bare repository" "^mined 6 commits: 4 events, 3 tasks, 14 examples" clm -C bare.git mine -q
t_ok "bare repository keeps tasks in its git dir" test -f bare.git/clmodel/tasks/pypi%2Frequests%2F2.31.0..3.0.0/task.json
git -C repo worktree add -q ../wt HEAD~2 2>/dev/null
t_grep "mine in a linked worktree walks its HEAD" "^mined 4 commits: 3 events, 2 tasks" clm -C wt mine -q --rescan
t_ok "a worktree writes to the common git dir" test -f repo/.git/clmodel/mine-state.json
t_exit 1 "outside a repository" clm -C / mine -q
mkdir empty && git -C empty init -q
t_grep "a repository without commits has nothing to mine" "^mined 0 commits" clm -C empty mine -q
t_done
