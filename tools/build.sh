#!/usr/bin/env bash
# Builds the native tools and tests, the wasm module and the static page (web/dist).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's Emscripten finds its acorn module only through NODE_PATH (a quirk of the Debian package).
export NODE_PATH=/usr/share/nodejs
# ccache keys on paths relative to the checkout, so a fresh clone reuses an earlier build's objects.
export CCACHE_BASEDIR="$PWD"
# Debug builds (-g) would also hash the directory; without that a new clone reuses the objects too
# (its debug info then names the first checkout's directory, which no test reads).
export CCACHE_NOHASHDIR=1

cmake --preset native >/dev/null
cmake --build --preset native
cmake --preset wasm >/dev/null
cmake --build --preset wasm
npm run build
