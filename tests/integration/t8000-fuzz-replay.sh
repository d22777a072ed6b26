#!/bin/sh
# Replay every fuzz harness's committed seeds and past crash inputs (tests/fuzz/corpus/<name>,
# tests/fuzz/crashes/<name>) through the harness built without libFuzzer: each crash that fuzzing
# found once stays fixed (under ASan and UBSan in `make check-asan`).
. "$CLM_TOP/tests/integration/lib.sh"

for bin in "$CLM_BUILD"/fuzz-replay/fuzz_*; do
	[ -x "$bin" ] || continue
	name=${bin##*/fuzz_}
	set --
	for f in "$CLM_TOP/tests/fuzz/corpus/$name"/* "$CLM_TOP/tests/fuzz/crashes/$name"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		t_ok "$name has seeds" false
		continue
	fi
	t_ok "$name: $# seeds and crash inputs replay cleanly" "$bin" "$@"
done
t_done
