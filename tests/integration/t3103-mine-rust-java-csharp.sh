#!/bin/sh
# Mining Rust (Cargo), Java (Maven with ${property} versions) and C# (.csproj) fixtures: exact
# events, project-version-only commits ignored, methods qualified by impl/class/namespace.
. "$CLM_TOP/tests/integration/lib.sh"
has() { grep -qF -- "$1" "$2"; }
all() { cat "$1"/*.jsonl; }

sh "$CLM_TOP/fixtures/rust-repo.sh" rust >/dev/null
c_bump=$(git -C rust rev-parse HEAD~2) c_mig=$(git -C rust rev-parse HEAD~1) c_rel=$(git -C rust rev-parse HEAD)
clm -C rust mine --json -q > rust.json
t_ok "rust: three events" test "$(grep -o '"ecosystem"' rust.json | wc -l)" -eq 3
t_ok "rust: inline-table bump" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"cargo\",\"from\":\"0.9.0\",\"from_spec\":\"0.9\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"Cargo.toml\",\"package\":\"serde_json\",\"task\":\"cargo/serde_json/0.9.0..1.0.100+1\",\"to\":\"1.0.100\",\"to_spec\":\"1.0.100\"}" rust.json
t_ok "rust: dev dependency in the same commit" has "\"group\":\"dev\",\"kind\":\"added\",\"level\":null,\"manifest\":\"Cargo.toml\",\"package\":\"pretty_assertions\"" rust.json
t_exit 1 "rust: crate version bump is not an event" grep -q "$c_rel" rust.json
all "rust/.git/clmodel/tasks/cargo%2Fserde_json%2F0.9.0..1.0.100+1" > rust.jsonl
t_ok "rust: impl method refined a commit later" has "\"kind\":\"refine\",\"lang\":\"rust\",\"name\":\"Conf.get\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"rust@0.23.3\",\"lines\":[14,16],\"path\":\"src/lib.rs\"}" rust.jsonl
t_ok "rust: doc comment summary" has "\"target\":\"Read one key as a string.\"" rust.jsonl
all "rust/.git/clmodel/tasks/cargo%2Fserde_json%2Fnone..0.9.0" > rust-root.jsonl
t_ok "rust: generate keeps the doc comment in the source" has "\"source\":\"/// Parse a config document. Panics on bad input.\\npub fn parse(s: &str) -> Value \",\"target\":\"{\\n    serde_json::from_str(s).unwrap()\\n}\",\"task\":\"cargo/serde_json/none..0.9.0\",\"uses_dep\":true}" rust-root.jsonl

sh "$CLM_TOP/fixtures/java-repo.sh" java >/dev/null
c_bump=$(git -C java rev-parse HEAD~2) c_rel=$(git -C java rev-parse HEAD~1) c_drop=$(git -C java rev-parse HEAD)
clm -C java mine --json -q > java.json
t_ok "java: four events" test "$(grep -o '"ecosystem"' java.json | wc -l)" -eq 4
t_ok "java: property-resolved bump" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"maven\",\"from\":\"2.8.9\",\"from_spec\":\"2.8.9\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"minor\",\"manifest\":\"pom.xml\",\"package\":\"com.google.code.gson:gson\",\"task\":\"maven/com.google.code.gson:gson/2.8.9..2.10.1\"" java.json
t_ok "java: test dependency removed" has "{\"commit\":\"$c_drop\",\"ecosystem\":\"maven\",\"from\":\"4.13.2\",\"from_spec\":\"4.13.2\",\"group\":\"test\",\"kind\":\"removed\"" java.json
t_exit 1 "java: project <version> is not an event" grep -q "$c_rel" java.json
all "java/.git/clmodel/tasks/maven%2Fcom.google.code.gson%3Agson%2F2.8.9..2.10.1" > java.jsonl
t_ok "java: same-commit migration" has "\"kind\":\"refine\",\"lang\":\"java\",\"name\":\"Users.tree\",\"prov\":{\"commit\":\"$c_bump\",\"grammar\":\"java@0.23.5\",\"lines\":[13,15],\"path\":\"src/main/java/com/example/Users.java\"}" java.jsonl
t_ok "java: gson imports count as using com.google.code.gson:gson" has '"uses_dep":true' java.jsonl
t_ok "java: Javadoc summary" has '"target":"Parse a JSON document into a tree."' java.jsonl

sh "$CLM_TOP/fixtures/csharp-repo.sh" cs >/dev/null
c_bump=$(git -C cs rev-parse HEAD~2) c_mig=$(git -C cs rev-parse HEAD~1) c_rel=$(git -C cs rev-parse HEAD)
clm -C cs mine --json -q > cs.json
t_ok "c#: two events" test "$(grep -o '"ecosystem"' cs.json | wc -l)" -eq 2
t_ok "c#: PackageReference bump" has "{\"commit\":\"$c_bump\",\"ecosystem\":\"nuget\",\"from\":\"12.0.3\",\"from_spec\":\"12.0.3\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\",\"manifest\":\"App/App.csproj\",\"package\":\"Newtonsoft.Json\",\"task\":\"nuget/Newtonsoft.Json/12.0.3..13.0.3\",\"to\":\"13.0.3\",\"to_spec\":\"13.0.3\"}" cs.json
t_exit 1 "c#: project <Version> is not an event" grep -q "$c_rel" cs.json
all "cs/.git/clmodel/tasks/nuget%2FNewtonsoft.Json%2F12.0.3..13.0.3" > cs.jsonl
t_ok "c#: four examples in the bump task" test "$(wc -l < cs.jsonl)" -eq 4
t_ok "c#: method qualified by namespace and class" has "\"kind\":\"refine\",\"lang\":\"c_sharp\",\"name\":\"App.Codec.Encode\",\"prov\":{\"commit\":\"$c_mig\",\"grammar\":\"c_sharp@0.23.1\",\"lines\":[9,12],\"path\":\"App/Codec.cs\"}" cs.jsonl
t_ok "c#: expression-bodied method generated" has "\"target\":\"=> JsonConvert.DeserializeObject<T>(s);\",\"task\":\"nuget/Newtonsoft.Json/12.0.3..13.0.3\",\"uses_dep\":true}" cs.jsonl
t_ok "c#: XML doc tags stripped from the summary" has '"target":"Deserialize a document."' cs.jsonl
t_done
