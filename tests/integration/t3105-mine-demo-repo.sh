#!/bin/sh
# The demo fixture stays what the demo expects: a pydantic 1 -> 2 bump migrated over later
# commits, and one pydantic-1 call left at HEAD.
. "$CLM_TOP/tests/integration/lib.sh"
has() { grep -qF -- "$1" "$2"; }

sh "$CLM_TOP/fixtures/demo-repo.sh" demo >/dev/null
cd demo
t_ok "nine commits at fixed dates" test "$(git rev-list --count HEAD)" -eq 9
t_ok "stable object ids" test "$(git log -1 --format=%ad --date=unix)" -eq 1704099600
clm mine --json -q > ../demo.json
t_ok "four events" test "$(grep -o '"ecosystem"' ../demo.json | wc -l)" -eq 4
t_ok "pydantic major bump" has '"from":"1.10.13","from_spec":"==1.10.13","group":"runtime","kind":"bumped","level":"major","manifest":"requirements.txt","package":"pydantic","task":"pypi/pydantic/1.10.13..2.5.0"' ../demo.json
t_ok "requests minor bump" has '"kind":"bumped","level":"minor","manifest":"requirements.txt","package":"requests","task":"pypi/requests/2.28.2..2.31.0"' ../demo.json
cat .git/clmodel/tasks/pypi%2Fpydantic%2F1.10.13..2.5.0/*.jsonl > ../bump.jsonl
t_ok "seven refine examples in the pydantic task" test "$(grep -c '"kind":"refine"' ../bump.jsonl)" -eq 7
t_ok "a later migration: .dict() -> .model_dump()" has 'json.dump([i.model_dump() for i in items], f)' ../bump.jsonl
t_ok "summary_payload is left for suggest" grep -q 'i.dict(exclude={"price"})' app/reports.py
t_exit 1 "summary_payload is not refined in the task" grep -q '"kind":"refine","lang":"python","name":"summary_payload"' ../bump.jsonl
t_done
