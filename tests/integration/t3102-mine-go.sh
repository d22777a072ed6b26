#!/bin/sh
# Mining a Go fixture: a module path change /v8 -> /v9 is one major bump, migrations in the same
# and the next commit, methods named by receiver type, and a bump with no code changes.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/go-repo.sh" repo >/dev/null
cd repo
c_bump=$(git rev-parse HEAD~2) c_mig=$(git rev-parse HEAD~1) c_uuid=$(git rev-parse HEAD)
has() { grep -qF -- "$1" "$2"; }

clm mine --json -q > ../events.json
t_ok "exactly four events" test "$(grep -o '"ecosystem"' ../events.json | wc -l)" -eq 4
t_ok "v8 -> v9 path change is one major bump" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"go\",\"from\":\"8.11.5\",\"from_spec\":\"v8.11.5\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"go.mod\",\"package\":\"github.com/go-redis/redis\",\"task\":\"go/github.com/go-redis/redis/8.11.5..9.0.5\",\"to\":\"9.0.5\",\"to_spec\":\"v9.0.5\"}" ../events.json
t_ok "minor bump of uuid" has "{\"commit\":\"$c_uuid\",\"ecosystem\":\"go\",\"from\":\"1.3.0\",\"from_spec\":\"v1.3.0\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"minor\",\"manifest\":\"go.mod\",\"package\":\"github.com/google/uuid\",\"task\":\"go/github.com/google/uuid/1.3.0..1.4.0\"" ../events.json
t_exit 1 "no removal or addition for the path change" grep -q "\"commit\":\"$c_bump\"[^}]*\"kind\":\"removed\"" ../events.json

tasks=.git/clmodel/tasks
cat "$tasks/go%2Fgithub.com%2Fgo-redis%2Fredis%2F8.11.5..9.0.5"/*.jsonl > ../bump.jsonl
t_ok "bump task has four examples" test "$(wc -l < ../bump.jsonl)" -eq 4
t_ok "same-commit migration (distance 0)" has "\"kind\":\"refine\",\"lang\":\"go\",\"name\":\"New\",\"prov\":{\"commit\":\"$c_bump\",\"grammar\":\"go@0.23.4\",\"lines\":[16,18],\"path\":\"cache.go\"}" ../bump.jsonl
t_ok "method named by receiver, later commit" has "\"kind\":\"refine\",\"lang\":\"go\",\"name\":\"Store.Get\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"go@0.23.4\",\"lines\":[28,34],\"path\":\"cache.go\"}" ../bump.jsonl
t_ok "Go doc comment summary" has "\"target\":\"Get reads a value, or \\\"\\\" when the key is missing.\",\"task\":\"go/github.com/go-redis/redis/8.11.5..9.0.5\",\"uses_dep\":true}" ../bump.jsonl
t_ok "v9 import path matches the package for uses_dep" has "\"name\":\"New\",\"prov\":{\"commit\":\"$c_bump\"" ../bump.jsonl
t_grep "a bump without code changes is a task with no examples" "go/github.com/google/uuid/1.3.0..1.4.0 .* 0 " clm tasks
t_done
