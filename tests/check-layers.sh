#!/bin/sh
# Layer check: every #include "folder/..." in libcore/, parsers/ and cmd/ must name a folder that
# the layer table of ARCHITECTURE.md lets the including folder use (its own folder, or a folder
# listed under "may include"). The table is the one between the "layers:begin" and "layers:end"
# markers; a folder missing from it is an error too, so the document cannot fall behind the tree.
# CLM_LAYERS_TOP checks another tree (the script's own test does). Prints one line per violation and TAP results; exits non-zero on any violation.
set -u
top=${CLM_LAYERS_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
doc="$top/ARCHITECTURE.md"
[ -f "$doc" ] || { echo "not ok 1 - ARCHITECTURE.md missing"; exit 1; }

# "| `libcore/cl/` | ... | `nn`, `data` |" -> "cl nn data"
table=$(sed -n '/layers:begin/,/layers:end/p' "$doc" | grep '^| `' | awk -F'|' '{
	name = $2; gsub(/[` ]/, "", name); sub(/^libcore\//, "", name); sub(/\/$/, "", name)
	deps = $4; gsub(/[`,]/, " ", deps)
	print name, deps }')
[ -n "$table" ] || { echo "not ok 1 - ARCHITECTURE.md has no layer table"; exit 1; }

allowed() { # folder -> its own name and every folder it may include
	echo "$table" | awk -v f="$1" '$1 == f { for (i = 1; i <= NF; i++) print $i }'
}

n=0 bad=0
for dir in $(cd "$top" && find libcore parsers cmd -type d | sort); do
	ls "$top/$dir"/*.[ch] >/dev/null 2>&1 || continue
	folder=${dir#libcore/}
	case "$folder" in parsers/*) folder=parsers ;; cmd/*) folder=cmd ;; esac
	ok=$(allowed "$folder")
	n=$((n + 1))
	if [ -z "$ok" ]; then
		echo "not ok $n - $dir is not in ARCHITECTURE.md's layer table"
		bad=$((bad + 1))
		continue
	fi
	errs=$(cd "$top" && grep -Ho '#include "[^"]*/' "$dir"/*.[ch] | sed 's/#include "//; s|/$||' |
		while IFS=: read -r file inc; do
			case "$inc" in parsers/*) inc=parsers ;; esac
			echo "$ok" | grep -qx "$inc" || echo "$file includes $inc/ (a layer $folder may not use)"
		done)
	if [ -n "$errs" ]; then
		echo "not ok $n - $dir includes from above its layer"
		echo "$errs" | sed 's/^/#   /'
		bad=$((bad + 1))
	else
		echo "ok $n - $dir"
	fi
done
echo "1..$n"
[ "$bad" -eq 0 ]
