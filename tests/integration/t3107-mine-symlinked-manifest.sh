#!/bin/sh
# A manifest that is a symbolic link is read through its target in the same tree; links that
# leave the tree, dangle or chain are read as empty, never as a manifest of their link text.
. "$CLM_TOP/tests/integration/lib.sh"

git init -q -b main repo
cd repo
mkdir reqs
printf 'requests==2.31.0\n' > reqs/base.txt
printf 'requests==3.0.0\nattrs==23.1.0\n' > reqs/next.txt
ln -s reqs/base.txt requirements.txt
git add -A && git commit -q -m base
ln -sf reqs/next.txt requirements.txt
git add -A && git commit -q -m "point at next"
c_next=$(git rev-parse HEAD)
ln -sf ../../../etc/passwd requirements.txt
git add -A && git commit -q -m "out of the tree"
ln -sf reqs/missing.txt requirements.txt
git add -A && git commit -q -m dangling

clm mine -q --json > ../events.json
t_ok "mine succeeds" test -s ../events.json
t_ok "the link's first target adds requests" grep -q '"kind":"added","level":null,"manifest":"requirements.txt","package":"requests","task":"pypi/requests/none..2.31.0"' ../events.json
t_ok "re-pointing the link bumps requests" grep -q "\"commit\":\"$c_next\",\"ecosystem\":\"pypi\",\"from\":\"2.31.0\",\"from_spec\":\"==2.31.0\",\"group\":\"runtime\",\"kind\":\"bumped\",\"level\":\"major\"" ../events.json
t_ok "and adds attrs" grep -q "\"commit\":\"$c_next\",.*\"package\":\"attrs\"" ../events.json
t_ok "a link out of the tree removes both, as an empty manifest" test "$(grep -o '"kind":"removed"' ../events.json | wc -l)" -eq 2
t_ok "five events in all" test "$(grep -o '"ecosystem"' ../events.json | wc -l)" -eq 5
t_exit 1 "no link text was read as a package" grep -q 'passwd\|reqs/' ../events.json
t_done
