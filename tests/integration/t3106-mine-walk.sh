#!/bin/sh
# The first-parent walk: chains longer than one segment come out oldest first and complete;
# earlier runs' tips limit the walk whether or not they lie on the chain being walked; ranges.
. "$CLM_TOP/tests/integration/lib.sh"

mined() { sed -n 's/^{"commits":\([0-9]*\).*/\1/p'; }
event_commits() { grep -o '"commit":"[0-9a-f]*"' | cut -d'"' -f4 | uniq; }

sh "$CLM_TOP/fixtures/history-repo.sh" repo 2600 >/dev/null
cd repo
clm mine -q --json > ../all.json
t_ok "every commit of a chain of three segments is walked" \
	test "$(mined < ../all.json)" -eq "$(git rev-list --first-parent --count HEAD)"
git rev-list --first-parent --reverse HEAD -- requirements.txt > ../git-order
event_commits < ../all.json > ../our-order
t_ok "events come oldest first, in git's order" cmp ../git-order ../our-order
t_ok "the root and ten bumps touch the manifest" test "$(wc -l < ../our-order)" -eq 11
clm mine -q --rescan --stdout --threads 1 > ../one.jsonl
clm mine -q --rescan --stdout --threads 3 > ../three.jsonl
t_ok "examples come out the same with one thread or three" cmp ../one.jsonl ../three.jsonl
t_ok "and there are examples to compare" test "$(wc -l < ../one.jsonl)" -gt 100
t_exit 129 "--threads 0 is a usage error" clm mine --threads 0

t_grep "a range whose start is on the chain" '^{"commits":1300,' clm mine -q --json --rescan HEAD~1300..HEAD
t_grep "a range across segment borders" '^{"commits":1025,' clm mine -q --json --rescan HEAD~2049..HEAD~1024
rm -r .git/clmodel
git branch side HEAD~1500
git checkout -q side
for i in 1 2 3; do git commit -q --allow-empty -m "side $i"; done
clm mine -q --rescan >/dev/null
git checkout -q main
for i in 1 2; do git commit -q --allow-empty -m "main $i"; done
t_grep "an earlier tip off the chain stops the walk where the chains meet" '^{"commits":1502,' \
	clm mine -q --json
git merge -q --no-ff --no-edit side
t_grep "after a merge only the merge commit is new on the first-parent chain" '^{"commits":1,' \
	clm mine -q --json
t_grep "nothing new" '^{"commits":0,' clm mine -q --json
t_ok "the state records each tip's first-parent depth" \
	grep -q "^    $(( $(git rev-list --first-parent --count HEAD) - 1 ))\$" .git/clmodel/mine-state.json
cp .git/clmodel/mine-state.json ../state.json
sed 's/^    [0-9][0-9]*/    "deep"/' ../state.json > .git/clmodel/mine-state.json
t_grep "a malformed depth is refused with the file's name" "mine-state.json: depth 0 is not a count" clm mine -q
cp ../state.json .git/clmodel/mine-state.json
t_done
