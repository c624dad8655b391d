#!/usr/bin/env bash
# `esbench compare` and `esbench table` end to end (issue 6), on runs of
# the ExTES fixture: values equal the run's, the same seed gives the same
# bytes, models of two runs compare (names prefixed by run), runs of other
# instances are refused (exit 3), a broken results.json is exit 2; the
# tables in LaTeX (compiled with pdflatex when it is installed), Markdown
# and CSV, with published numbers.
source "$(dirname "$0")/lib.bash"
need_python
export ESBENCH_EXTES_PATH="$ESBENCH_TESTS/fixtures/extes/e2e.json"
cd "$ESBENCH_SRC"
for name in a b; do
  "$ESBENCH" run suites/extes.yaml --offline --out-dir "$T/runs" --name "$name" --quiet >/dev/null 2>"$T/err" \
    || fail "run $name: $(cat "$T/err")"
done
"$ESBENCH" compare "$T/runs/a" --permutations 2000 >"$T/cmp.out" 2>"$T/cmp.err" || fail "compare: $(cat "$T/cmp.err")"
cp "$T/runs/a/compare.json" "$T/first.json"
"$ESBENCH" compare "$T/runs/a" --permutations 2000 >/dev/null 2>&1 || fail "compare again"
check "the same seed gives the same compare.json" cmp -s "$T/first.json" "$T/runs/a/compare.json"
"$ESBENCH" compare "$T/runs/a" --permutations 2000 --seed 0 --no-write >"$T/seed0.out" 2>/dev/null || fail "compare --seed 0"
check "compare.csv written" test -s "$T/runs/a/compare.csv"
check "the table marks significance" grep -q "^majority .*\*$" "$T/cmp.out"
python3 - "$T" <<'PY' || fail "compare values"
import csv, json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/a/results.json"))
c = json.load(open(T + "/runs/a/compare.json"))
assert c["baseline"] == "retrieval" and c["seed"] == 12345 and c["permutations"] == 2000
assert "paired-ar:2000|seed:12345" in c["test_signature"]
rows = {(x["model"], x["metric"]): x for x in c["results"]}
for m in r["models"]:
    for k, v in m["metrics"].items():
        if k in ("bleu-1", "bleu-2", "bleu-3", "bleu-4", "rouge-l", "dist-1", "dist-2", "dist-3"):
            got = rows[(m["name"], k)]["value"]
            assert abs(got - v["value"]) < 1e-9, (m["name"], k, got, v["value"])
    acc = rows[(m["name"], "strategy-accuracy")]["value"]
    assert abs(acc - 100 * m["strategy"]["accuracy"]) < 1e-9
    for k in ("bleu-4", "rouge-l"):
        x = rows[(m["name"], k)]
        assert x["ci_low"] <= x["ci_high"]
ref = rows[("reference", "rouge-l")]
assert ref["significant"] and ref["p_paired_ar"] == 1 / 2001, ref
assert ref["p_ttest"] < 1e-3 and ref["p_wilcoxon"] < 0.01, ref
assert rows[("majority", "strategy-accuracy")]["p_mcnemar"] is not None
# Holm: adjusted never below raw, never above 1
for x in c["results"]:
    if "p_paired_ar" in x and x["p_paired_ar"] is not None:
        assert x["p_paired_ar"] <= x["p_paired_ar_holm"] <= 1
lines = list(csv.reader(open(T + "/runs/a/compare.csv", newline="")))
assert len(lines) == 1 + len(c["results"]) and all(len(l) == 15 for l in lines)
PY

# two runs: every model compared, names prefixed by their run
"$ESBENCH" compare "$T/runs/a" "$T/runs/b" --baseline a/retrieval --permutations 500 --out "$T" \
  >"$T/two.out" 2>"$T/two.err" || fail "compare two runs: $(cat "$T/two.err")"
check "models of both runs, prefixed" grep -q "^b/reference " "$T/two.out"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1] + "/compare.json"))
rows = {(x["model"], x["metric"]): x for x in c["results"]}
same = rows[("b/retrieval", "bleu-4")]
assert same["delta"] == 0 and same["p_paired_ar"] == 1 and same["p_paired_bs"] == 1, same
assert not same["significant"] and same["p_ttest"] is None, same
' "$T" || fail "a model against its own copy"

