#!/bin/sh
# Staged roll-out and monitoring: a canary serves only matching branches (which, suggest, status),
# rollback of a stage, stages through push and fetch, the suggestion log, a simulated history of
# kept / edited / never-taken suggestions with exact counts, automatic promotion and rollback at
# the configured thresholds (not below the minimum sample), clmodel.rollout.auto in update, and
# the post-commit hook with 10,000 recorded suggestions.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
clm init --base ../base -q >/dev/null 2>&1
base=$(git rev-parse refs/clmodel/models/default)
git config clmodel.gate.minScore 101
clm update -q --steps 3 --batch-size 2 >/dev/null 2>&1
git config --unset clmodel.gate.minScore
cand=$(git rev-parse refs/clmodel/candidates/default/1)

t_exit 129 "--branches needs --stage canary" clm promote 1 --branches 'feature/*'
t_exit 129 "an unknown stage is a usage error" clm promote 1 --stage beta --branches x
t_ok "promote a candidate to a canary stage" clm promote 1 --stage canary --branches 'feature/*,release/next'
t_ok "the stage is a ref" test "$(git rev-parse refs/clmodel/stages/default/canary)" = "$cand"
t_ok "the head did not move" test "$(git rev-parse refs/clmodel/models/default)" = "$base"
t_grep "main is served by the head" "^$(echo $base | cut -c1-12)" clm which
t_grep "a matching branch is served by the canary, with the reason" "canary stage for feature/\*,release/next \(branch feature/login\)" \
	sh -c 'git branch feature/login && "$CLM_BIN" which feature/login'
git checkout -q feature/login
t_grep "which on the canary branch names the canary" "^$cand" clm which
t_grep "and says why" "stage: canary stage for feature/\*,release/next \(branch feature/login\)" clm which
t_grep "suggest on the canary branch uses the canary" "model $(echo $cand | cut -c1-12) \(canary stage" \
	clm suggest --force --file weather/client.py --line 6 --max-tokens 8
t_grep "status shows the stage" "Canary stage: $(echo $cand | cut -c1-12) serves feature/\*,release/next" clm status
t_ok "the printed diff was recorded for monitoring" grep -q "\"version\":\"$cand\"" .git/clmodel/suggestions.jsonl
t_grep "the record holds the file relative to the work tree" '"path":"weather/client.py"' cat .git/clmodel/suggestions.jsonl
git checkout -q main
t_grep "a non-matching branch keeps the head" "^$(echo $base | cut -c1-12)" sh -c 'git branch other && "$CLM_BIN" which other'

# Stages travel with push and fetch.
git init -q --bare ../remote.git
git remote add origin ../remote.git
git push -q origin main feature/login 2>/dev/null
t_ok "push shares the stage" clm push origin -q
git clone -q ../remote.git ../clone 2>/dev/null
t_ok "fetch takes the stage" sh -c 'cd ../clone && "$CLM_BIN" fetch origin -q'
t_grep "the teammate's clone serves the canary on the branch" "canary stage" \
	sh -c 'cd ../clone && git branch -q feature/login origin/feature/login && "$CLM_BIN" which feature/login'

t_ok "rollback ends the stage" clm rollback --stage
t_exit 1 "the stage ref is gone" git rev-parse -q --verify refs/clmodel/stages/default/canary
t_grep "the branch goes back to the head" "^$(echo $base | cut -c1-12)" clm which feature/login
t_grep "the end is noted on the version" '"stage":"ended"' git notes --ref=clmodel show "$cand"
t_exit 1 "rolling back without a stage fails" clm rollback --stage

