#!/bin/sh
# Mining a hostile repository (fixtures/hostile-repo.sh): a blob whose header claims 8 GiB,
# ".." and ".git" tree entries, a newline in a path, a symlink out of the tree, a million-line
# file, code nested 50000 deep, manifests with 3000 dependencies. Mining finishes in bounded
# time and memory, skips what it must with a message, and mines the rest. With
# CLM_FAULTS_FULL=1 (make check-faults) the repository also holds a real 2 GiB zero blob.
. "$CLM_TOP/tests/integration/lib.sh"
has() { grep -qF -- "$1" "$2"; }

if [ -n "${CLM_FAULTS_FULL:-}" ]; then
	sh "$CLM_TOP/fixtures/hostile-repo.sh" repo 2147483648 >/dev/null
else
	sh "$CLM_TOP/fixtures/hostile-repo.sh" repo >/dev/null
fi
cd repo || exit 1

# Address space is capped below the bomb's claimed size, except for sanitizer builds, which
# reserve terabytes of shadow memory up front.
limit=unlimited
case "$CLM_BUILD" in */asan | */fuzz) ;; *) limit=1500000 ;; esac # KiB
start=$(date +%s)
(ulimit -v "$limit" && exec timeout 300 "$CLM_BIN" mine --json) > ../out.json 2> ../err.txt
rc=$?
took=$(($(date +%s) - start))
echo "# mine took ${took}s (rc $rc)"
t_ok "mine succeeds on the hostile repository" test "$rc" -eq 0
t_ok "all 9002 dependency events are found" test "$(grep -o '"ecosystem"' ../out.json | wc -l)" -eq 9002
t_ok "the bump of requests became a task" has '"id":"pypi/requests/1.0.0..2.0.0+3000"' ../out.json
t_ok "the '..' entry is skipped with a message" has "skipping ../evil.py at" ../err.txt
t_ok "the '.git' entry is skipped with a message" has "skipping .git/evil.py at" ../err.txt
cat .git/clmodel/tasks/*/*.jsonl > ../all.jsonl
t_ok "ordinary code next to the hostile files is mined" has '"path":"app.py"' ../all.jsonl
t_exit 1 "nothing from a path that escapes the tree" grep -q '"path":"\(\.\./\|\.git/\)' ../all.jsonl
t_exit 1 "the bomb is never mined" grep -q '"path":"bomb.py"' ../all.jsonl
t_exit 1 "the symlink is not read as code" grep -q '"path":"link.py"' ../all.jsonl
t_ok "a newline in a path stays escaped in the dataset" has '"path":"new\nline.py"' ../all.jsonl
t_ok "the huge files were counted as skipped" grep -q '"skipped_files":[1-9]' ../out.json

# Deep nesting, parsed and walked for real: a token cap high enough to extract the functions.
(ulimit -v "$limit" && exec timeout 300 "$CLM_BIN" mine --rescan --stdout -q --max-tokens 10000000) > ../deep.jsonl 2> ../deep.err
rc=$?
t_ok "mining 50000-deep code does not blow the stack" test "$rc" -eq 0
t_ok "the deep Python function is extracted" has '"name":"deep"' ../deep.jsonl
t_ok "the deep JavaScript function is extracted" has '"name":"deepJs"' ../deep.jsonl
t_done