# other instances: refused
sed -e 's/^  context_turns: 8/  context_turns: 8\n  max_instances: 10/' suites/extes.yaml >"$T/small.yaml"
sed -i "s#prompts/#$ESBENCH_SRC/suites/prompts/#; s#labels/extes#$ESBENCH_SRC/suites/labels/extes#" "$T/small.yaml"
"$ESBENCH" run "$T/small.yaml" --offline --out-dir "$T/runs" --name small --quiet >/dev/null 2>"$T/err" \
  || fail "small run: $(cat "$T/err")"
set +e
"$ESBENCH" compare "$T/runs/a" "$T/runs/small" --no-write >/dev/null 2>"$T/inc.err"
code=$?
"$ESBENCH" compare "$T/runs/a" --baseline nobody --no-write >/dev/null 2>"$T/base.err"
code2=$?
mkdir -p "$T/broken"
echo '{"esbench": ' >"$T/broken/results.json"
"$ESBENCH" compare "$T/broken" --no-write >/dev/null 2>"$T/broken.err"
code3=$?
set -e
check "other instances: exit 3 (got $code)" test "$code" -eq 3
check "other instances: the reason" grep -q "evaluated different instances" "$T/inc.err"
check "unknown baseline: exit 2 (got $code2)" test "$code2" -eq 2
check "broken results.json: exit 2 (got $code3)" test "$code3" -eq 2
check "broken results.json: named" grep -q "is not an esbench results.json" "$T/broken.err"

# a model that failed some instances: every test runs on the instances both
# answered, Distinct's randomization test included
python3 - "$T" <<'PY' || fail "replay with gaps"
import json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/a/results.json"))
with open(T + "/gaps.jsonl", "w") as f:
    for k, inst in enumerate(r["instances"]):
        if k % 5 != 0:
            f.write(json.dumps({"id": inst["id"], "reply": inst["replies"]["retrieval"]["reply"][::-1]}) + "\n")
PY
sed -e "/^models:/,/^metrics:/c\\
models:\\
  - name: retrieval\\
    type: builtin\\
    builtin: retrieval\\
  - name: gaps\\
    type: replay\\
    path: $T/gaps.jsonl\\
metrics:" -e "s#prompts/#$ESBENCH_SRC/suites/prompts/#" -e "s#labels/extes.yaml#$ESBENCH_SRC/suites/labels/extes.yaml#" \
  suites/extes.yaml >"$T/gaps.yaml"
set +e
"$ESBENCH" run "$T/gaps.yaml" --offline --out-dir "$T/runs" --name gaps --quiet >/dev/null 2>"$T/gaps.err"
set -e
"$ESBENCH" compare "$T/runs/gaps" --permutations 500 >/dev/null 2>&1 || fail "compare with gaps"
python3 - "$T" <<'PY' || fail "tests on the instances both answered"
import json, sys
c = json.load(open(sys.argv[1] + "/runs/gaps/compare.json"))
rows = {(x["model"], x["metric"]): x for x in c["results"]}
d = rows[("gaps", "dist-2")]
assert d["n_paired"] == c["instances"] - (c["instances"] + 4) // 5, d
assert d["p_paired_ar"] is not None and d["p_paired_bs"] is not None, d
assert rows[("gaps", "bleu-4")]["n"] == d["n_paired"]
PY

# hand-edited or damaged results.json files: a clear exit (0, 2 or 3), never a crash
python3 - "$T" <<'PY' || fail "making damaged copies"
import copy, json, os, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/a/results.json"))
def variant(name, fn):
    x = copy.deepcopy(r)
    fn(x)
    os.makedirs("%s/bad/%s" % (T, name), exist_ok=True)
    json.dump(x, open("%s/bad/%s/results.json" % (T, name), "w"))
def cut(x):
    for i in x["instances"]:
        for rep in i["replies"].values():
            rep["cut"] = [9223372036854775808, 9223372036854775808]
def judge_array(x):
    for m in x["models"]:
        m["judge"] = [1, 2]
        m["failures"] = [3]
    x["judge"] = {"scale": [-2147483648, 0], "rubrics": [], "model": {}}
