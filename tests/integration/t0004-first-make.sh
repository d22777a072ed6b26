#!/bin/sh
# `make test` works the first time on a machine without the packages: in a copy of the repository
# (no folder beside it), with stub pkg-config, dpkg-query and apt-get on PATH that know no package
# until the stub apt-get has "installed" them (then pkg-config is the real one), ONE `make test`
# installs, builds, links and passes. `make demo` goes through the same rule. The copy keeps one
# unit test and one integration script, so the run costs one library build at -O0.
. "$CLM_TOP/tests/integration/lib.sh"

: "${CLM_GRAMMARS:?run through make test (CLM_GRAMMARS names the built grammars)}"
real_pkg_config=$(command -v pkg-config)
here=$PWD
state=$here/state
mkdir -p stub "$state"

# The stubs. Before the install: pkg-config prints nothing and fails, dpkg-query knows nothing.
cat > stub/pkg-config <<EOF
#!/bin/sh
[ -f "$state/installed" ] || exit 1
exec "$real_pkg_config" "\$@"
EOF
cat > stub/dpkg-query <<EOF
#!/bin/sh
[ -f "$state/installed" ] || { echo "dpkg-query: no packages found matching \$*" >&2; exit 1; }
echo "install ok installed"
EOF
cat > stub/apt-get <<EOF
#!/bin/sh
echo "\$*" >> "$state/apt-get.log"
case " \$* " in *" install "*) touch "$state/installed" ;; esac
EOF
printf '#!/bin/sh\nexec "$@"\n' > stub/sudo
chmod +x stub/*

# The copy: the working tree as it is, without build output, trimmed to one unit test
# (it reads tests/data) and one integration script (the CodeTask data and the no-outside-data check).
mkdir repo
(cd "$CLM_TOP" && tar --exclude=./build --exclude=./.git --exclude=node_modules -cf - .) | (cd repo && tar -xf -)
find repo/tests/unit -name 'test_*.c' ! -name test_eval_bleu.c -exec rm {} +
find repo/tests/integration -name 't*.sh' ! -name t6001-codetask-data.sh -exec rm {} +
rm -f repo/tests/fuzz/fuzz_*.c

# The grammars already built, read-only: their folders linked, the archive copied, both stamps
# newer than the copy's lock file so nothing is fetched or rebuilt.
mkdir grammars
for g in "$CLM_GRAMMARS"/*; do
	case "$g" in */libgrammars.a) ;; *) ln -s "$g" grammars/ ;; esac
done
touch grammars/.fetched
cp "$CLM_GRAMMARS/libgrammars.a" grammars/ && touch grammars/libgrammars.a

# The outer make's settings must not reach the inner one.
fresh_make() {
	(cd repo && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u BUILD -u CLM_TESTS PATH="$here/stub:$PATH" \
		make -j2 GRAMMARS="$here/grammars" CFLAGS="-O0 -g0" "$@")
}

fresh_make all > plain.log 2>&1
t_ok "before deps, a plain make fails" test $? -eq 2
t_grep "and says to run make deps" "pkg-config does not find all of .*: run 'make deps' first" cat plain.log
t_ok "the stubs installed nothing yet" test ! -f "$state/installed"
t_ok "nothing was compiled" test ! -d repo/build/obj/libcore

fresh_make test > first.log 2>&1
rc=$?
t_ok "the first make test succeeds" test "$rc" -eq 0
t_grep "it installed the missing packages" '^deps: installing .*libgit2-dev' cat first.log
t_grep "through apt-get install" '^install -y -qq .*libtree-sitter-dev' cat "$state/apt-get.log"
t_ok "it linked the binary" test -x repo/build/git-clmodel
t_ok "the binary runs" repo/build/git-clmodel --version
t_grep "the copy's tests ran and passed" '^[1-9][0-9]* passed, 0 failed$' cat first.log
t_ok "the unit test reading tests/data ran" grep -q '^test_eval_bleu  *[1-9]' first.log

: > "$state/apt-get.log"
t_ok "make deps again is silent" test -z "$(fresh_make deps 2>&1)"
t_ok "and asks apt-get nothing" test ! -s "$state/apt-get.log"
t_done
