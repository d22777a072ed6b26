#!/bin/sh
# push/fetch between two clones through a bare remote: versions, pins, diverging notes merged by
# union, a diverged model refused, --share refspecs, bare repositories.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
git init -q --bare remote.git
make_code_repo a
git -C a remote add origin ../remote.git
git -C a push -q origin main
git clone -q remote.git b
git -C b config clmodel.lockWaitMs 0

cd a || exit 1
clm init -q --base ../base >/dev/null
v1=$(add_version "Learn task one" "ln_1ln_1ln_1ln_1" HEAD)
git tag v1 HEAD~2
git push -q origin v1
clm pin v1 >/dev/null
t_ok "push from a" clm push origin
t_grep "the remote has the model" "^$v1$" git -C ../remote.git rev-parse refs/clmodel/models/default
t_grep "the remote has the pin" "^$v1$" git -C ../remote.git rev-parse refs/clmodel/pins/v1
t_grep "the remote has the notes" "kind" git -C ../remote.git notes --ref=clmodel show HEAD
t_grep "log works in the bare remote" "Learn task one" clm -C ../remote.git log
t_grep "which works in the bare remote" "why:" clm -C ../remote.git which main
t_ok "push again is a no-op" clm push origin
t_grep "a remote that looks like an option is refused" "not a remote name" clm fetch -- --upload-pack=evil
t_exit 1 "fetch from a missing remote fails" clm fetch nowhere
t_grep "the failure quotes git" "git fetch failed" clm fetch nowhere

cd ../b || exit 1
git fetch -q --tags origin
t_ok "fetch into b" clm fetch origin
t_grep "b has the model" "^$v1$" git rev-parse refs/clmodel/models/default
t_grep "b resolves HEAD by the fetched note" "^$v1.*" clm which
t_grep "b sees the pin" "v1 " clm pins
t_ok "fetch again changes nothing" clm fetch origin
t_grep "a second fetch reports unchanged references" "0 new, 0 fast-forwarded" clm fetch origin

# Diverging notes on the same commit: each side adds its own line.
line_a='{"t":1700000100,"kind":"review","by":"a"}'
line_b='{"t":1700000200,"kind":"review","by":"b"}'
{ git notes --ref=clmodel show HEAD~1 2>/dev/null; echo "$line_b"; } | sort -u | git notes --ref=clmodel add -f -F - HEAD~1
(cd ../a && { git notes --ref=clmodel show HEAD~1 2>/dev/null; echo "$line_a"; } | sort -u |
	git notes --ref=clmodel add -f -F - HEAD~1)
t_ok "a pushes its note first" clm -C ../a push origin
t_ok "b pushes after merging a's note" clm push origin
t_grep "b's note has a's line" '"by":"a"' git notes --ref=clmodel show HEAD~1
t_grep "b's note kept its own line" '"by":"b"' git notes --ref=clmodel show HEAD~1
t_ok "b's note lines are sorted" sh -c 'git notes --ref=clmodel show HEAD~1 | sort -c'
t_ok "the notes merge has both histories as parents" test "$(git rev-list --parents -n 1 refs/notes/clmodel | wc -w)" -eq 3
t_ok "a fetches b's merged notes" clm -C ../a fetch origin
t_grep "a now has b's line" '"by":"b"' git -C ../a notes --ref=clmodel show HEAD~1
t_grep "a kept its own line" '"by":"a"' git -C ../a notes --ref=clmodel show HEAD~1
t_grep "a's model note on HEAD survived" '"kind":"model"' git -C ../a notes --ref=clmodel show HEAD

# A diverged model: both sides record a different version on the same head.
v2a=$(cd ../a && add_version "A learns two" "ln_Aln_Aln_Aln_A")
v2b=$(add_version "B learns two" "ln_Bln_Bln_Bln_B")
t_ok "a pushes its new version" clm -C ../a push origin
notes_before=$(git rev-parse refs/notes/clmodel)
t_exit 1 "b's fetch refuses the diverged model" clm fetch origin
t_grep "the refusal says why" "diverged.*lose the local version" clm fetch origin
t_grep "b's head is unchanged" "^$v2b$" git rev-parse refs/clmodel/models/default
t_ok "b's notes are unchanged by the refused fetch" test "$(git rev-parse refs/notes/clmodel)" = "$notes_before"
t_exit 1 "b's push refuses too" clm push origin
t_grep "the remote still has a's version" "^$v2a$" git -C ../remote.git rev-parse refs/clmodel/models/default
t_ok "no staging references are left" test -z "$(git for-each-ref refs/clmodel-incoming)"
t_ok "b rolls back its own version" clm rollback
t_ok "then b's fetch fast-forwards to a's version" clm fetch origin
t_grep "b's head is a's version" "^$v2a$" git rev-parse refs/clmodel/models/default
t_grep "b's version stays in the attic" "^$v2b$" git rev-parse "refs/clmodel/attic/default/$v2b"

# An unpin travels with push; fetch does not bring back a pin unpinned here.
t_ok "a unpins v1" clm -C ../a unpin v1
t_ok "a pushes the unpin" clm -C ../a push origin
t_exit 1 "the remote pin is deleted" git -C ../remote.git rev-parse -q --verify refs/clmodel/pins/v1

# --share: plain git fetch and push move the model and its notes.
cd .. || exit 1
git clone -q remote.git c
cd c || exit 1
t_ok "c fetches the model" clm fetch origin
t_ok "init --share origin in c" clm init --share origin
t_grep "fetch refspec for models" "^refs/clmodel/\\*:refs/clmodel/\\*$" git config --get-all remote.origin.fetch
t_grep "fetch refspec for notes" "^refs/notes/clmodel:refs/notes/clmodel$" git config --get-all remote.origin.fetch
t_grep "push keeps HEAD first" "^HEAD$" sh -c 'git config --get-all remote.origin.push | head -1'
t_ok "refspecs are not forced" sh -c '! git config --get-all remote.origin.fetch | grep -q "^+refs/clmodel"'
t_ok "init --share twice adds nothing" sh -c '"$CLM_BIN" init --share origin >/dev/null && test "$(git config --get-all remote.origin.fetch | wc -l)" -eq 3'
t_exit 1 "init --share with an unknown remote fails" clm init --share nowhere
(cd ../a && add_version "A learns three" "ln_3ln_3ln_3ln_3" >/dev/null && "$CLM_BIN" push -q origin)
t_ok "plain git fetch brings the new version" git fetch -q origin
t_grep "c has a's third version" "A learns three" clm log -n 1
t_ok "git fsck in every repository" sh -c 'git fsck --no-progress && git -C ../a fsck --no-progress && git -C ../b fsck --no-progress && git -C ../remote.git fsck --no-progress'
t_done
