#!/usr/bin/env bash
# ci/fuzz/run.sh [SECONDS]: builds the libFuzzer target for the metrics
# library with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs it on ci/fuzz/corpus for SECONDS (default 600), adding what it finds
# to the corpus. Needs clang and libclang-rt-14-dev (Debian). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
out=${FUZZ_BUILD:-build-fuzz}
mkdir -p "$out"
cc=${CC:-clang}
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DESBENCH_VERSION=\"fuzz\" -Imetrics"
# shellcheck disable=SC2086
$cc $flags ci/fuzz/fuzz_metrics.c metrics/*.c $(pkg-config --cflags --libs libpcre2-8) -lm -lpthread \
  -o "$out/fuzz_metrics"
mkdir -p ci/fuzz/corpus
"$out/fuzz_metrics" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=ci/fuzz/ \
  -print_final_stats=1 ci/fuzz/corpus
