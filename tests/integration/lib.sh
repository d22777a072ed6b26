# Shared helpers for integration tests: each test is a shell script printing TAP lines.
# Run by tests/run.sh, which sets CLM_BIN, CLM_TOP, CLM_BUILD, HOME and the git identity,
# and runs each script in an empty scratch folder.
set -u
: "${CLM_BIN:?run integration tests through tests/run.sh (make test)}"
clm() { "$CLM_BIN" "$@"; }
t_count=0
t_failed=0

# t_ok DESC CMD...: the command must succeed.
t_ok() {
	desc=$1; shift
	t_count=$((t_count + 1))
	if out=$("$@" 2>&1); then
		echo "ok $t_count - $desc"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_count - $desc"
		echo "$out" | sed 's/^/#   /' | tail -20
	fi
}

# t_exit CODE DESC CMD...: the command must exit with CODE.
t_exit() {
	want=$1 desc=$2; shift 2
	t_count=$((t_count + 1))
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok $t_count - $desc"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_count - $desc (exit $rc, wanted $want)"
		echo "$out" | sed 's/^/#   /' | tail -20
	fi
}

# t_grep DESC PATTERN CMD...: the command's output (both streams) must match PATTERN (grep -E).
t_grep() {
	desc=$1 pat=$2; shift 2
	t_count=$((t_count + 1))
	out=$("$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		echo "ok $t_count - $desc"
	else
		t_failed=$((t_failed + 1))
		echo "not ok $t_count - $desc (no match for /$pat/)"
		echo "$out" | sed 's/^/#   /' | tail -20
	fi
}

# t_skip DESC REASON: report a skipped check.
t_skip() {
	t_count=$((t_count + 1))
	echo "ok $t_count - $1 # SKIP $2"
}

# t_done: print the plan and exit non-zero when something failed.
t_done() {
	echo "1..$t_count"
	[ "$t_failed" -eq 0 ]
}
