#!/bin/sh
# Run every libFuzzer binary in $1 for $2 seconds on its committed seeds (tests/fuzz/corpus/<name>)
# and past crash inputs (tests/fuzz/crashes/<name>). New inputs go to $1/corpus/<name>, crashes
# to $1/crashes/. Prints executions per fuzzer; exits non-zero when any fuzzer found a crash.
# With FUZZ_RUNS=N each fuzzer instead makes N executions from seed 1 ($2 seconds at most), so a
# run from a clean build is the same run every time: CI uses that, so it cannot fail by chance.
set -u
dir=$1 seconds=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
failed=""
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
for bin in "$dir"/fuzz_*; do
	case "$bin" in *.d) continue ;; esac
	[ -x "$bin" ] || continue
	name=$(basename "$bin" | sed 's/^fuzz_//')
	work="$dir/corpus/$name"
	mkdir -p "$work" "$dir/crashes" "$dir/logs"
	set -- "$work" "$top/tests/fuzz/corpus/$name"
	[ -d "$top/tests/fuzz/crashes/$name" ] && set -- "$@" "$top/tests/fuzz/crashes/$name"
	log="$dir/logs/$name.log"
	budget="-max_total_time=$seconds"
	[ -n "${FUZZ_RUNS:-}" ] && budget="-runs=$FUZZ_RUNS -seed=1 -max_total_time=$seconds"
	TMPDIR="$dir" "$bin" $budget -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$dir/crashes/$name-" "$@" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	printf 'fuzz %-12s %10s executions (at most %ss)%s\n' "$name" "${runs:-?}" "$seconds" \
		"$([ $rc -ne 0 ] && echo ": FAILED (exit $rc, see $log)")"
	if [ $rc -ne 0 ]; then
		failed="$failed $name"
		grep -E 'ERROR|SUMMARY|runtime error|#[0-9]+ 0x' "$log" | head -30
	fi
done
[ -z "$failed" ] || { echo "fuzz: crashes in:$failed"; exit 1; }
