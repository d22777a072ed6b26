#!/bin/sh
# Benchmark: what the installed hooks add to git commands that change no manifest. Branch switches
# (post-checkout) and fast-forward merges (post-merge) are timed with and without the hooks, in
# the same run, on the same repository. Prints ms per command and the difference.
set -eu
: "${CLM_BIN:?run through tests/bench/run.sh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main
runs=${HOOK_BENCH_RUNS:-40}

cd "$work" && git init -q repo && cd repo
printf 'requests==2.31.0\n' > requirements.txt
for i in $(seq 1 200); do printf 'def f%d():\n    return %d\n' "$i" "$i" > "m$i.py"; done
git add . && git commit -qm base
git branch other
printf '# docs\n' > README.md && git add README.md && git commit -qm docs

# Milliseconds for `runs` branch switches back and forth plus `runs` fast-forward merges.
measure() {
	start=$(date +%s%N)
	for i in $(seq 1 "$runs"); do
		git checkout -q other && git checkout -q main
	done
	mid=$(date +%s%N)
	for i in $(seq 1 "$runs"); do
		git checkout -q -B side main~1 && git merge -q --ff-only main && git checkout -q main
	done
	end=$(date +%s%N)
	echo "$(( (mid - start) / 2000000 / runs )) $(( (end - mid) / 1000000 / runs ))"
}

set -- $(measure)
base_switch=$1 base_merge=$2
"$CLM_BIN" hooks install >/dev/null
set -- $(measure)
hook_switch=$1 hook_merge=$2
"$CLM_BIN" hooks uninstall >/dev/null
[ ! -e .git/clmodel/queue ] || { echo "bench: a job was queued without a manifest change" >&2; exit 1; }

echo "config: 200-file repository, $runs runs each, no manifest changes"
echo "baseline (no hooks): branch switch ${base_switch} ms, ff merge cycle ${base_merge} ms"
echo "with git-clmodel hooks: branch switch ${hook_switch} ms, ff merge cycle ${hook_merge} ms"
echo "hook_switch_overhead_ms: $((hook_switch - base_switch))"
echo "hook_merge_overhead_ms: $((hook_merge - base_merge))"
