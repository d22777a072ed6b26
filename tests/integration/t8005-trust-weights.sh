#!/bin/sh
# Trust boundaries of model trees and notes (THREAT-MODEL.md): a weights index reusing one blob,
# duplicate tensor names, control characters in names and messages, thousands of fetched notes.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
v0=$(git rev-parse refs/clmodel/models/default)
v1=$(add_version "Learn task one" "ln_1ln_1ln_1ln_1" HEAD)

# hostile_version SUMMARY PYTHON-EDIT: a version on top of v0 whose index (in variable `index`,
# a list of entries) and extra files (`extra`: path -> blob) the python snippet changes.
hostile_version() {
	git ls-tree -r "$v0" > tree.txt
	git cat-file blob "$v0:weights/index.json" > index.json
	EDIT=$2 V0=$v0 python3 - <<'PY' || return 1
import json, os, subprocess
index = json.load(open("index.json"))
tensors = index["tensors"]
extra = {}
def blob(data):
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], input=data, capture_output=True, check=True).stdout.decode().strip()
def copy_of_last(name, file):
    t = dict(tensors[-1], name=name, file=file)
    extra[file] = subprocess.run(["git", "rev-parse", os.environ["V0"] + ":" + tensors[-1]["file"]],
                                 capture_output=True, check=True).stdout.decode().strip()
    tensors.append(t)
exec(os.environ["EDIT"])
index["tensors"] = tensors
lines = [l for l in open("tree.txt").read().splitlines() if not l.endswith("\tweights/index.json")]
lines.append("100644 blob %s\tweights/index.json" % blob(json.dumps(index).encode()))
for path, b in extra.items():
    lines.append("100644 blob %s\t%s" % (b, path))
open("tree.txt", "w").write("\n".join(lines) + "\n")
PY
	idx=$(mktemp) && rm -f "$idx"
	awk -F'\t' '{ split($1, a, " "); printf "%s,%s,%s\n", a[1], a[3], $2 }' tree.txt |
		sed 's/^/--cacheinfo\n/' | GIT_INDEX_FILE=$idx xargs -d '\n' git update-index --add
	tree=$(GIT_INDEX_FILE=$idx git write-tree)
	rm -f "$idx"
	git commit-tree "$tree" -p "$v0" -m "$1"
}

