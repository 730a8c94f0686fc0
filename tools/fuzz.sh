#!/usr/bin/env bash
# Builds the libFuzzer targets and fuzzes, for a bounded total time, `bash tools/fuzz.sh [SECONDS]`
# (default 60), split in half: the scene parser, validator and Model (seeds: the examples and the
# fixture scenes), then the ONNX reader (seeds: the ONNX fixtures and the examples exported as ONNX
# by build/native/cnnlens, which tools/build.sh builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
onnx_seconds=$((seconds / 2))
scene_seconds=$((seconds - onnx_seconds))

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

corpus=build/fuzz/corpus
mkdir -p "$corpus"
# prefixed, as an example and a seed may share a name (residual.json)
for scene in examples/*.json; do cp "$scene" "$corpus/example-$(basename "$scene")"; done
for scene in tests/fuzz/seeds/*.json; do cp "$scene" "$corpus/seed-$(basename "$scene")"; done
for fixture in tests/fixtures/reference/*.json tests/fixtures/graph/*.json; do
  node -e 'const f = require(process.argv[1]); process.stdout.write(JSON.stringify(f.scene))' "$PWD/$fixture" \
    > "$corpus/$(basename "$(dirname "$fixture")")-$(basename "$fixture")"
done

onnx_corpus=build/fuzz/onnx-corpus
mkdir -p "$onnx_corpus"
cp tests/fixtures/onnx/*.onnx "$onnx_corpus/"
for example in examples/*.json; do
  build/native/cnnlens export "$example" -o "$onnx_corpus/example-$(basename "$example" .json).onnx"
done

# run TARGET CORPUS SECONDS [options]: -rss_limit_mb and -timeout turn memory blow-ups and hangs
# into failures.
run() {
  local target=$1 corpus_dir=$2 time=$3
  shift 3
  local log=build/fuzz/last-run-$target.log
  if ! (cd build/fuzz && "tests/fuzz/$target" "../../$corpus_dir" -max_total_time="$time" -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 "$@") >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "fuzz: $target FAILED (full log: $log; the input is in build/fuzz/crash-* or leak-*)"
    exit 1
  fi
  echo "fuzz: $target"
  grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$log"
}

run scene_fuzzer "$corpus" "$scene_seconds" -max_len=8192 -dict=../../tests/fuzz/scene.dict
run onnx_fuzzer "$onnx_corpus" "$onnx_seconds" -max_len=65536
echo "fuzz: no crash, leak, timeout or undefined behaviour"
