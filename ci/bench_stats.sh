#!/usr/bin/env bash
# ci/bench_stats.sh: times esbench's significance tests (not run in CI).
#
#   1. build/bench_stats: paired bootstrap (1,000 resamples, with 95%
#      intervals) and approximate randomization (10,000 trials) for corpus
#      BLEU plus three per-instance mean metrics, 10,000 instances, one
#      thread, median of 5 (issue 6's budget: each under 1 s).
#   2. The whole `esbench compare` process on a generated run of about
#      10,000 ExTES-shaped instances with three models (a baseline and two
#      systems) and the suite's nine metrics (BLEU-1..4, ROUGE-L,
#      Distinct-1..3, strategy accuracy), median of 3.
#
# For scale, sacreBLEU 2.6 on this machine kind, whole process on 10,000
# lines with a baseline and two systems (BLEU only): 3.8 s for --paired-bs
# and 9.2 s (1.1 GiB) for --paired-ar (it is not installable here, so the
# ratio is taken against those figures).
#
#   ci/bench_stats.sh            BUILD_DIR=build-release ci/bench_stats.sh
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
[ -x "$build/bench_stats" ] && [ -x "$build/esbench" ] || { echo "build first: ci/setup.sh" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "== 1. the tests alone"
"$build/bench_stats" 5 2>/dev/null
echo "== 2. esbench compare, whole process"
python3 tests/fixtures/make_extes_e2e.py 15000 >"$tmp/extes.json"
sed -e 's/^  context_turns: 8/  context_turns: 8\n  max_instances: 10000/' \
    -e "s#prompts/#$PWD/suites/prompts/#; s#labels/extes#$PWD/suites/labels/extes#" \
    suites/extes.yaml >"$tmp/suite.yaml"
ESBENCH_EXTES_PATH="$tmp/extes.json" "$build/esbench" run "$tmp/suite.yaml" --offline \
  --out-dir "$tmp/runs" --name big --quiet >/dev/null
n=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['dataset']['instances']['evaluated'])" "$tmp/runs/big/results.json")
times=()
for _ in 1 2 3; do
  s=$(date +%s.%N)
  "$build/esbench" compare "$tmp/runs/big" --no-write >/dev/null
  times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "esbench compare, $n instances, 3 models x 9 metrics, bootstrap 1000 + AR 10000: median ${median} s"
s=$(date +%s.%N)
"$build/esbench" compare "$tmp/runs/big" --no-write --permutations 1 >/dev/null
echo "the same without approximate randomization (1 trial): $(echo "$(date +%s.%N) - $s" | bc) s"
