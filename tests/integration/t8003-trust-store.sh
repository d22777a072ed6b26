#!/bin/sh
# Trust boundaries of the store (THREAT-MODEL.md): what a fetched note, a teammate's remote or a
# hostile model tree can make which, suggest, show, fetch and gc do.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
v0=$(git rev-parse refs/clmodel/models/default)
v1=$(add_version "Learn task one" "ln_1ln_1ln_1ln_1" HEAD~1)

# 1. A note chooses only among the model's own versions.
other=$(git commit-tree "$v1^{tree}" -p "$v1" -m "Pushed beside ours")
git update-ref refs/clmodel/models/other "$other"
add_note HEAD "{\"t\":1700002000,\"kind\":\"model\",\"model\":\"default\",\"version\":\"$other\"}"
t_grep "a note naming another model's commit does not serve" "^$v1 " clm which
t_grep "which says the note was ignored" "warning: ignoring the model note on .*not a version of model 'default'" clm which
t_grep "suggest does not serve it either" "warning: ignoring the model note" sh -c "echo 'def f(x):' | '$CLM_BIN' suggest --task complete --max-tokens 2"
code=$(git rev-parse HEAD~2)
add_note HEAD~1 "{\"t\":1700003000,\"kind\":\"model\",\"model\":\"default\",\"version\":\"$code\"}"
t_grep "a note naming a code commit does not serve" "^$v1 " clm which HEAD~1
t_grep "the older valid line on that commit still serves" "why: note: model note on this commit" clm which HEAD~1
cand=$(git commit-tree "$v1^{tree}" -p "$v1" -m "A candidate")
git update-ref refs/clmodel/candidates/default/1 "$cand"
add_note HEAD~2 "{\"t\":1700004000,\"kind\":\"model\",\"model\":\"default\",\"version\":\"$cand\"}"
t_grep "a note naming a candidate of the model serves it" "^$cand " clm which HEAD~2
git update-ref -d refs/clmodel/candidates/default/1
git update-ref -d refs/clmodel/models/other

# 8. show names a bad entry of a version tree.
idx=$(mktemp)
GIT_INDEX_FILE=$idx git read-tree "$v1"
matrix=$(printf '{}' | git hash-object -w --stdin)
for bad in .. .git; do
	sub=$(printf '100644 blob %s\tx\n' "$matrix" | git mktree)
	evaltree=$(printf '100644 blob %s\tmatrix.json\n040000 tree %s\t%s\n' "$matrix" "$sub" "$bad" | git mktree --missing)
	root=$(git ls-tree "$v1" | grep -v '	eval$' | { cat; printf '040000 tree %s\teval\n' "$evaltree"; } | git mktree)
	badv=$(git commit-tree "$root" -p "$v1" -m "Bad eval entry")
	t_grep "show names the eval/$bad entry" "eval/$bad|'$bad'" clm show "$badv"
	t_exit 1 "show of an eval/$bad entry fails" clm show "$badv"
done
rm -f "$idx"

# 7. Fetched refs under refs/clmodel/ must be commits; gc names a bad one.
git init -q --bare ../remote.git
git push -q ../remote.git "refs/clmodel/*:refs/clmodel/*"
tree=$(git rev-parse "$v1^{tree}")
git -C ../remote.git update-ref refs/clmodel/attic/evil "$tree"
t_exit 1 "fetching a tree under refs/clmodel/ is refused" clm fetch ../remote.git
t_grep "the refusal names the ref" "refs/clmodel/attic/evil is a tree, not a model version" clm fetch ../remote.git
t_exit 1 "nothing was fetched" git rev-parse -q --verify refs/clmodel/attic/evil
git -C ../remote.git update-ref -d refs/clmodel/attic/evil
blob=$(git rev-parse "$v1:config.json")
git -C ../remote.git update-ref refs/clmodel/pins/evil "$blob"
t_grep "a blob pin is refused by name" "refs/clmodel/pins/evil is a blob" clm fetch ../remote.git
git update-ref refs/clmodel/attic/planted "$tree"
t_exit 1 "gc with a tree in the attic fails" clm gc
t_grep "gc names the bad ref" "refs/clmodel/attic/planted does not point at a model version" clm gc
git update-ref -d refs/clmodel/attic/planted
git update-ref refs/clmodel/pins/planted "$tree"
git update-ref refs/clmodel/attic/old "$v0"
t_grep "gc names a bad keeper ref" "refs/clmodel/pins/planted does not point at a model version" clm gc
git update-ref -d refs/clmodel/pins/planted
git update-ref -d refs/clmodel/attic/old
t_ok "gc works again" clm gc
t_done
