#!/bin/sh
# kill -9 of `git clmodel update` at pseudo-random points (6 here, 50 with CLM_FAULTS_FULL=1 as
# `make check-faults` sets): git fsck stays clean, the head is the old version or a complete
# newer one on top of it (never a third state), and the next update breaks the dead writer's lock.
. "$CLM_TOP/tests/integration/lib.sh"

trials=6
[ -n "${CLM_FAULTS_FULL:-}" ] && trials=50
sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
cd repo || exit 1
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
clm init -q --base ../base >/dev/null
git config clmodel.gate.minScore 0
git config clmodel.lockWaitMs 0
base=$(git rev-parse refs/clmodel/models/default)
update() { "$CLM_BIN" update -q --steps 3 --batch-size 2; }

# One whole update, timed, sets the range the kill points are drawn from.
start=$(date +%s%N)
t_ok "an update runs to the end" update
full_ms=$((($(date +%s%N) - start) / 1000000))
learned=$(git rev-list --count "$base..refs/clmodel/models/default")
echo "# a whole update took ${full_ms} ms; killing $trials updates within 1.2 times that"

old=$base moved=0
for k in $(seq 1 "$trials"); do
	git update-ref refs/clmodel/models/default "$old"
	delay=$(awk -v k="$k" -v ms="$full_ms" 'BEGIN { srand(k); printf "%.3f", rand() * ms * 1.2 / 1000 }')
	"$CLM_BIN" update -q --steps 3 --batch-size 2 >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	head=$(git rev-parse refs/clmodel/models/default)
	if [ "$head" = "$old" ]; then
		state=old
	elif git merge-base --is-ancestor "$old" "$head" && "$CLM_BIN" export -q --out "../verify-$k" >/dev/null 2>&1; then
		state=new moved=$((moved + 1))
	else
		state=broken
	fi
	t_ok "kill $k after ${delay}s: the head is the old version or a complete new one ($state)" test "$state" != broken
	t_ok "kill $k: git fsck is clean" git fsck --no-progress --no-dangling
	t_ok "kill $k: every note line is a JSON object" sh -c \
		'git notes --ref=clmodel list | cut -d" " -f2 | xargs -r -n1 git notes --ref=clmodel show | grep -v "^{.*}$" | wc -l | grep -qx 0'
done
echo "# $moved of $trials killed updates had moved the head"
git update-ref refs/clmodel/models/default "$old"
t_ok "the next update breaks the dead writer's lock and runs" update
t_ok "and leaves no lock behind" test ! -e .git/clmodel/lock

# Two updates at once (a hook's and one by hand) with time to wait for the lock: serialized,
# every task learned once, no version lost or duplicated.
git update-ref refs/clmodel/models/default "$base"
git config clmodel.lockWaitMs 600000
update > ../u1.out 2>&1 &
p1=$!
update > ../u2.out 2>&1
rc2=$?
wait $p1
rc1=$?
t_ok "both concurrent updates succeed" test "$rc1$rc2" = 00
t_ok "together they learned each task once ($learned versions)" \
	test "$(git rev-list --count "$base..refs/clmodel/models/default")" -eq "$learned"
t_ok "git fsck is clean after concurrent updates" git fsck --no-progress --no-dangling
t_done
