#!/bin/sh
# The layer check itself: the real tree passes, and a copy of the layer table over a small tree
# fails for an include from a layer above, for a folder the table does not list, and passes again
# when the include is removed.
. "$CLM_TOP/tests/integration/lib.sh"

t_ok "the repository's includes follow ARCHITECTURE.md" sh "$CLM_TOP/tests/check-layers.sh"

mkdir -p fake/libcore/util fake/libcore/nn fake/parsers fake/cmd
cp "$CLM_TOP/ARCHITECTURE.md" fake/
printf '#include "util/error.h"\n' > fake/libcore/nn/ok.c
printf '#include "util/error.h"\n' > fake/libcore/util/error.h
printf '#include "util/error.h"\n' > fake/parsers/p.c
printf '#include "nn/ok.h"\n' > fake/cmd/main.c
t_ok "a tree that keeps to its layers passes" env CLM_LAYERS_TOP="$PWD/fake" sh "$CLM_TOP/tests/check-layers.sh"

printf '#include "cl/strategy.h"\n' > fake/libcore/nn/up.c
t_exit 1 "nn including cl (a layer above) fails" env CLM_LAYERS_TOP="$PWD/fake" sh "$CLM_TOP/tests/check-layers.sh"
t_grep "the message names the file and the folder" 'libcore/nn/up.c includes cl/' \
	env CLM_LAYERS_TOP="$PWD/fake" sh "$CLM_TOP/tests/check-layers.sh"
rm fake/libcore/nn/up.c

mkdir -p fake/libcore/newthing
printf '#include "util/error.h"\n' > fake/libcore/newthing/x.c
t_grep "a folder missing from the table is named" 'libcore/newthing is not in' \
	env CLM_LAYERS_TOP="$PWD/fake" sh "$CLM_TOP/tests/check-layers.sh"
rm -r fake/libcore/newthing
t_ok "passes again once fixed" env CLM_LAYERS_TOP="$PWD/fake" sh "$CLM_TOP/tests/check-layers.sh"
t_done
