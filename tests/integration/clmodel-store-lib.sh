# Helpers for the model-store integration tests (t40xx), sourced after lib.sh.
# They write model versions with plain git plumbing, which also shows the format is readable
# and writable by other tools.
# Fixed dates: version commits, notes commits and note timestamps are reproducible.
GIT_AUTHOR_DATE="1700001000 +0000" GIT_COMMITTER_DATE="1700001000 +0000"
export GIT_AUTHOR_DATE GIT_COMMITTER_DATE

fixture_base() { sh "$CLM_TOP/fixtures/clmodel-tiny-base.sh" "$@"; }

# A code repository with three commits c1..c3 (fixed dates) in directory $1.
make_code_repo() {
	git init -q "$1" && (
		cd "$1" || exit 1
		for i in 1 2 3; do
			echo "line $i" >> code.txt
			git add code.txt
			GIT_AUTHOR_DATE="170000000$i +0000" GIT_COMMITTER_DATE="170000000$i +0000" git commit -qm "c$i"
		done
	)
}

# add_note COMMIT LINE: add a JSON line to the clmodel note of COMMIT (lines kept sorted, once).
add_note() {
	{ git notes --ref=clmodel show "$1" 2>/dev/null; echo "$2"; } | sort -u | git notes --ref=clmodel add -f -F - "$1"
}

# add_version SUMMARY LN-BYTES(16 chars) [SOURCE-COMMIT] [MODEL]: a new version changing only the
# tensor h.0.ln_1.weight, written with git plumbing; a "model" note goes on SOURCE-COMMIT.
add_version() {
	summary=$1 bytes=$2 source=${3:-} model=${4:-default}
	ref=refs/clmodel/models/$model
	head=$(git rev-parse "$ref") || return 1
	idx=$(mktemp)
	GIT_INDEX_FILE=$idx git read-tree "$head" || return 1
	blob=$(printf '%s' "$bytes" | git hash-object -w --stdin)
	oldsum=$(git cat-file blob "$head:weights/h.0.ln_1.weight" | sha256sum | cut -d' ' -f1)
	newsum=$(printf '%s' "$bytes" | sha256sum | cut -d' ' -f1)
	index=$(git cat-file blob "$head:weights/index.json" | sed "s/$oldsum/$newsum/" | git hash-object -w --stdin)
	GIT_INDEX_FILE=$idx git update-index --cacheinfo "100644,$blob,weights/h.0.ln_1.weight" \
		--cacheinfo "100644,$index,weights/index.json" || return 1
	tree=$(GIT_INDEX_FILE=$idx git write-tree)
	rm -f "$idx"
	trailers="Clmodel-Strategy: seqft"
	[ -n "$source" ] && trailers="$trailers
Clmodel-Source: $(git rev-parse "$source")"
	commit=$(git commit-tree "$tree" -p "$head" -m "$summary" -m "$trailers") || return 1
	git update-ref "$ref" "$commit" "$head" || return 1
	if [ -n "$source" ]; then
		line="{\"t\":1700001000,\"kind\":\"model\",\"model\":\"$model\",\"strategy\":\"seqft\",\"version\":\"$commit\"}"
		add_note "$source" "$line" || return 1
	fi
	echo "$commit"
}
