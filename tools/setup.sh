#!/usr/bin/env bash
# Installs what building and testing CNN Lens needs on Debian 12, and nothing when it is all
# there already: Debian packages (compilers, Emscripten, header-only libraries, Chromium) and the
# npm packages pinned by package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  cmake ninja-build g++ ccache       # native build
  clang libclang-rt-14-dev           # libFuzzer + sanitizers for the fuzz target
  libgtest-dev                       # GoogleTest for the native tests
  libxtensor-dev nlohmann-json3-dev  # header-only tensor and JSON libraries used by the core
  libprotozero-dev                   # header-only protobuf reader/writer for ONNX import and export
  emscripten                         # em++ and Embind for the wasm module
  chromium                           # headless browser for the page tests
  fonts-wqy-microhei                 # a Chinese font, so the page's Chinese screenshots show glyphs
  firefox-esr                        # the offline single file is also tested in Firefox
  python3-torch                      # runs the exported PyTorch scripts (tests/export)
)

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm ci only when the lock file changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.cnnlens-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: npm ci"
  # onnxruntime-node (a test-only dev dependency) ships its CPU runtime; its install script would
  # otherwise try to download CUDA files from a host CI machines can't reach, and npm ci would fail.
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi
