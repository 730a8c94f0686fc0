#!/usr/bin/env bash
# Builds the libFuzzer target and fuzzes the scene parser, validator and Model for a bounded
# time: `bash tools/fuzz.sh [SECONDS]` (default 60). Seeds: the examples and the fixture scenes.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

corpus=build/fuzz/corpus
mkdir -p "$corpus"
cp examples/*.json tests/fuzz/seeds/*.json "$corpus/"
for fixture in tests/fixtures/reference/*.json tests/fixtures/graph/*.json; do
  node -e 'const f = require(process.argv[1]); process.stdout.write(JSON.stringify(f.scene))' "$PWD/$fixture" \
    > "$corpus/$(basename "$(dirname "$fixture")")-$(basename "$fixture")"
done

# -rss_limit_mb and -timeout turn memory blow-ups and hangs into failures.
log=build/fuzz/last-run.log
if ! build/fuzz/tests/fuzz/scene_fuzzer "$corpus" -max_total_time="$seconds" -max_len=8192 \
  -rss_limit_mb=2048 -timeout=10 -dict=tests/fuzz/scene.dict -print_final_stats=1 >"$log" 2>&1; then
  tail -n 80 "$log"
  echo "fuzz: FAILED (full log: $log)"
  exit 1
fi
grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss_mb)" "$log"
echo "fuzz: no crash, leak, timeout or undefined behaviour"
