#!/usr/bin/env bash
# Sets everything up and runs every test: native (GoogleTest, also under ASan+UBSan), a bounded
# libFuzzer run, the wasm module in Node, the built page in headless Chromium, the page's
# PyTorch export run by PyTorch, and the npm package (tests/package).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
# ccache keys on paths relative to the checkout, so a fresh clone reuses an earlier build's objects.
export CCACHE_BASEDIR="$PWD"
# Debug builds (-g) would also hash the directory; without that a new clone reuses the objects too
# (its debug info then names the first checkout's directory, which no test reads).
export CCACHE_NOHASHDIR=1

# each stage's heading says when it began, so a slow CI run shows which stage took the time
stage() { echo "== $1 ($(date -u +%H:%M:%S) UTC, ${SECONDS} s in)"; }

stage "setup (tools/setup.sh)"
bash tools/setup.sh
stage "build (tools/build.sh)"
bash tools/build.sh

stage "native tests"
ctest --preset native

stage "native tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize
ctest --preset sanitize

stage "libFuzzer over the scene parser and Model, then the ONNX reader (60 s in all)"
bash tools/fuzz.sh "${FUZZ_SECONDS:-60}"

stage "wasm module in Node"
npm run --silent test:node

stage "page in headless Chromium"
npm run --silent test:browser

stage "npm package: packed, installed into a Vite app and a plain page; Markdown fences; docs site"
npm run --silent test:package

stage "exported PyTorch scripts against the wasm module (Debian's python3-torch)"
npm run --silent test:export

stage "done"
