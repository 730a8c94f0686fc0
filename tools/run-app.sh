#!/usr/bin/env bash
# Sets everything up, builds the page and serves it: open the printed URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bash tools/build.sh
echo
echo "CNN Lens is at http://127.0.0.1:${PORT:-5173}/  (Ctrl+C stops the server)"
exec npx vite preview --config web/vite.config.ts --host 127.0.0.1 --port "${PORT:-5173}" --strictPort
