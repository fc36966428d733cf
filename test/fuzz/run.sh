#!/usr/bin/env bash
# Builds the parser fuzzer (clang + libFuzzer + ASan/UBSan) into build-fuzz/ and runs it
# on the seed corpus for SECONDS (default 60). Crashing inputs land in build-fuzz/crashes/.
#   usage: test/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
secs="${1:-60}"; shift || true
cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DX07_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$root/build-fuzz" -j2 --target x07_fuzz_parsers
work="$root/build-fuzz/corpus"; mkdir -p "$work" "$root/build-fuzz/crashes"
cp -n "$root"/test/fuzz/corpus/* "$work"/ 2>/dev/null || true
cd "$root/build-fuzz"
ASAN_OPTIONS=detect_leaks=0 ./test/fuzz/x07_fuzz_parsers -max_total_time="$secs" -max_len=65536 \
  -artifact_prefix="$root/build-fuzz/crashes/" "$@" "$work"
