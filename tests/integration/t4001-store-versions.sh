#!/bin/sh
# Versions, notes, which, pins, rollback, gc and corruption on a fixture repository.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
v0=$(git rev-parse refs/clmodel/models/default)
v1=$(add_version "Learn task one" "ln_1ln_1ln_1ln_1" HEAD~1)
v2=$(add_version "Learn task two" "ln_2ln_2ln_2ln_2" HEAD)
git tag v1.0 HEAD~1
git tag -a v2.0 -m "release two" HEAD

t_grep "log lists three versions" "^3$" sh -c '"$CLM_BIN" log | wc -l | tr -d " "'
t_grep "log shows the newest first with head" "^${v2%"${v2#????????????}"} \\(head\\) Learn task two" clm log
t_grep "log -n 1" "^1$" sh -c '"$CLM_BIN" log -n 1 | wc -l | tr -d " "'
t_grep "show reports only the changed tensor as new" "new in this version: 16 bytes in 1 tensors" clm show
t_grep "show of default~2 is the base" "Base model" clm show default~2
t_grep "which HEAD uses the note on HEAD" "why: note: model note on this commit" clm which
t_grep "which HEAD names v2" "^$v2" clm which
t_grep "which of c2 uses its note" "^$v1" clm which HEAD~1
t_grep "which of c1 falls back to the head" "why: head" clm which HEAD~2
git commit -q --allow-empty -m c4
git commit -q --allow-empty -m c5
t_grep "which of a later commit uses the nearest noted ancestor" "2 commits back" clm which
t_grep "which --model overrides" "^$v0.*" clm which --model default~2
t_grep "which --model says explicit" "why: explicit" clm which --model "$v1"
t_exit 1 "which --model of a non-version fails" clm which --model HEAD

t_exit 1 "pin to a missing tag fails" clm pin nope "$v0"
t_grep "pin to a missing tag says so" "no tag 'nope'" clm pin nope "$v0"
t_exit 1 "pin a non-version fails" clm pin v1.0 HEAD
t_ok "pin v0 to v1.0" clm pin v1.0 "$v0"
t_grep "which of the tagged commit uses the pin" "why: pin: pinned to tag 'v1.0'" clm which v1.0
t_grep "which of the tagged commit gives the pinned version" "^$v0" clm which v1.0
t_ok "pin annotated tag v2.0 to the head" clm pin v2.0
t_grep "pins lists both" "v2.0 +${v2%"${v2#????????????}"}" clm pins
t_grep "pins --json" '"tag": "v1.0"' clm pins --json
t_grep "the pin note is on the tag's commit" '"kind":"pin","tag":"v1.0"' git notes --ref=clmodel show v1.0
t_grep "the pin note keeps the model note" '"kind":"model"' git notes --ref=clmodel show v1.0
t_grep "re-pinning needs --force" "already pinned" clm pin v1.0 "$v1"
t_ok "re-pin with --force" clm pin --force v1.0 "$v1"
t_ok "note lines stay sorted" sh -c 'git notes --ref=clmodel show v1.0 | sort -c'
t_grep "log decorates pins" "pin: v1.0" clm log
t_ok "unpin v1.0" clm unpin v1.0
t_exit 1 "unpin again fails" clm unpin v1.0
t_grep "unpin leaves an unpin line" '"kind":"unpin","tag":"v1.0"' git notes --ref=clmodel show v1.0

t_ok "rollback one version" clm rollback
t_grep "head moved to v1" "^$v1$" git rev-parse refs/clmodel/models/default
t_grep "the old head is in the attic" "^$v2$" git rev-parse "refs/clmodel/attic/default/$v2"
t_exit 1 "rollback to a non-ancestor fails" clm rollback "$v2"
t_grep "gc never lists a pinned version (v2 is pinned to v2.0)" "redundant" clm gc
clm unpin v2.0 >/dev/null
t_grep "gc lists the attic version once unpinned" "can prune refs/clmodel/attic/default/$v2 \\(1 version" clm gc
t_grep "gc --json" "\"$v2\"" clm gc --json
t_ok "gc --prune drops the attic reference" clm gc --prune
t_exit 1 "the attic reference is gone" git rev-parse -q --verify "refs/clmodel/attic/default/$v2"
t_grep "gc then has nothing to prune" "Nothing to prune" clm gc
t_ok "git fsck is clean" git fsck --strict --no-progress

# A blob that exists but is shorter than the index says: truncated.
short=$(printf 'wpe+' | git hash-object -w --stdin)
idx=$(mktemp)
GIT_INDEX_FILE=$idx git read-tree "$v0"
GIT_INDEX_FILE=$idx git update-index --cacheinfo "100644,$short,weights/wpe.weight"
tree=$(GIT_INDEX_FILE=$idx git write-tree)
trunc=$(git commit-tree "$tree" -m truncated)
t_grep "a truncated tensor is named" "tensor 'wpe.weight'.*truncated" clm export --out ../bad "$trunc"
# Same size, different bytes: the checksum catches it.
same=$(printf 'wpe-%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 | git hash-object -w --stdin)
GIT_INDEX_FILE=$idx git update-index --cacheinfo "100644,$same,weights/wpe.weight"
tree=$(GIT_INDEX_FILE=$idx git write-tree)
rm -f "$idx"
swapped=$(git commit-tree "$tree" -m swapped)
t_grep "a tensor failing its checksum is named" "tensor 'wpe.weight'.*sha256" clm export --out ../bad "$swapped"
# Corruption is reported with the tensor's name.
blob=$(git rev-parse refs/clmodel/models/default:weights/wte.weight)
obj=.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
chmod u+w "$obj"
printf 'garbage' > "$obj"
t_exit 1 "export of a corrupted version fails" clm export --out ../bad
t_grep "the message names the corrupted tensor" "tensor 'wte.weight'" clm export --out ../bad
t_done
