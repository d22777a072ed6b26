#!/bin/sh
# Run every cmocka unit test binary and every integration script; each reports TAP lines.
# Ends with one line "N passed, N failed[, N skipped]" and exits non-zero on any failure.
# Tests never see the user's git configuration: HOME is a fresh folder, system config is off.
# CLM_TESTS=GLOB runs only the integration scripts matching it and no unit test (check-leaks).
set -u
BUILD=${BUILD:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD_ABS=$(cd "$top/$BUILD" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/clm-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

export HOME="$scratch/home" GIT_CONFIG_NOSYSTEM=1 XDG_CONFIG_HOME="$scratch/home/.config"
export GIT_AUTHOR_NAME="Test Author" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="Test Committer" GIT_COMMITTER_EMAIL="committer@example.com"
export CLM_TOP="$top" CLM_BUILD="$BUILD_ABS" CLM_BIN="$BUILD_ABS/git-clmodel" CLM_DATA="$top/tests/data"
# Binaries of other builds (build/asan) do not sit where the hook templates are looked up.
[ "$BUILD_ABS" = "$top/build" ] || export CLM_HOOKS_DIR="$top/hooks"
export CMOCKA_MESSAGE_OUTPUT=TAP OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-2}
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global user.name "Test User"
git config --global user.email "test@example.com"

pass=0 fail=0 skip=0
failed_names=""

# Count TAP results in a log; a suite that exits non-zero without a "not ok" counts one failure.
tally() {
	name=$1 log=$2 rc=$3
	# cmocka reports a skipped test as "not ok N # SKIP": a skip, not a failure.
	p=$(grep -c '^ok [0-9]' "$log" | tr -d ' ')
	s=$(grep -c '^\(not \)\{0,1\}ok [0-9].*# *[Ss][Kk][Ii][Pp]' "$log" | tr -d ' ')
	f=$(grep '^not ok [0-9]' "$log" | grep -vc '# *[Ss][Kk][Ii][Pp]' | tr -d ' ')
	p=$((p - $(grep -c '^ok [0-9].*# *[Ss][Kk][Ii][Pp]' "$log" | tr -d ' ')))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >> "$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then
		f=1
		echo "not ok - $name reported no results" >> "$log"
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$f" -gt 0 ]; then
		failed_names="$failed_names $name"
		echo "---- $name: FAILED ($p passed, $f failed)"
		grep -v '^ok [0-9]' "$log" | tail -40
	else
		printf '%-40s %d passed%s\n' "$name" "$p" "$([ "$s" -gt 0 ] && echo ", $s skipped")"
	fi
	grep '# *[Ss][Kk][Ii][Pp]' "$log" | sed 's/^/    /'
}

if [ -z "${CLM_TESTS:-}" ]; then
	sh "$top/tests/check-layers.sh" > "$scratch/check-layers.log" 2>&1
	tally check-layers "$scratch/check-layers.log" $?
fi

for t in "$BUILD_ABS"/tests/test_*; do
	[ -x "$t" ] && [ -z "${CLM_TESTS:-}" ] || continue
	case "$t" in *.d) continue ;; esac
	name=$(basename "$t")
	log="$scratch/$name.log"
	(cd "$scratch" && "$t") > "$log" 2>&1
	tally "$name" "$log" $?
done

for t in "$top"/tests/integration/${CLM_TESTS:-t*}.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	log="$scratch/$name.log"
	work="$scratch/work-$name"
	mkdir -p "$work"
	(cd "$work" && sh "$t") > "$log" 2>&1 < /dev/null
	tally "$name" "$log" $?
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
