#!/bin/sh
# Grammar fetching refuses a tarball whose sha256 differs from the lock, and an ABI-15 grammar.
. "$CLM_TOP/tests/integration/lib.sh"

fetch="$CLM_TOP/parsers/fetch-grammars.sh"
mkdir -p pkg/package/src tarballs
cat > pkg/package/src/parser.c <<'C'
#define LANGUAGE_VERSION 15
C
tar czf tarballs/tree-sitter-fake-1.0.0.tgz -C pkg package
sum=$(sha256sum tarballs/tree-sitter-fake-1.0.0.tgz | cut -d' ' -f1)

echo "tree-sitter-fake 1.0.0 0000000000000000000000000000000000000000000000000000000000000000 fake=." > bad-sum.lock
t_exit 1 "wrong sha256 is refused" env CLM_GRAMMAR_TARBALLS="$PWD/tarballs" sh "$fetch" bad-sum.lock out1
t_grep "wrong sha256 message" "sha256 mismatch" env CLM_GRAMMAR_TARBALLS="$PWD/tarballs" sh "$fetch" bad-sum.lock out1

echo "tree-sitter-fake 1.0.0 $sum fake=." > abi15.lock
t_exit 1 "ABI 15 grammar is refused" env CLM_GRAMMAR_TARBALLS="$PWD/tarballs" sh "$fetch" abi15.lock out2
t_grep "ABI message names grammar and range" "grammar 'fake' has ABI 15.*accepts 13-14" env CLM_GRAMMAR_TARBALLS="$PWD/tarballs" sh "$fetch" abi15.lock out2
t_ok "refused grammar is not left unpacked" test ! -e out2/tree-sitter-fake/package

sed -i 's/15/14/' pkg/package/src/parser.c
tar czf tarballs/tree-sitter-fake-1.0.0.tgz -C pkg package
sum=$(sha256sum tarballs/tree-sitter-fake-1.0.0.tgz | cut -d' ' -f1)
echo "tree-sitter-fake 1.0.0 $sum fake=." > ok.lock
t_ok "ABI 14 grammar with the right sum is accepted" env CLM_GRAMMAR_TARBALLS="$PWD/tarballs" sh "$fetch" ok.lock out3
t_ok "accepted grammar is unpacked" test -f out3/tree-sitter-fake/src/parser.c
t_done