# 3. 300 entries naming one 1 MB blob through 300 files: refused before loading anything.
shared=$(hostile_version "Shared blob" '
import hashlib
data = b"\0" * (1 << 20)
b = blob(data)
for i in range(300):
    extra["weights/x%d" % i] = b
    tensors.append({"name": "cl.x%d" % i, "file": "weights/x%d" % i, "dtype": "F32", "shape": [262144],
                    "nbytes": 1 << 20, "sha256": hashlib.sha256(data).hexdigest()})')
for cmd in "eval --max-examples 1" "export --format safetensors --out ../out"; do
	/usr/bin/time -f '%M' -o rss "$CLM_BIN" $cmd "$shared" > out.txt 2>&1
	t_grep "$cmd refuses an index reusing one blob 300 times" "reusing blobs add .* more than the .* bytes of distinct blobs" cat out.txt
	t_ok "$cmd stays small doing so (under 100 MB)" test "$(tail -n 1 rss)" -lt 102400
	echo "# $cmd on 300 x 1 MB entries sharing one blob: max RSS $(tail -n 1 rss) KB"
done
/usr/bin/time -f '%M' -o rss sh -c "echo 'def f(x):' | '$CLM_BIN' suggest --task complete --max-tokens 1 --model $shared" > out.txt 2>&1
t_grep "suggest refuses it too" "reusing blobs add" cat out.txt
samefile=$(hostile_version "Same file twice" '
tensors.append(dict(tensors[0], name="cl.copy"))')
t_grep "two entries naming one file are refused" "two tensors name the file" clm show "$samefile"

# Names are checked against config.json before any blob is read (this blob is even corrupt).
unknown=$(hostile_version "Unknown tensor" 'copy_of_last("h.7.ln_1.weight", "weights/h7"); tensors[-1]["sha256"] = "0" * 64')
t_grep "eval checks names against config.json first" "tensor 'h.7.ln_1.weight' is no parameter of the model config.json describes" clm eval --max-examples 1 "$unknown"
badshape=$(hostile_version "Bad shape" 'copy_of_last("ln_f.weight", "weights/ln_f"); tensors[-1]["sha256"] = "0" * 64; tensors[-1]["shape"] = [2, 2]')
t_grep "and their shapes" "tensor 'ln_f.weight' does not have the shape config.json gives it" clm eval --max-examples 1 "$badshape"

# 10. Duplicate tensor names: the same refusal from every reader.
dupname=$(hostile_version "Duplicate name" 'copy_of_last(tensors[-1]["name"], "weights/dup")')
for cmd in "eval --max-examples 1" "export --format safetensors --out ../out2" "show"; do
	t_grep "$cmd refuses a duplicate tensor name" "tensor '.*' appears twice" "$CLM_BIN" $cmd "$dupname"
done
t_grep "suggest refuses a duplicate tensor name" "tensor '.*' appears twice" sh -c "echo x | '$CLM_BIN' suggest --task complete --max-tokens 1 --model $dupname"

# 9. Control characters in tensor names, summaries and trailers reach no terminal raw.
esc=$(printf '\033')
evil=$(hostile_version "$(printf 'Evil \033]0;pwned\007summary')" 'copy_of_last("cl.\x1b[2Jevil", "weights/evil")')
git update-ref refs/clmodel/models/default "$evil"
git notes --ref=clmodel remove HEAD 2>/dev/null
for cmd in "log" "show" "show --tensors" "which"; do
	t_exit 1 "$cmd prints no raw escape" sh -c "'$CLM_BIN' $cmd 2>&1 | grep -q '$esc'"
done
t_grep "show --tensors shows the name escaped" 'cl\.\\x1b\[2Jevil' clm show --tensors
t_grep "log shows the summary escaped" 'Evil \\x1b\]0;pwned\\x07summary' clm log
t_exit 1 "an error naming the tensor prints no raw escape" sh -c "'$CLM_BIN' eval --max-examples 1 2>&1 | grep -q '$esc'"
git update-ref refs/clmodel/models/default "$v1"
note='{"t":1700001000,"kind":"model","model":"default","version":"'$v1'"}'
echo "$note" | git notes --ref=clmodel add -f -F - HEAD

# 4. Thousands of fetched notes merge in one commit.
git init -q --bare ../remote.git
{
	echo "commit refs/notes/clmodel"
	echo "committer T <t@example.com> 1700000000 +0000"
	echo "data 6"; echo "notes"
	i=0
	while [ $i -lt 2000 ]; do
		line="{\"t\":1700000000,\"kind\":\"review\",\"n\":$i}"
		printf 'M 100644 inline %040x\ndata %d\n%s\n' $((i + 1)) $((${#line} + 1)) "$line"
		i=$((i + 1))
	done
} | git -C ../remote.git fast-import --quiet
git push -q ../remote.git "refs/clmodel/*:refs/clmodel/*"
ours=$(git rev-parse refs/notes/clmodel)
theirs=$(git -C ../remote.git rev-parse refs/notes/clmodel)
before=$(git count-objects -v | awk '/^size:/ { s += $2 } /^size-pack:/ { s += $2 } END { print s }')
start=$(date +%s.%N)
t_ok "fetching 2000 diverged notes works" clm fetch ../remote.git
end=$(date +%s.%N)
after=$(git count-objects -v | awk '/^size:/ { s += $2 } /^size-pack:/ { s += $2 } END { print s }')
echo "# merging 2000 incoming notes: $(echo "$end - $start" | bc) s, .git/objects grew by $((after - before)) KB"
t_grep "the merge is one commit" "^1$" git rev-list --count refs/notes/clmodel "^$ours" "^$theirs"
t_grep "its parents are ours and theirs" "^$ours $theirs$" git log -1 --format=%P refs/notes/clmodel
t_grep "every incoming note is there" "^2000$" sh -c "git notes --ref=clmodel list | grep -vc $(git rev-parse HEAD)"
t_grep "a merged note is readable" '"n":1999' git notes --ref=clmodel show 00000000000000000000000000000000000007d0
t_grep "our own notes survived" '"kind":"model"' git notes --ref=clmodel show HEAD
t_ok "disk grows by the notes, not by a tree per note (under 2 MB)" test $((after - before)) -lt 2048
t_done
