#!/bin/sh
# Mining awkward histories: merges (first parent and --all-parents), renames, binary, CRLF,
# invalid UTF-8, over-1-MB and deeply nested files, submodule entries, a blob missing from the
# object store, and a shallow clone.
. "$CLM_TOP/tests/integration/lib.sh"
has() { grep -qF -- "$1" "$2"; }

sh "$CLM_TOP/fixtures/robust-repo.sh" repo >/dev/null
cd repo
c_side=$(git rev-parse HEAD~4^2) c_merge=$(git rev-parse HEAD~4) c_ren=$(git rev-parse HEAD~3)
c_lost=$(git rev-parse HEAD~1)
short_lost=$(echo "$c_lost" | cut -c1-12)

clm mine --json > ../out.json 2> ../err.txt
t_ok "a missing blob does not stop the walk" test -s ../out.json
t_ok "the warning names the path and the commit" has "warning: lost.py at $short_lost: object" ../err.txt
t_ok "one missing object counted" has '"missing_objects":1' ../out.json
t_ok "three events" test "$(grep -o '"ecosystem"' ../out.json | wc -l)" -eq 3
t_ok "first-parent: the bump belongs to the merge commit" has "{\"commit\":\"$c_merge\",\"ecosystem\":\"pypi\",\"from\":\"1.0.0\",\"from_spec\":\"==1.0.0\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"requirements.txt\",\"package\":\"requests\",\"task\":\"pypi/requests/1.0.0..2.0.0\"" ../out.json
t_ok "the task after the missing blob is still mined" has '"id":"pypi/requests/2.0.0..3.0.0"' ../out.json

tasks=.git/clmodel/tasks
cat "$tasks"/pypi%2Frequests%2F1.0.0..2.0.0/*.jsonl > ../merge.jsonl
t_ok "a renamed file with a change gives refine, not generate" has "\"kind\":\"refine\",\"lang\":\"python\",\"name\":\"get\",\"prov\":{\"commit\":\"$c_ren\",\"grammar\":\"python@0.23.6\",\"lines\":[4,6],\"path\":\"core.py\"}" ../merge.jsonl
t_ok "CRLF line ends become LF" has '"target":"\n    return requests.head(x)"' ../merge.jsonl
t_exit 1 "no carriage returns in examples" grep -q '\\r' ../merge.jsonl
t_exit 1 "binary, huge and invalid UTF-8 files give no examples" grep -qE '"name":"(binary|huge|latin)"' ../merge.jsonl
t_exit 1 "the deeply nested function is over the token cap" grep -q '"name":"deep"' ../merge.jsonl
t_ok "deep nesting parses without trouble when allowed" test "$(clm mine --rescan --stdout -q --max-tokens 100000 | grep -c '"name":"deep"')" -eq 1
t_exit 1 "submodule entries are ignored" grep -q "vendored-sub" ../merge.jsonl

clm mine --rescan --all-parents --json -q > ../all.json
t_ok "--all-parents: the bump belongs to the side-branch commit" has "{\"commit\":\"$c_side\",\"ecosystem\":\"pypi\",\"from\":\"1.0.0\"" ../all.json
t_ok "--all-parents walks the side commit too" has '"commits":7' ../all.json
t_exit 1 "--all-parents skips the merge commit itself" grep -q "\"commit\":\"$c_merge\"" ../all.json
cd ..

sh "$CLM_TOP/fixtures/python-repo.sh" py >/dev/null
git clone -q --depth 3 "file://$PWD/py" shallow
clm -C shallow mine > shallow.out 2> shallow.err
t_ok "shallow clone: mining succeeds" test $? -eq 0
t_ok "shallow clone: the walk stops at the boundary with a note" grep -q "note: history ends at" shallow.err
t_ok "shallow clone: commits up to the boundary are mined" grep -q "^mined 3 commits: 1 events, 1 tasks" shallow.out
t_done
