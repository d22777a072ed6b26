#!/bin/sh
# init without --base: the base named by git config clmodel.base, else the tiny default pretrained
# on the repository's own code at HEAD (said first, resumable after Ctrl-C); --base always wins.
. "$CLM_TOP/tests/integration/lib.sh"

sh "$CLM_TOP/fixtures/python-repo.sh" repo >/dev/null 2>&1
sh "$CLM_TOP/fixtures/python-repo.sh" other >/dev/null 2>&1
cd repo
clm pretrain --corpus HEAD --config tiny --steps 2 --vocab 300 --out ../base -q >/dev/null 2>&1
head_of() { git -C "$1" rev-parse -q --verify refs/clmodel/models/default; }

# The tiny default, pretrained here: a Ctrl-C stops it with 130 and no model; init again resumes.
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$CLM_BIN" init --steps 100000 > ../int.out 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && ! grep -q 'checkpoint saved' ../int.out; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
t_ok "Ctrl-C stops the default pretraining with status 130" test "$rc" -eq 130
t_grep "init says what it is doing first" "^No base model given.*pretraining the tiny default on this repository's code at HEAD, 100000 steps \(about" cat ../int.out
t_grep "and shows progress" "step [0-9]+/100000" cat ../int.out
t_ok "an interrupted init records no model" test -z "$(head_of .)"
t_ok "the checkpoint is kept" test -d .git/clmodel/base/checkpoint
clm init --steps 3 > ../init.out 2> ../init.err
t_ok "init without --base creates the model" test -n "$(head_of .)"
t_grep "it resumed the interrupted pretraining" "resuming at step [1-9][0-9]* of 3" cat ../init.err
t_grep "it names the pretrained base" "^Created model 'default' at version [0-9a-f]{12} from .*/\.git/clmodel/base \(pretrained on HEAD\)" cat ../init.out
t_ok "the model's tokenizer is the pretrained one" sh -c \
	'git cat-file blob refs/clmodel/models/default:tokenizer.json | cmp - .git/clmodel/base/tokenizer.json'
t_grep "init again only updates settings" "settings updated" clm init

# clmodel.base names the base instead: nothing is pretrained.
cd ../other
git config clmodel.base ../nowhere
t_exit 1 "a missing clmodel.base fails" clm init
t_grep "and names the folder" "nowhere/config.json" clm init
t_ok "and pretrains nothing" test ! -e .git/clmodel/base
git config clmodel.base ../base
clm init --json -q > ../other.json
t_grep "clmodel.base is used" '"base": "\.\./base"' cat ../other.json
t_grep "it created the model" '"created": true' cat ../other.json
t_grep "without pretraining" '"pretrained": false' cat ../other.json
t_ok "its tokenizer is that base's" sh -c \
	'git cat-file blob refs/clmodel/models/default:tokenizer.json | cmp - ../base/tokenizer.json'
t_ok "still nothing pretrained" test ! -e .git/clmodel/base

# --base wins over clmodel.base.
git config clmodel.base ../nowhere
t_ok "--base wins over clmodel.base" clm init --base ../base --name second
t_exit 129 "--steps must be positive" clm init --steps 0
t_done
