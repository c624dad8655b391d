#!/usr/bin/env bash
# The HTML and CSV reports (issue 7): a run whose replies and data carry
# script injections and spreadsheet formulas. The CSV files round-trip
# through Python's csv module with the formulas neutralised; `esbench
# report` renders every output again, byte for byte, from results.json; and
# headless Chromium (Selenium, chromedriver) opens report.html: no console
# error, no network request, no injected script runs, the summary table and
# every chart are there, the example browser filters. The screenshot is kept
# in $ESBENCH_ARTIFACTS (default: the build folder's test-artifacts/).
source "$(dirname "$0")/lib.bash"
need_python
cd "$ESBENCH_SRC"
# half of the dialogues get a scene with markup in it
python3 - "$ESBENCH_TESTS/fixtures/extes/e2e.json" "$T/extes.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for k, dlg in enumerate(d):
    if k % 2 == 0 and isinstance(dlg.get("scene"), str):
        dlg["scene"] = dlg["scene"] + ' <img src=x onerror="window.__xss=6">'
json.dump(d, open(sys.argv[2], "w"))
PY
export ESBENCH_EXTES_PATH="$T/extes.json"
sed -e "s#prompts/#$ESBENCH_SRC/suites/prompts/#" -e "s#labels/extes.yaml#$ESBENCH_SRC/suites/labels/extes.yaml#" \
  suites/extes.yaml >"$T/base.yaml"
"$ESBENCH" run "$T/base.yaml" --offline --out-dir "$T/runs" --name ids --quiet >/dev/null 2>"$T/err" || fail "ids run: $(cat "$T/err")"
python3 - "$T" <<'PY' || fail "attack replay file"
import json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/ids/results.json"))
attacks = ["<script>document.title='pwned';window.__xss=1</script> I hear you.",
           '<img src=x onerror="window.__xss=2"> That sounds hard.',
           "</textarea><script>window.__xss=3</script> Tell me more.",
           '<a href="javascript:window.__xss=4">click</a> javascript: here',
           "</script><script>window.__xss=5</script> closing the data block",
           "=HYPERLINK(\"http://x\",\"y\") formula", "+1+1", "-2 minus", "@SUM(A1)", "\tTAB start"]
with open(T + "/attack.jsonl", "w") as f:
    for k, inst in enumerate(r["instances"]):
        f.write(json.dumps({"id": inst["id"], "reply": "[Affirmation] " + attacks[k % len(attacks)]}) + "\n")
PY
sed -e "/^models:/,/^metrics:/c\\
models:\\
  - name: retrieval\\
    type: builtin\\
    builtin: retrieval\\
  - name: attacker\\
    type: replay\\
    path: $T/attack.jsonl\\
  - name: reference\\
    type: builtin\\
    builtin: reference\\
metrics:" -e "s/^  formats: .*/  formats: [json, csv, html, latex, markdown]/" "$T/base.yaml" >"$T/suite.yaml"
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name rep --quiet >/dev/null 2>"$T/err" \
  || fail "report run: $(cat "$T/err")"
R="$T/runs/rep"
for f in results.json summary.csv instances.csv report.html table.tex table.md; do
  check "$f written" test -s "$R/$f"
done
check "no script of the data in the page" test -z "$(grep -o '<script>window.__xss' "$R/report.html" || true)"
check "no remote reference in the page" test -z "$(grep -oE '(src|href)="(https?:)?//' "$R/report.html" || true)"
python3 - "$R" <<'PY' || fail "CSV round trip"
import csv, json, sys
R = sys.argv[1]
r = json.load(open(R + "/results.json"))
rows = list(csv.reader(open(R + "/instances.csv", newline="", encoding="utf-8")))
head = rows[0]
assert all(len(x) == len(head) for x in rows), "ragged instances.csv"
assert len(rows) == 1 + 3 * len(r["instances"]), len(rows)
reply = head.index("reply")
got = [x[reply] for x in rows[1:] if x[1] == "attacker"]
assert any("<script>" in c for c in got) and any("=HYPERLINK" in c for c in got)
summ = list(csv.DictReader(open(R + "/summary.csv", newline="", encoding="utf-8")))
assert set(summ[0].keys()) >= {"model", "metric", "value", "ci_low", "ci_high", "p", "p_adjusted", "n"}
b4 = [x for x in summ if x["model"] == "reference" and x["metric"] == "bleu-4"][0]
assert float(b4["ci_low"]) <= float(b4["value"]) <= float(b4["ci_high"]) and b4["p"] and b4["p_adjusted"]
base = [x for x in summ if x["model"] == "retrieval" and x["metric"] == "bleu-4"][0]
assert base["p"] == "" and base["p_adjusted"] == "", base
PY
# formula cells at the start of a cell come back neutralised
python3 - "$T" <<'PY' || fail "formula neutralising"
import json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/ids/results.json"))
with open(T + "/formula.jsonl", "w") as f:
    for k, inst in enumerate(r["instances"]):
        f.write(json.dumps({"id": inst["id"], "reply": ["=1+1", "+SUM(A1)", "-cmd", "@x", "\tt", "\rr"][k % 6]}) + "\n")
PY
sed -e "/^models:/,/^metrics:/c\\
models:\\
  - name: formula\\
    type: replay\\
    path: $T/formula.jsonl\\
metrics:" -e "s/^  baseline: retrieval/  baseline: formula/" "$T/base.yaml" >"$T/formula.yaml"
"$ESBENCH" run "$T/formula.yaml" --offline --out-dir "$T/runs" --name formula --quiet >/dev/null 2>"$T/err" \
  || fail "formula run: $(cat "$T/err")"
python3 - "$T/runs/formula/instances.csv" <<'PY' || fail "formula cells"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
reply = rows[0].index("reply")
cells = [x[reply] for x in rows[1:]]
assert cells and all(c.startswith("'") for c in cells), cells[:6]
assert {c[1] for c in cells} == set("=+-@\t\r"), {c[:2] for c in cells}
PY
# esbench report renders every output again from results.json alone
mkdir -p "$T/orig"
cp "$R"/summary.csv "$R"/instances.csv "$R"/report.html "$T/orig/"
rm "$R"/summary.csv "$R"/instances.csv "$R"/report.html
"$ESBENCH" report "$R" >/dev/null 2>"$T/err" || fail "esbench report: $(cat "$T/err")"
for f in summary.csv instances.csv report.html; do
  check "esbench report: $f identical" cmp -s "$R/$f" "$T/orig/$f"
done
# the browser
browser_py=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c "import selenium" 2>/dev/null; then browser_py=$p; break; fi
done
if [ -n "$browser_py" ] && [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  art="${ESBENCH_ARTIFACTS:-$PWD/build/test-artifacts}"
  mkdir -p "$art"
  metrics=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(','.join(['bleu-1','bleu-2','bleu-3','bleu-4','rouge-l','dist-1','dist-2','dist-3','strategy-accuracy']))" "$R/results.json")
  if "$browser_py" "$ESBENCH_TESTS/report_browser.py" "$R/report.html" "$art/report.png" \
      retrieval,attacker,reference "$metrics" >"$T/browser.out" 2>&1; then
    ok
    cat "$T/browser.out"
  else
    fail "browser: $(tail -20 "$T/browser.out")"
  fi
  check "screenshot saved" test -s "$art/report.png"
elif [ "${ESBENCH_REQUIRE_BROWSER:-}" = 1 ]; then
  fail "chromium, chromedriver or python3-selenium is missing but required"
else
  echo "note: chromium, chromedriver or python3-selenium is missing: the browser check is skipped"
fi
finish
