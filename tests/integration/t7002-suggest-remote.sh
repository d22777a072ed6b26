#!/bin/sh
# suggest --remote: the prompt format our models use, streamed text, diffs, and git config.
. "$CLM_TOP/tests/integration/lib.sh"

git init -q repo && cd repo
printf 'def add(x):\n    return x\n' > calc.py
git add . && git commit -qm calc
python3 "$CLM_TOP/tests/integration/data/fake-completions.py" > port &
server=$!
i=0; while [ ! -s port ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
url="http://127.0.0.1:$(cat port)"

t_grep "snippet answer streams the server's text" "^return x \+ 1$" sh -c "echo 'def f(x):' | '$CLM_BIN' suggest -q --remote $url --task complete"
t_grep "prompt ends with the separator, stops at end of text" '"prompt": *"def f\(x\):\\n<\|sep\|>".*"stop": *\["<\|endoftext\|>"\]|"stop": *\["<\|endoftext\|>"\].*"prompt": *"def f\(x\):\\n<\|sep\|>"' cat requests.jsonl
git config clmodel.remote.url "$url"
git config clmodel.remote.model served-name
"$CLM_BIN" suggest -q --file calc.py --line 2 > ../remote.diff
t_ok "a function rewrite from the server is a diff git apply accepts" git apply --check ../remote.diff
t_grep "configured model name is sent" '"model": *"served-name"' tail -n 1 requests.jsonl
t_exit 1 "an unreachable server is an error" sh -c "echo x | '$CLM_BIN' suggest -q --remote http://127.0.0.1:9/"
t_grep "the error names the URL" "127.0.0.1:9" sh -c "echo x | '$CLM_BIN' suggest -q --remote http://127.0.0.1:9/"
# What the server says is checked before it is shown (suggest/check.h).
printf 'def add(x):\n    return (x +\n' > answer.txt
t_grep "a rewrite that does not parse is refused" "does not parse as python.*--force" clm suggest -q --file calc.py --line 2
t_exit 1 "and exits 1" clm suggest -q --file calc.py --line 2
t_grep "--force prints it anyway" "^\+    return \(x \+" clm suggest -q --force --file calc.py --line 2
printf 'def add(x):\n' > answer.txt
for i in 1 2 3 4 5 6 7 8 9 10; do printf '    # pragma: no cover\n' >> answer.txt; done
printf '    return x\n' >> answer.txt
t_grep "a degenerate rewrite is refused" "degenerate: the same text 10 times" clm suggest -q --file calc.py --line 2
printf 'def add(x):\n    return x\n' > answer.txt
t_grep "a rewrite that changes nothing is refused" "suggests no change" clm suggest -q --file calc.py --line 2
t_grep "--json gives every alternative its verdict" '"reason": "the model suggests no change"' \
	clm suggest -q --force --json --file calc.py --line 2
rm answer.txt
kill $server 2>/dev/null
t_done
