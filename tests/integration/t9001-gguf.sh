#!/bin/sh
# GGUF through the command line: export a pretrained tiny model as f32 and f16 GGUF, import it
# back (the f32 weights come back bit for bit), import a Hugging Face directory, refuse bad files.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
top=$PWD
git init -q repo
cd repo
cp "$CLM_TOP"/libcore/util/*.c .
git add . && git commit -qm "some C code"
clm pretrain --out "$top/base" --steps 10 --vocab 400 -q >/dev/null 2>&1
clm init --base "$top/base" >/dev/null

t_ok "export --format gguf (f32)" clm export --format gguf --out "$top/m32.gguf"
t_grep "the file starts with the GGUF magic" "^GGUF" head -c 4 "$top/m32.gguf"
t_ok "export --format gguf --dtype f16" clm export --format gguf --dtype f16 --out "$top/m16.gguf"
s32=$(wc -c < "$top/m32.gguf") s16=$(wc -c < "$top/m16.gguf")
t_ok "the f16 file is smaller ($s16 < $s32 bytes)" test "$s16" -lt "$s32"
t_exit 129 "--dtype bf16 is a usage error" clm export --format gguf --dtype bf16 --out "$top/x.gguf"

t_grep "import a GGUF file as a new model" "Imported .* of model 'back'" clm import --name back "$top/m32.gguf"
t_ok "f32 weights come back bit for bit (same weights tree)" \
	test "$(git rev-parse refs/clmodel/models/default:weights)" = "$(git rev-parse refs/clmodel/models/back:weights)"
t_ok "the tokenizer comes back the same" \
	test "$(git rev-parse refs/clmodel/models/default:tokenizer.json)" = "$(git rev-parse refs/clmodel/models/back:tokenizer.json)"
t_ok "importing again adds a version on top" clm import --name back "$top/m32.gguf"
t_grep "which log shows" "Imported from m32.gguf" clm log back
t_ok "import the f16 file" clm import --name half "$top/m16.gguf"
t_ok "the imported model exports again" clm export --name half --format hf --out "$top/half-hf"
t_ok "import a Hugging Face directory" clm import --name hf "$top/half-hf"

head -c 1000 "$top/m32.gguf" > "$top/cut.gguf"
t_exit 1 "a truncated file is refused" clm import --name bad "$top/cut.gguf"
t_grep "and the message says where" "cut.gguf: GGUF: .*(past the end|beyond the end|more than the file holds)" clm import --name bad "$top/cut.gguf"
printf 'not a model' > "$top/junk.gguf"
t_grep "a file that is not GGUF is refused" "not a GGUF file" clm import --name bad "$top/junk.gguf"
t_exit 1 "nothing was recorded for them" git rev-parse -q --verify refs/clmodel/models/bad
t_exit 1 "a missing file" clm import "$top/none.gguf"
mkdir "$top/blobs" && cp "$top/m32.gguf" "$top/blobs/sha256-0123abcd"
t_ok "init --base takes a GGUF file named like an Ollama blob" clm init --name fromblob --base "$top/blobs/sha256-0123abcd"
t_ok "and its weights are the exported ones" \
	test "$(git rev-parse refs/clmodel/models/default:weights)" = "$(git rev-parse refs/clmodel/models/fromblob:weights)"
t_done
