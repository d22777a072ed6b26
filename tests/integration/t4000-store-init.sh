#!/bin/sh
# init, log, show, which, export on a fresh model; formats readable by plain git.
. "$CLM_TOP/tests/integration/lib.sh"
. "$CLM_TOP/tests/integration/clmodel-store-lib.sh"

fixture_base base
make_code_repo repo
cd repo || exit 1

t_exit 1 "init with a missing base dir fails" clm init --base ../nowhere
t_grep "missing base names the file" "nowhere/config.json" clm init --base ../nowhere
t_ok "init --base records version 0" clm init --base ../base
t_grep "init on an existing model refuses" "already exists" clm init --base ../base
t_grep "init without --base on an existing model updates settings" "settings updated" clm init
t_grep "notes.rewriteRef is set" "^refs/notes/clmodel$" git config --get-all notes.rewriteRef
t_grep "notes.rewriteRef is not duplicated" "^1$" sh -c 'git config --get-all notes.rewriteRef | wc -l | tr -d " "'
t_grep "notes.rewriteMode" "cat_sort_uniq" git config notes.rewriteMode
t_grep "git log shows the version" "Base model from base" git log --oneline refs/clmodel/models/default
t_grep "trailer Clmodel-Strategy" "Clmodel-Strategy: base" git log -1 refs/clmodel/models/default
t_grep "tree has one blob per tensor" "weights/wte.weight" git ls-tree -r --name-only refs/clmodel/models/default
t_grep "index.json is readable JSON with checksums" '"sha256"' git show refs/clmodel/models/default:weights/index.json
sum=$(git cat-file blob refs/clmodel/models/default:weights/wpe.weight | sha256sum | cut -d' ' -f1)
t_grep "index checksum is the sha256 of the blob" "$sum" git show refs/clmodel/models/default:weights/index.json
t_grep "weights are raw bytes" "^(wpe\\+){16}$" git cat-file blob refs/clmodel/models/default:weights/wpe.weight
t_grep "log shows head" "\\(head\\) Base model from base" clm log
t_grep "log --json" '"strategy": "base"' clm log --json
t_grep "show prints config" "n_layer=1" clm show
t_grep "show prints sizes" "3 tensors, 52 parameters, 208 bytes" clm show
t_grep "show --json has weights" '"new_bytes": 208' clm show --json
t_grep "show --tensors lists tensors" "wte.weight +F32 +\\[8,4\\]" clm show --tensors
t_grep "which falls back to the head" "why: head" clm which
t_grep "which --json" '"reason": "head"' clm which --json
t_exit 1 "show of a non-version fails" clm show HEAD
t_grep "show of a non-version says why" "not a model version" clm show HEAD
t_ok "export hf" clm export --format hf --out ../exp
t_ok "export has config, tokenizer, weights" test -f ../exp/config.json -a -f ../exp/tokenizer.json -a -f ../exp/model.safetensors
t_ok "exported config is byte-identical" cmp ../exp/config.json ../base/config.json
t_ok "the tokenizer_config.json side file is kept and exported" cmp ../exp/tokenizer_config.json ../base/tokenizer_config.json
t_grep "show lists the side file" "tokenizer_config.json" clm show
t_grep "exported safetensors names the version" "clmodel_version" head -c 400 ../exp/model.safetensors
t_ok "export safetensors" clm export --format safetensors --out ../exp2 default
t_ok "export safetensors writes only weights" test ! -f ../exp2/config.json -a -f ../exp2/model.safetensors
t_exit 129 "export with an unknown format is a usage error" clm export --format onnx --out ../exp3
t_exit 129 "export without --out is a usage error" clm export
# The exported directory imports to the identical tree: the round trip is bit-exact.
make_code_repo ../repo2
t_ok "init from the exported directory" clm -C ../repo2 init --base ../exp
t_ok "same tree after export and re-import" test "$(git rev-parse refs/clmodel/models/default^{tree})" = \
	"$(git -C ../repo2 rev-parse refs/clmodel/models/default^{tree})"
t_ok "git fsck is clean" git fsck --strict --no-progress
# A worktree shares the model and the lock with its main repository.
git worktree add -q ../wt 2>/dev/null
t_grep "log works in a worktree" "Base model" clm -C ../wt log
t_ok "the lock directory is in the common git dir" test -d .git/clmodel -a ! -d .git/worktrees/wt/clmodel
t_ok "a second model from the worktree" clm -C ../wt init --base ../base --name other
t_grep "the second model is visible in the main repository" "Base model" clm log --name other
t_exit 1 "a bad model name fails" clm log --name "../x"
# A bare repository holds a model as well.
git init -q --bare ../bare.git
t_ok "init in a bare repository" clm -C ../bare.git init --base ../base
t_grep "log in the bare repository" "Base model" clm -C ../bare.git log
t_ok "the bare repository has the same version id (fixed dates)" test "$(git -C ../bare.git rev-parse refs/clmodel/models/default)" = "$(git rev-parse refs/clmodel/models/default)"
t_done
