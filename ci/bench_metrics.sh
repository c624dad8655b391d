#!/usr/bin/env bash
# ci/bench_metrics.sh: times `esbench score` on 10,000 segment pairs, whole
# process, and prints the median of N runs (default 21) for each profile on
# one core and for all profiles together on two threads, with peak memory.
#
#   ci/bench_metrics.sh [BUILD_DIR] [RUNS]
#
# The pairs are the golden sets (tests/golden/synth, and ../shared's
# esconv-test when present) repeated to 10,000 lines. Not run in CI. Uses
# hyperfine (Debian package) when installed, which times the command with no
# shell in between; otherwise a timing loop in bash (a few ms higher).
# Reference figures on this machine kind (whole process, 10,000 pairs):
#   sacrebleu corpus BLEU 1.17 s, rouge_score rougeL 0.90 s (2.4 s with
#   stemmer), nltk corpus BLEU with word_tokenize 4.1 s; ~6 s together.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-21}
bin=$build/esbench
[ -x "$bin" ] || { echo "build first: ci/setup.sh" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sets=(tests/golden/synth)
[ -d ../shared/golden/esconv-test ] && sets+=(../shared/golden/esconv-test)
for f in ref hyp_a; do
  : >"$tmp/$f.all"
  for s in "${sets[@]}"; do cat "$s/$f.txt" >>"$tmp/$f.all"; done
  : >"$tmp/$f.txt"
  while [ "$(wc -l <"$tmp/$f.txt")" -lt 10000 ]; do cat "$tmp/$f.all" >>"$tmp/$f.txt"; done
  head -n 10000 "$tmp/$f.txt" >"$tmp/$f.10k" && mv "$tmp/$f.10k" "$tmp/$f.txt"
done
echo "input: $(wc -l <"$tmp/ref.txt") pairs, $(cat "$tmp/ref.txt" "$tmp/hyp_a.txt" | wc -c) bytes (from ${sets[*]})"

median_ms() { # command... -> median wall time in ms over $runs runs
  if command -v hyperfine >/dev/null; then
    # no shell between the timer and the command (Debian package hyperfine)
    local out
    out=$(mktemp)
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$out" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.1f" % (1000 * json.load(open(sys.argv[1]))["results"][0]["median"]))' "$out"
    rm -f "$out"
    return
  fi
  local t=()
  for _ in $(seq "$runs"); do
    local a b
    a=$(date +%s%N); "$@" >/dev/null; b=$(date +%s%N)
    t+=($(( (b - a) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%.1f", v[int((NR+1)/2)]/1000}'
}
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

printf '%-34s %10s %10s\n' "case" "median ms" "peak MiB"
for p in esconv sacrebleu rouge_score; do
  cmd=("$bin" score --ref "$tmp/ref.txt" --hyp "$tmp/hyp_a.txt" --profile "$p" --threads 1)
  printf '%-34s %10s %10.1f\n' "$p, 1 thread" "$(median_ms "${cmd[@]}")" "$(echo "$(peak_kib "${cmd[@]}") / 1024" | bc -l)"
done
cmd=("$bin" score --ref "$tmp/ref.txt" --hyp "$tmp/hyp_a.txt" --profile all --threads 2)
printf '%-34s %10s %10.1f\n' "all profiles, 2 threads" "$(median_ms "${cmd[@]}")" "$(echo "$(peak_kib "${cmd[@]}") / 1024" | bc -l)"
cmd=("$bin" score --ref "$tmp/ref.txt" --hyp "$tmp/hyp_a.txt" --profile all --threads 1)
printf '%-34s %10s %10.1f\n' "all profiles, 1 thread" "$(median_ms "${cmd[@]}")" "$(echo "$(peak_kib "${cmd[@]}") / 1024" | bc -l)"

# Side by side: nltk itself, where Debian's python3-nltk (3.8) is installed
# and ../shared has the Punkt parameters (sacrebleu and rouge_score are not
# packaged for Debian, so only their published figures above compare).
punkt=../shared/golden/punkt-english
if /usr/bin/python3 -c 'import sys, nltk; sys.exit(nltk.__version__ != "3.8")' 2>/dev/null && [ -d "$punkt" ]; then
  ref_runs=${REF_RUNS:-5}
  nltk_ms=$(runs=$ref_runs median_ms /usr/bin/python3 ci/bench_reference_nltk.py "$punkt" "$tmp/ref.txt" "$tmp/hyp_a.txt")
  ours=("$bin" score --ref "$tmp/ref.txt" --hyp "$tmp/hyp_a.txt" --profile esconv --threads 1)
  ours_ms=$(median_ms "${ours[@]}")
  echo
  echo "nltk 3.8 word_tokenize + corpus_bleu (median of $ref_runs): $nltk_ms ms; esbench esconv profile, 1 thread: $ours_ms ms; ratio $(echo "$nltk_ms / $ours_ms" | bc -l | xargs printf '%.0f')x"
  echo "BLEU-4: nltk $(/usr/bin/python3 ci/bench_reference_nltk.py "$punkt" "$tmp/ref.txt" "$tmp/hyp_a.txt"), esbench $("${ours[@]}" --json | /usr/bin/python3 -c 'import json,sys; print("%.6f" % json.load(sys.stdin)["systems"][0]["esconv"]["bleu-4"]["value"])')"
fi