def no_fields(x):
    for m in x["models"]:
        for k in ("failed", "instances", "strategy", "metrics"):
            m.pop(k, None)
def huge(x):
    x["suite"]["stats"]["bootstrap"] = 2305843009213693952
def fewer(x):
    x["instances"] = x["instances"][:-1]
def nameless(x):
    x["models"][1]["name"] = None
def stats_garbage(x):
    for i in x["instances"]:
        for rep in i["replies"].values():
            rep["bleu_stats"] = [-5, 1e30, "x", None, 1, 2, 3, 4, 5, 6]
variant("metric", lambda x: x["suite"]["metrics"]["list"].append("bleu-9"))
variant("cut", cut)
variant("judge", judge_array)
variant("fields", no_fields)
variant("huge", huge)
variant("fewer", fewer)
variant("nameless", nameless)
variant("stats", stats_garbage)
PY
for v in metric cut judge fields huge fewer nameless stats; do
  for cmd in "compare $T/bad/$v --no-write --permutations 200" "report $T/bad/$v" \
             "compare $T/runs/a $T/bad/$v --no-write --baseline a/retrieval --permutations 200"; do
    set +e
    # shellcheck disable=SC2086
    "$ESBENCH" $cmd >/dev/null 2>"$T/bad.err"
    code=$?
    set -e
    check "damaged results.json ($v): esbench $cmd exits 0, 2 or 3, got $code: $(head -c 200 "$T/bad.err")" \
      test "$code" -eq 0 -o "$code" -eq 2 -o "$code" -eq 3
  done
done

# tables
cat >"$T/pub.yaml" <<'YAML'
source: "Some & Other (2024), Table 3"
models:
  retrieval: {B-1: 45.0, B-4: 37.5, R-L: 44.9}
YAML
"$ESBENCH" table "$T/runs/a" --permutations 2000 --published "$T/pub.yaml" --out "$T/table.tex" 2>"$T/tex.err" \
  || fail "table latex: $(cat "$T/tex.err")"
for want in '\\toprule' '\\midrule' '\\bottomrule' 'textbf' 'dagger' 'Some \\& Other' 'quad published'; do
  check "latex has $want" grep -q "$want" "$T/table.tex"
done
if command -v pdflatex >/dev/null; then
  printf '\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{table.tex}\n\\end{document}\n' >"$T/doc.tex"
  (cd "$T" && pdflatex -interaction=nonstopmode -halt-on-error doc.tex >"$T/pdflatex.log" 2>&1)
  check "the LaTeX table compiles ($(grep -m1 '^!' "$T/pdflatex.log" || true))" test -s "$T/doc.pdf"
else
  echo "note: pdflatex is not installed: the LaTeX table is checked for its structure only"
fi
"$ESBENCH" table "$T/runs/a" --permutations 2000 --format markdown --published "$T/pub.yaml" \
  --columns "B-1=bleu-1,B-4=bleu-4,R-L=rouge-l,Acc=strategy-accuracy" >"$T/table.md" || fail "markdown table"
check "markdown: published and delta rows" grep -q "^| retrieval (reproduced - published) | [+-][0-9]" "$T/table.md"
check "markdown: best in bold" grep -q "\*\*100.00\*\*" "$T/table.md"
"$ESBENCH" table "$T/runs/a" --permutations 2000 --format csv --columns "B-1=bleu-1,Acc=strategy-accuracy" \
  >"$T/table.csv" || fail "csv table"
python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["model", "row", "B-1", "Acc"] and len(rows) == 4, rows
' "$T/table.csv" || fail "csv table shape"
printf 'models:\n  retrieval: {B-1: high}\n' >"$T/badpub.yaml"
set +e
"$ESBENCH" table "$T/runs/a" --published "$T/badpub.yaml" >/dev/null 2>"$T/badpub.err"
code=$?
set -e
check "bad published file: exit 2 (got $code)" test "$code" -eq 2
check "bad published file: file:line:col" grep -q "badpub.yaml:2:[0-9]*: expected a number for B-1" "$T/badpub.err"
finish
