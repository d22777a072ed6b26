#!/bin/sh
# Install the npm packages pinned in package-lock.json into tests/node/node_modules (ignored by
# git). Only the first run needs the network: later runs find the stamp and do nothing.
# Exit status: 0 ready, 2 node or npm missing, 3 the install failed (offline?).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
stamp="$dir/node_modules/.clm-installed"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || exit 2
if [ -f "$stamp" ] && [ ! "$dir/package-lock.json" -nt "$stamp" ]; then
	exit 0
fi
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=30000 >&2) || exit 3
touch "$stamp"
