#!/bin/sh
# Large tensors in an HTTP object store (nginx WebDAV on 127.0.0.1): pointer files in the
# version tree, upload on push, download on fetch, checksums, and a store that is not configured.
. "$CLM_TOP/tests/integration/lib.sh"

export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"
top=$PWD
if ! url=$(sh "$CLM_TOP/tests/objstore/dav-server.sh" start "$top/dav" 2>"$top/dav.err"); then
	t_skip "object store" "nginx cannot start here: $(cat "$top/dav.err")"
	t_done
	exit
fi
trap 'sh "$CLM_TOP/tests/objstore/dav-server.sh" stop "$top/dav"' EXIT
store="$url/models"

sh "$CLM_TOP/fixtures/clmodel-tiny-base.sh" "$top/base"
git init -q --bare --initial-branch=main "$top/origin.git"
git init -q "$top/a"
cd "$top/a"
echo one > f && git add f && git commit -qm one
git remote add origin "$top/origin.git"
git push -q origin HEAD:main
git config clmodel.store.url "$store"
git config clmodel.store.threshold 100

t_ok "init with an object store" clm init --base "$top/base"
t_grep "the 128-byte embedding is a pointer file" "^clmodel-object v1" \
	git cat-file -p refs/clmodel/models/default:weights/wte.weight
t_grep "the 64-byte tensor stays a blob" "wpe\+" git cat-file -p refs/clmodel/models/default:weights/wpe.weight
sha=$(git cat-file -p refs/clmodel/models/default:weights/wte.weight | sed -n 's/^sha256 //p')
t_ok "the bytes are in the local cache" test -f .git/clmodel/objects/$sha
t_ok "export reads them from the cache" clm export --format safetensors --out "$top/out-a"
t_ok "push uploads them" clm push origin
t_ok "the object is on the server" test -f "$top/dav/data/models/$sha"

git clone -q "$top/origin.git" "$top/b"
cd "$top/b"
git config clmodel.store.url "$store"
t_ok "fetch brings versions and their objects" clm fetch origin
t_ok "the object is in the clone's cache" test -f .git/clmodel/objects/$sha
t_ok "export in the clone" clm export --format safetensors --out "$top/out-b"
t_ok "same weights on both sides" cmp "$top/out-a/model.safetensors" "$top/out-b/model.safetensors"

# A corrupted cached copy is noticed, removed and downloaded again.
printf 'X' | dd of=.git/clmodel/objects/$sha bs=1 seek=3 conv=notrunc 2>/dev/null
t_ok "a corrupted cached copy is fetched again" clm export --format safetensors --out "$top/out-b2"
t_ok "and the result is right" cmp "$top/out-a/model.safetensors" "$top/out-b2/model.safetensors"

# A corrupted object on the server is refused and nothing of it is kept.
printf 'X' | dd of="$top/dav/data/models/$sha" bs=1 seek=3 conv=notrunc 2>/dev/null
rm -f .git/clmodel/objects/$sha
t_exit 1 "a corrupted object is refused" clm export --format safetensors --out "$top/out-c"
t_grep "the message says why" "sha256" clm export --format safetensors --out "$top/out-c"
t_ok "nothing of it is cached" test ! -e .git/clmodel/objects/$sha

# A clone without a configured store cannot load the tensor and says what to configure.
git clone -q "$top/origin.git" "$top/c"
cd "$top/c"
t_exit 1 "fetch without a store fails" clm fetch origin
t_grep "and says how to configure one" "clmodel.store.url" clm fetch origin
t_done
