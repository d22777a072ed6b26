#!/bin/sh
# hooks install/uninstall: existing hooks kept, still run and restored exactly; core.hooksPath
# honoured; a manifest change queues an update, other changes do not; git never fails.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z"
git init -q repo && cd repo
printf 'requests==2.31.0\n' > requirements.txt
printf 'import requests\n\ndef get(u):\n    return requests.get(u)\n' > app.py
git add . && git commit -qm base

# A hook the user already had: it must keep running, keep its exit status, and come back intact.
printf '#!/bin/sh\necho user-hook-ran >> "$(git rev-parse --git-dir)/user-hook.log"\nexit 3\n' > .git/hooks/post-merge
chmod 750 .git/hooks/post-merge
cp -p .git/hooks/post-merge ../user-post-merge

t_ok "hooks install" clm hooks install
t_ok "existing hook kept aside" cmp .git/hooks/post-merge.pre-clmodel ../user-post-merge
t_grep "post-merge is ours" "git clmodel hooks install" cat .git/hooks/post-merge
t_ok "install is idempotent" clm hooks install
t_ok "kept hook not overwritten by reinstall" cmp .git/hooks/post-merge.pre-clmodel ../user-post-merge

wait_for() { i=0; while [ $i -lt 50 ]; do [ -s "$1" ] && return 0; sleep 0.1; i=$((i + 1)); done; return 1; }

# A merge that changes no manifest: no job.
git checkout -q -b feature
printf '# docs\n' > README.md && git add README.md && git commit -qm docs
git checkout -q main
t_exit 0 "merge without manifest change succeeds" git merge -q --no-edit --no-ff feature
t_ok "the user's hook ran" grep -q user-hook-ran .git/user-hook.log
t_ok "no job queued without a manifest change" test ! -e .git/clmodel/queue -a ! -e .git/clmodel/log

# A merge that bumps a dependency: job queued, background update started, merge still succeeds
# even though the update fails in the background.
git checkout -q -b bump
printf 'requests==3.0.0\n' > requirements.txt && git commit -qam bump
git checkout -q main
merge_out=$(git merge --no-edit --no-ff bump 2>&1); merge_rc=$?
t_ok "merge with a manifest change succeeds" test $merge_rc -eq 0
t_grep "hook says one line about the queued update" "requirements.txt changed; model update queued" echo "$merge_out"
t_ok "background job wrote its log" wait_for .git/clmodel/log

# post-checkout: branch switches only.
rm -f .git/clmodel/log .git/clmodel/queue
git checkout -q -b old HEAD~1 2>/dev/null || git checkout -q -b old main~1
t_ok "switching to a branch with other manifests queues an update" wait_for .git/clmodel/log
rm -f .git/clmodel/log .git/clmodel/queue
git checkout -q main -- README.md
sleep 0.3
t_ok "file checkout does not queue" test ! -e .git/clmodel/log
git checkout -q main

t_ok "hooks uninstall" clm hooks uninstall
t_ok "user hook restored byte for byte" cmp .git/hooks/post-merge ../user-post-merge
t_ok "user hook mode restored" test "$(stat -c %a .git/hooks/post-merge)" = 750
t_ok "our other hooks removed" test ! -e .git/hooks/post-checkout -a ! -e .git/hooks/post-rewrite -a ! -e .git/hooks/post-commit
t_ok "nothing kept aside any more" test ! -e .git/hooks/post-merge.pre-clmodel

# core.hooksPath
git config core.hooksPath myhooks
t_ok "install honours core.hooksPath" clm hooks install
t_ok "hook written to core.hooksPath" test -x myhooks/post-merge
t_ok "default hooks folder untouched" cmp .git/hooks/post-merge ../user-post-merge
t_exit 129 "bad subcommand" clm hooks frobnicate
t_ok "hooks run with a bad hook name never fails" clm hooks run no-such-hook
t_done
