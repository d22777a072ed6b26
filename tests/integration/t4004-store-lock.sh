#!/bin/sh
# Writers and the lock from the command line: a held lock makes a second writer fail clearly or
# wait; a dead writer's lock is broken; kill -9 during a version write leaves no half version.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
fixture_base big a 8
make_code_repo repo
cd repo || exit 1
clm init -q --base ../base >/dev/null
lock=.git/clmodel/lock

git config clmodel.lockWaitMs 0
echo $$ > $lock
t_exit 1 "a second writer fails while a live process holds the lock" clm init --base ../base --name two
t_grep "the failure names the holder" "another git-clmodel process \\(pid $$\\)" clm init --base ../base --name two
t_exit 1 "nothing was written" git rev-parse -q --verify refs/clmodel/models/two
git config clmodel.lockWaitMs 10000
(sleep 1; rm -f $lock) &
t_ok "a writer with time to wait gets its turn" clm init --base ../base --name two
wait
sh -c 'exit 0' &
dead=$!
wait $dead
echo "$dead" > $lock
t_ok "a lock left by a dead process is broken" clm init --base ../base --name three
t_ok "and released afterwards" test ! -e $lock

complete=0 absent=0
for delay in 0 0.05 0.1 0.2 0.3 0.5 0.8 1.2 2; do
	"$CLM_BIN" init -q --base ../big --name big >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if git rev-parse -q --verify refs/clmodel/models/big >/dev/null; then
		complete=$((complete + 1))
		t_ok "killed after ${delay}s: the version is complete and verifies" clm export --out ../out-big big
		git update-ref -d refs/clmodel/models/big
	else
		absent=$((absent + 1))
		t_ok "killed after ${delay}s: no model reference at all" test -z "$(git for-each-ref 'refs/clmodel/models/big*')"
	fi
	t_ok "killed after ${delay}s: git fsck is clean" git fsck --no-progress --no-dangling
done
echo "# kill -9 outcomes: $absent before the reference moved, $complete complete"
t_ok "the next writer breaks the dead writer's lock" clm init -q --base ../big --name big
t_done
