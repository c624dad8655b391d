#!/usr/bin/env bash
# ci/bench_report.sh: the report's size and load-time budget (issue 7) on a
# generated run of about 10,000 instances and 6 models (three builtins and
# three replay models), not run in CI. Prints the size of report.html and
# results.json, the time `esbench run` and `esbench report` take, and the
# page's load time in headless Chromium (performance loadEventEnd, and the
# whole driver.get), median of 5. Budget: under 15 MB, under 2 s.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
py=""
for p in python3 /usr/bin/python3; do "$p" -c "import selenium" 2>/dev/null && { py=$p; break; }; done
[ -n "$py" ] || { echo "needs python3-selenium, chromium and chromium-driver" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tests/fixtures/make_extes_e2e.py 15000 >"$tmp/extes.json"
sed -e 's/^  context_turns: 8/  context_turns: 8\n  max_instances: 10000/' \
    -e "s#prompts/#$PWD/suites/prompts/#; s#labels/extes#$PWD/suites/labels/extes#" \
    -e 's/^  formats: .*/  formats: [json]/' suites/extes.yaml >"$tmp/three.yaml"
export ESBENCH_EXTES_PATH="$tmp/extes.json"
"$build/esbench" run "$tmp/three.yaml" --offline --out-dir "$tmp/runs" --name three --quiet >/dev/null
python3 - "$tmp" <<'PY'
import json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/three/results.json"))
for src, dst in (("retrieval", "r2"), ("majority", "m2"), ("reference", "g2")):
    with open("%s/%s.jsonl" % (T, dst), "w") as f:
        for inst in r["instances"]:
            rep = inst["replies"][src]
            if "reply" in rep:
                f.write(json.dumps({"id": inst["id"], "reply": rep["reply"][::-1] if dst == "g2" else rep["reply"] + " ok"}) + "\n")
PY
sed -e "/^  - name: reference/,/^    builtin: reference/{/builtin: reference/a\\
  - {name: r2, type: replay, path: $tmp/r2.jsonl}\\
  - {name: m2, type: replay, path: $tmp/m2.jsonl}\\
  - {name: g2, type: replay, path: $tmp/g2.jsonl}
}" -e 's/^  formats: .*/  formats: [json, csv, html]/' "$tmp/three.yaml" >"$tmp/six.yaml"
s=$(date +%s.%N)
"$build/esbench" run "$tmp/six.yaml" --offline --out-dir "$tmp/runs" --name six --quiet >/dev/null
run_s=$(echo "$(date +%s.%N) - $s" | bc)
s=$(date +%s.%N)
"$build/esbench" report "$tmp/runs/six" 2>/dev/null
report_s=$(echo "$(date +%s.%N) - $s" | bc)
R="$tmp/runs/six"
n=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(r['dataset']['instances']['evaluated'], len(r['models']))" "$R/results.json")
echo "instances and models: $n"
echo "report.html: $(stat -c %s "$R/report.html") bytes; results.json: $(stat -c %s "$R/results.json") bytes"
echo "esbench run (6 models, with the report): ${run_s} s; esbench report again: ${report_s} s"
loads=(); gets=()
for _ in 1 2 3 4 5; do
  read -r load get err < <("$py" tests/report_browser.py --time "$R/report.html")
  loads+=("$load"); gets+=("$get")
  [ "$err" = 0 ] || echo "console errors: $err"
done
echo "Chromium: loadEventEnd median $(printf '%s\n' "${loads[@]}" | sort -n | sed -n 3p) ms; driver.get median $(printf '%s\n' "${gets[@]}" | sort -n | sed -n 3p) ms"
