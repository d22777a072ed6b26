#!/bin/sh
# Benchmark: latency of `git clmodel suggest` on a 40-line function with the `small` reference
# config (4 layers, 256 wide, context 128, vocabulary 4096). The weights come from a very short
# pretraining run: latency does not depend on what the model learned, only on its shape and the
# number of tokens generated, which is printed. Baseline in the same run: `git clmodel which`
# (open the repository and resolve the version, no model).
set -eu
: "${CLM_BIN:?run through tests/bench/run.sh}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work" GIT_CONFIG_NOSYSTEM=1
git config --global user.name bench && git config --global user.email bench@example.com
git config --global init.defaultBranch main

cd "$work" && git init -q repo && cd repo
{
	echo "def report(rows, limit=10):"
	echo '    """Summarise rows into a report."""'
	for i in $(seq 1 37); do echo "    total_$i = sum(r[$i % 3] for r in rows[:limit])"; done
	echo "    return total_1"
} > report.py
cp -r "$CLM_TOP/libcore" corpus
git add report.py && git commit -qm report
"$CLM_BIN" pretrain -q --corpus corpus --config small --steps 2 --batch 2 --out ../base >/dev/null
"$CLM_BIN" init -q --base ../base >/dev/null

ms() { start=$(date +%s%N); "$@" >/dev/null 2>&1; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
which_ms=$(ms "$CLM_BIN" which)
for tokens in 32 128; do
	best=
	for i in 1 2 3; do
		t=$(ms "$CLM_BIN" suggest --file report.py --line 20 --max-tokens $tokens)
		[ -z "$best" ] || [ "$t" -lt "$best" ] && best=$t
	done
	echo "suggest, 40-line function, up to $tokens new tokens: best of 3 ${best} ms"
	eval "suggest_${tokens}_ms=$best"
done
echo "baseline: git clmodel which ${which_ms} ms"
echo "suggest_32_tokens_ms: $suggest_32_ms"
echo "suggest_128_tokens_ms: $suggest_128_ms"
echo "which_ms: $which_ms"
