#!/bin/sh
# Install node-llama-cpp (pinned in package-lock.json: prebuilt llama.cpp binaries) into
# build/llama-check/node_modules (ignored by git) and print that node_modules path. Only the
# first run needs the network; later runs find the stamp and do nothing.
# Exit status: 0 ready, 2 node or npm missing, 3 the install failed (offline?).
set -u
src=$(cd "$(dirname "$0")" && pwd)
dest="$src/../../build/llama-check"
stamp="$dest/node_modules/.clm-installed"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || exit 2
mkdir -p "$dest" || exit 3
dest=$(cd "$dest" && pwd)
if [ ! -f "$stamp" ] || [ "$src/package-lock.json" -nt "$stamp" ]; then
	cp "$src/package.json" "$src/package-lock.json" "$dest/" || exit 3
	(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 3
	touch "$stamp"
fi
echo "$dest/node_modules"
