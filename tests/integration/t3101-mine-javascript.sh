#!/bin/sh
# Mining a JavaScript/TypeScript fixture: npm events (dev group, removal, version-only release
# ignored), arrow functions, class methods, TypeScript, and files that must be skipped.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/js-repo.sh" repo >/dev/null
cd repo
c_root=$(git rev-parse HEAD~4) c_bump=$(git rev-parse HEAD~3) c_mig=$(git rev-parse HEAD~2)
c_rel=$(git rev-parse HEAD~1) c_drop=$(git rev-parse HEAD)
has() { grep -qF -- "$1" "$2"; }
has_text() { printf "%s" "$2" | grep -qF -- "$1"; }

clm mine --json -q > ../events.json
t_ok "exactly five events" test "$(grep -o '"ecosystem"' ../events.json | wc -l)" -eq 5
t_ok "major bump of axios" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"npm\",\"from\":\"0.27.2\",\"from_spec\":\"^0.27.2\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"package.json\",\"package\":\"axios\",\"task\":\"npm/axios/0.27.2..1.6.0\",\"to\":\"1.6.0\",\"to_spec\":\"^1.6.0\"}" ../events.json
t_ok "dev dependency added at the root" has "\"group\":\"dev\",\"kind\":\"added\",\"level\":null,\"manifest\":\"package.json\",\"package\":\"jest\",\"task\":\"npm/axios/none..0.27.2+2\"" ../events.json
t_ok "lodash removed" has "{\"commit\":\"$c_drop\",\"ecosystem\":\"npm\",\"from\":\"4.17.21\",\"from_spec\":\"^4.17.21\",\"group\":\"runtime\",\"kind\":\"removed\",\"level\":null,\"manifest\":\"package.json\",\"package\":\"lodash\",\"task\":\"npm/lodash/4.17.21..none\",\"to\":\"\",\"to_spec\":\"\"}" ../events.json
t_exit 1 "the package's own version is not an event" grep -q "$c_rel" ../events.json
t_ok "four skipped files (dist, node_modules, .min.js, generated)" has '"skipped_files":4' ../events.json

tasks=.git/clmodel/tasks
cat $tasks/npm%2Faxios%2F0.27.2..1.6.0/*.jsonl > ../bump.jsonl
t_ok "bump task: refine and summarize of the migrated function" test "$(wc -l < ../bump.jsonl)" -eq 2
t_ok "refine of an exported function in a later commit" has "\"kind\":\"refine\",\"lang\":\"javascript\",\"name\":\"loadProducts\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"javascript@0.23.1\",\"lines\":[7,10],\"path\":\"src/api.js\"},\"source\":\"export function loadProducts() {\\n  return axios.get('/products').then((r) => r.data);\\n}\"" ../bump.jsonl
t_ok "JSDoc first sentence" has "\"target\":\"Load the product list.\",\"task\":\"npm/axios/0.27.2..1.6.0\",\"uses_dep\":true}" ../bump.jsonl
cat $tasks/npm%2Faxios%2Fnone..0.27.2+2/*.jsonl > ../root.jsonl
t_ok "generate for an arrow function keeps its comment" has "\"kind\":\"generate\",\"lang\":\"javascript\",\"name\":\"sortByPrice\",\"prov\":{\"commit\":\"$c_root\",\"grammar\":\"javascript@0.23.1\",\"lines\":[12,12],\"path\":\"src/api.js\"},\"source\":\"// Sort products by price.\\nconst sortByPrice = (items) => \",\"target\":\"_.sortBy(items, 'price');\",\"task\":\"npm/axios/none..0.27.2+2\",\"uses_dep\":true}" ../root.jsonl
t_ok "class methods are qualified" has '"name":"Cart.total"' ../root.jsonl
t_ok "a method that uses no dependency" has '"name":"Cart.total","prov"' ../root.jsonl
t_exit 1 "Cart.total does not use a dependency" grep -q '"name":"Cart.total".*"uses_dep":true' ../root.jsonl
t_ok "TypeScript functions are mined" has "\"kind\":\"generate\",\"lang\":\"typescript\",\"name\":\"unwrap\"" ../root.jsonl
t_ok "a type-only import counts as using the dependency" has "\"path\":\"src/types.ts\"},\"source\":\"// Unwrap a response.\\nexport function unwrap<T>(r: AxiosResponse<T>): T \"" ../root.jsonl
t_exit 1 "nothing from node_modules, dist, .min.js or generated files" grep -rqE "node_modules|dist/|min\.js|gen\.js" $tasks
t_ok "removal task: lodash call replaced" has_text "\"kind\":\"refine\",\"lang\":\"javascript\",\"name\":\"sortByPrice\"" "$(cat $tasks/npm%2Flodash%2F4.17.21..none/*.jsonl)"
t_done
