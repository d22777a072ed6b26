#!/bin/sh
# Model notes follow commits through rebase and amend once init has set notes.rewriteRef.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
git checkout -q -b feature HEAD~1
echo feature > feature.txt
git add feature.txt
git commit -qm feature
v1=$(add_version "Learn on feature" "ln_Fln_Fln_Fln_F" HEAD)
old=$(git rev-parse HEAD)
t_grep "the feature commit has a model note" '"kind":"model"' git notes --ref=clmodel show HEAD
t_ok "rebase the feature branch onto main" git rebase -q main
t_ok "the commit was rewritten" test "$(git rev-parse HEAD)" != "$old"
t_grep "the note followed the rebase" "\"version\":\"$v1\"" git notes --ref=clmodel show HEAD
t_grep "which still finds the version by its note" "why: note: model note on this commit" clm which
t_ok "amend the commit" git commit -q --amend -m "feature (amended)"
t_grep "the note followed the amend" "\"version\":\"$v1\"" git notes --ref=clmodel show HEAD
t_ok "the note is still sorted JSON lines" sh -c 'git notes --ref=clmodel show HEAD | sort -c'
t_done
