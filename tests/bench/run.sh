#!/bin/sh
# Run benchmark suites: `run.sh <suite>` runs tests/bench/<suite>.sh if present, otherwise the
# compiled build/bench/bench_<suite>; `run.sh all` runs every suite. Benchmarks print what they
# measured, the config and the baseline measured in the same run; they never assert timings.
set -u
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
export CLM_TOP="$top" CLM_BUILD="$(cd "$top/$BUILD" && pwd)" CLM_DATA="$top/tests/data"
export CLM_BIN="$CLM_BUILD/git-clmodel"

run_suite() {
	if [ -f "$top/tests/bench/$1.sh" ]; then
		sh "$top/tests/bench/$1.sh"
	elif [ -x "$CLM_BUILD/bench/bench_$1" ]; then
		"$CLM_BUILD/bench/bench_$1"
	else
		echo "bench: no benchmark suite '$1' in this build yet" >&2
		return 1
	fi
}

suite=${1:-all}
if [ "$suite" = all ]; then
	rc=0
	for s in $(ls "$top/tests/bench" | sed -n 's/^bench_\(.*\)\.c$/\1/p; s/^\([a-z_]*\)\.sh$/\1/p' | grep -v '^run$' | sort -u); do
		echo "== bench $s"
		run_suite "$s" || rc=1
	done
	exit $rc
fi
run_suite "$suite"
