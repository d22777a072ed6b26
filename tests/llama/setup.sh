#!/bin/sh
# Install node-llama-cpp (pinned in package-lock.json: prebuilt llama.cpp binaries) into
# build/llama-check/node_modules and print that node_modules path (tests/npm-install.sh; exit 2
# without node or npm, 3 when the install failed).
dir=$(dirname "$0")
exec sh "$dir/../npm-install.sh" "$dir" llama-check
