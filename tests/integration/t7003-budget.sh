#!/bin/sh
# Context budgets: functions longer than a tiny model's context are fitted (training, evaluation,
# suggest), much longer ones are skipped with a count, and mining's cap follows the model.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/long-functions-repo.sh" repo >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 5 --vocab 300 --out ../base -q >/dev/null 2>&1
t_ok "init from a tiny pretrained base" clm init --base ../base
t_grep "the plan counts functions too long for the context" "too long for the model's context of 128 tokens" \
	clm update --dry-run -q
clm update -q --steps 2 --batch-size 2 >../update.out 2>&1
t_grep "update learns long functions" "promoted" cat ../update.out
t_grep "it says how much was shortened" "shortened to fit the context" cat ../update.out
t_ok "suggest --line on a long function" sh -c '"$CLM_BIN" suggest -q --force --file app.py --line 6 >/dev/null'
t_ok "suggest --complete on a long file" sh -c '"$CLM_BIN" suggest -q --force --file app.py --complete >/dev/null'
t_grep "mining's default cap follows the model's context" '"max_tokens":256,' clm mine -q --rescan --json
t_grep "mine --max-tokens overrides it" '"skipped_functions":0,' clm mine -q --rescan --max-tokens 100000 --json
t_done
