#!/bin/sh
# Install the npm packages pinned in <src>/package-lock.json into build/<name>/node_modules
# (ignored by git) and print that node_modules path. Only the first run needs the npm registry;
# later runs find the stamp and do nothing. Used by tests/llama/setup.sh and tests/tok/setup.sh.
# Usage: npm-install.sh <src dir> <name>
# Exit status: 0 ready, 2 node or npm missing, 3 the install failed (offline?).
set -u
src=$(cd "$1" && pwd)
dest="$(cd "$(dirname "$0")/.." && pwd)/build/$2"
stamp="$dest/node_modules/.clm-installed"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || exit 2
mkdir -p "$dest" || exit 3
if [ ! -f "$stamp" ] || [ "$src/package-lock.json" -nt "$stamp" ]; then
	cp "$src/package.json" "$src/package-lock.json" "$dest/" || exit 3
	(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=30000 >&2) || exit 3
	touch "$stamp"
fi
echo "$dest/node_modules"
