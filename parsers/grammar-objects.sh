#!/bin/sh
# Print "name version src_dir" for every grammar folder in the lock file, for the Makefile.
# usage: grammar-objects.sh LOCKFILE GRAMMARDIR
set -eu
grep -v '^[[:space:]]*#' "$1" | grep -v '^[[:space:]]*$' | while read -r pkg ver sum folders; do
	base=$(echo "$pkg" | sed 's,^@,,; s,/,-,')
	for f in $folders; do
		echo "${f%%=*} $ver $2/$base/${f#*=}/src"
	done
done