# A simulated history: suggestions of the canary kept verbatim, edited, never taken.
clm promote 1 --stage canary --branches 'feature/*' -q
rm -f .git/clmodel/suggestions.jsonl
now=$(date +%s) old=$(( $(date +%s) - 30 * 86400 ))
rec() { # rec T LINES...: one suggestion of the canary adding these lines to sim.py
	t=$1; shift
	printf '{"t":%s,"model":"default","version":"%s","kind":"refine","path":"sim.py","hash":"0","added":[' "$t" "$cand"
	sep=; for l in "$@"; do printf '%s"%s"' "$sep" "$l"; sep=,; done
	printf ']}\n'
}
{
	for i in 1 2 3 4; do rec $now "kept_${i}_a = 1" "kept_${i}_b = 2"; done
	for i in 1 2 3; do rec $now "part_${i}_a = 1" "part_${i}_b = 2"; done
	for i in 1 2 3; do rec $old "never_${i}_a = 1" "never_${i}_b = 2"; done
	for i in 1 2; do rec $now "later_${i}_a = 1"; done
	# the head's completions, never kept: not the kind of suggestion the canary made
	i=0; while [ $i -lt 25 ]; do
		printf '{"t":%s,"model":"default","version":"%s","kind":"complete","path":"sim.py","hash":"0","added":["head_%s = 0"]}\n' \
			"$old" "$base" "$i"; i=$((i + 1)); done
	echo '{"t": broken line'
} > .git/clmodel/suggestions.jsonl
{
	for i in 1 2 3 4; do echo "kept_${i}_a = 1"; echo "    kept_${i}_b = 2"; done
	for i in 1 2 3; do echo "part_${i}_a = 1"; echo "part_${i}_b = 99  # edited"; done
} > sim.py
git add sim.py && git commit -q -m "take some suggestions"
t_ok "monitor --json" sh -c '"$CLM_BIN" monitor --json --dry-run > ../mon.json'
t_ok "exact counts: 4 kept, 3 partly, 3 dropped, 2 pending" node -e '
	const m = require(process.argv[1]); const v = m.versions.find(x => x.version === process.argv[2]);
	if (!v || v.made !== 12 || v.kept !== 4 || v.partly !== 3 || v.dropped !== 3 || v.pending !== 2) { console.error(v); process.exit(1); }
	if (Math.abs(v.acceptance - 0.7) > 1e-9 || !(v.interval[0] < 0.7 && v.interval[1] > 0.7)) process.exit(2);' \
	"$PWD/../mon.json" "$cand"
t_grep "without a minimum acceptance nothing is decided" "manual" clm monitor --dry-run
git config clmodel.rollout.minAcceptance 0.5
git config clmodel.rollout.minSamples 11
t_grep "below the minimum sample it waits" "wait: 10 of 11 resolved" clm monitor
t_ok "waiting moved nothing" test "$(git rev-parse refs/clmodel/models/default)" = "$base"
git config clmodel.rollout.minSamples 10
git config clmodel.rollout.minAcceptance 0.8
t_grep "below the threshold it would roll back" "roll back \(dry run\): acceptance 0.70 \(10 resolved\) is below" clm monitor --dry-run
git config clmodel.rollout.minAcceptance 0.5
t_grep "status says what monitor will do" "next: promote" clm status
t_grep "the head is compared on the canary's kinds only" "the head has 0 resolved" clm monitor --dry-run
t_grep "at the threshold it promotes" "promote to the head: acceptance 0.70" clm monitor
t_ok "the canary is the head now" test "$(git rev-parse refs/clmodel/models/default)" = "$cand"
t_exit 1 "and the stage is over" git rev-parse -q --verify refs/clmodel/stages/default/canary
t_grep "the figures are noted on the version, without code" '"kind":"monitor".*"kept":4' git notes --ref=clmodel show "$cand"
t_exit 1 "the note holds no suggested code" sh -c 'git notes --ref=clmodel show "$1" | grep -q kept_1_a' - "$cand"
t_grep "log shows acceptance beside the offline scores" "^$(echo $cand | cut -c1-12) \(head\).*kept=7/10" clm log
t_grep "report shows acceptance per version" "7 of 10" sh -c '"$CLM_BIN" report -q --examples 0 --out ../r.html && cat ../r.html'
t_grep "the reason is noted" 'monitor: acceptance 0.70.*"stage":"full"' git notes --ref=clmodel show "$cand"

# clmodel.rollout.auto: a version that passes the gate goes to the canary stage, not the head.
git config clmodel.rollout.auto true
t_exit 1 "auto without branches is refused" clm update -q --steps 3 --batch-size 2
git config clmodel.rollout.branches 'feature/*'
head_before=$(git rev-parse refs/clmodel/models/default)
t_grep "update stages the passing version" "canary" clm update --steps 3 --batch-size 2
t_ok "the head stayed" test "$(git rev-parse refs/clmodel/models/default)" = "$head_before"
t_ok "the canary stage exists" git rev-parse -q --verify refs/clmodel/stages/default/canary
t_grep "a second update waits for the canary" "still in its stage" clm update -q --steps 3 --batch-size 2

# The post-commit hook with 10,000 recorded suggestions stays quick.
git config --unset clmodel.rollout.minAcceptance
i=0
while [ $i -lt 10000 ]; do rec $now "bulk_$i = $i"; i=$((i + 1)); done > .git/clmodel/suggestions.jsonl
clm hooks install -q >/dev/null 2>&1
t_ok "post-commit hook installed" test -x .git/hooks/post-commit
start=$(date +%s%N)
echo "x = 1" > hook.py && git add hook.py && git commit -q -m "a commit runs the hook"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# commit with the post-commit hook over 10,000 suggestions: $ms ms"
t_ok "the commit with the hook took under 5 s" test "$ms" -lt 5000
t_done
