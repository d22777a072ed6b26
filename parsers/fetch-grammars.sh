#!/bin/sh
# Fetch the pinned tree-sitter grammars with `npm pack` (or, without npm, curl from the npm
# registry), verify each tarball against the sha256 in the lock file, refuse any grammar whose ABI
# the system libtree-sitter cannot load, and unpack into OUT/<package>/. Run by `make grammars`;
# nothing it produces is committed.
#
# usage: fetch-grammars.sh LOCKFILE OUTDIR
# env:   CLM_GRAMMAR_TARBALLS=DIR  take tarballs from DIR instead of npm (tests, offline builds)
#        CLM_NPM_REGISTRY=URL  registry for curl when npm is missing (default https://registry.npmjs.org)
#        CLM_TS_ABI_MIN / CLM_TS_ABI_MAX  accepted grammar ABI range (default 13..14, libtree-sitter 0.20.7)
set -eu

lock=${1:?usage: fetch-grammars.sh LOCKFILE OUTDIR}
out=${2:?usage: fetch-grammars.sh LOCKFILE OUTDIR}
abi_min=${CLM_TS_ABI_MIN:-13}
abi_max=${CLM_TS_ABI_MAX:-14}

die() { echo "fetch-grammars: $*" >&2; exit 1; }

mkdir -p "$out/tarballs"
grep -v '^[[:space:]]*#' "$lock" | grep -v '^[[:space:]]*$' | while read -r pkg ver sum folders; do
	base=$(echo "$pkg" | sed 's,^@,,; s,/,-,')
	tgz="$out/tarballs/$base-$ver.tgz"
	stamp="$out/$base/.verified-$sum"
	[ -f "$stamp" ] && continue
	if [ -n "${CLM_GRAMMAR_TARBALLS:-}" ]; then
		[ -f "$CLM_GRAMMAR_TARBALLS/$base-$ver.tgz" ] || die "$pkg@$ver: no tarball in $CLM_GRAMMAR_TARBALLS"
		cp "$CLM_GRAMMAR_TARBALLS/$base-$ver.tgz" "$tgz"
	elif [ ! -f "$tgz" ] && command -v npm >/dev/null 2>&1; then
		(cd "$out/tarballs" && npm pack --silent "$pkg@$ver" >/dev/null) || die "npm pack $pkg@$ver failed"
	elif [ ! -f "$tgz" ]; then
		# The registry's tarball address, as npm pack uses it: <package>/-/<name without scope>-<version>.tgz
		command -v curl >/dev/null 2>&1 || die "npm or curl is needed to fetch $pkg@$ver (make deps installs curl)"
		curl -fsSL --retry 3 -o "$tgz.part" "${CLM_NPM_REGISTRY:-https://registry.npmjs.org}/$pkg/-/${pkg#*/}-$ver.tgz" &&
			mv "$tgz.part" "$tgz" || { rm -f "$tgz.part"; die "downloading $pkg@$ver from the npm registry failed"; }
	fi
	got=$(sha256sum "$tgz" | cut -d' ' -f1)
	if [ "$got" != "$sum" ]; then
		rm -f "$tgz"
		die "$pkg@$ver: sha256 mismatch (expected $sum, got $got); refusing to build it"
	fi
	rm -rf "$out/$base" && mkdir -p "$out/$base"
	tar xzf "$tgz" -C "$out/$base" --strip-components=1
	for f in $folders; do
		name=${f%%=*}; dir=${f#*=}
		parser="$out/$base/$dir/src/parser.c"
		[ -f "$parser" ] || die "$pkg@$ver: grammar '$name' has no $dir/src/parser.c"
		abi=$(sed -n 's/^#define LANGUAGE_VERSION \([0-9]*\).*/\1/p' "$parser")
		if [ -z "$abi" ] || [ "$abi" -lt "$abi_min" ] || [ "$abi" -gt "$abi_max" ]; then
			rm -rf "$out/$base"
			die "$pkg@$ver: grammar '$name' has ABI ${abi:-unknown}; libtree-sitter here accepts $abi_min-$abi_max (pick a version built for that ABI)"
		fi
	done
	touch "$stamp"
	echo "grammar $pkg@$ver verified"
done
