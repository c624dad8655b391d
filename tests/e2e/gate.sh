#!/usr/bin/env bash
# `esbench gate` (issue 8): a baseline run and current runs that differ by
# their replay model's replies. Pass (nothing changed); a regression (exit
# 1); a drop within its tolerance; a drop beyond it that chance explains
# (not significant: passes); a significant drop smaller than the tolerance
# (passes); a model missing from the current run (fails); a rule on a metric
# the runs do not report (exit 2); runs of other instances (exit 3); a
# malformed baseline (exit 2). gate.xml parses as JUnit (testsuite,
# testcase, failure) with Python's XML parser; gate.md summarises.
# --update-baseline writes the new baseline and says what changed.
source "$(dirname "$0")/lib.bash"
need_python
EXTES=$(extes_fixture 300)
suite() { # FILE REPLAY [MAX_INSTANCES]
  served_suite "$1" "  - {name: retrieval, type: builtin, builtin: retrieval}
  - {name: sys, type: replay, path: $2}" "${3:-500}"
  printf 'stats:\n  baseline: retrieval\n' >>"$1"
}
suite "$T/ids.yaml" /dev/null
"$ESBENCH" run "$T/ids.yaml" --offline --out-dir "$T/runs" --name ids --quiet >/dev/null 2>&1 || true
python3 - "$T" <<'PY' || fail "replay files"
import json, sys
T = sys.argv[1]
r = json.load(open(T + "/runs/ids/results.json"))
insts = r["instances"]
def write(name, fn):
    with open("%s/%s.jsonl" % (T, name), "w") as f:
        for k, inst in enumerate(insts):
            f.write(json.dumps({"id": inst["id"], "reply": fn(k, inst)}) + "\n")
tag = lambda inst: "[%s] " % inst["gold_strategy"] if inst["gold_strategy"] else ""
gold = lambda k, inst: tag(inst) + inst["gold"]
write("base", gold)
write("same", gold)
# a regression: most replies replaced by a generic one
write("worse", lambda k, inst: gold(k, inst) if k % 4 == 0 else "[Question] How are you feeling about it?")
# a small drop: two replies replaced
write("two", lambda k, inst: "[Question] How are you?" if k in (3, 7) else gold(k, inst))
# a tiny but consistent drop: every reply loses its last word
write("tiny", lambda k, inst: tag(inst) + " ".join(inst["gold"].split()[:-1]) if len(inst["gold"].split()) > 3 else gold(k, inst))
print(len(insts))
PY
run() { # NAME REPLAY [MAX_INSTANCES]
  suite "$T/$1.yaml" "$T/$2.jsonl" "${3:-500}"
  "$ESBENCH" run "$T/$1.yaml" --offline --out-dir "$T/runs" --name "$1" --quiet >/dev/null 2>"$T/$1.err" \
    || fail "run $1: $(cat "$T/$1.err")"
}
run base base
run same same
run worse worse
run two two
run tiny tiny
run small same 20
gate() { # RUN RULES -> exit code in $code, output in $T/gate.out
  set +e
  "$ESBENCH" gate "$T/runs/$1" --baseline "$T/runs/base" --rules "$2" >"$T/gate.out" 2>"$T/gate.err"
  code=$?
  set -e
}
cat >"$T/rules.yaml" <<'YAML'
alpha: 0.05
rules:
  - {metric: bleu-4, model: sys, max_drop: 1.0, significant: true}
  - {metric: rouge-l, model: sys, max_drop_relative: 0.05, significant: true}
  - {metric: strategy-accuracy, model: sys, max_drop: 0.5}
floors:
  - {metric: failed-rate, max: 0.01}
YAML
gate same "$T/rules.yaml"
check "unchanged: exit 0 (got $code: $(cat "$T/gate.err"))" test "$code" -eq 0
set +e
"$ESBENCH" gate "$T/runs/same/" --baseline "$T/runs/base/" --rules "$T/rules.yaml" >/dev/null 2>&1
slash=$?
set -e
check "folders written with a trailing slash: exit 0 (got $slash)" test "$slash" -eq 0
check "unchanged: PASS" grep -q "^PASS: 5 checks, 0 failed" "$T/gate.out"
gate worse "$T/rules.yaml"
check "regression: exit 1 (got $code)" test "$code" -eq 1
check "regression: verdict" grep -q "regression" "$T/gate.out"
python3 - "$T/runs/worse" <<'PY' || fail "gate.xml / gate.md of the regression"
import sys, xml.etree.ElementTree as ET
d = sys.argv[1]
root = ET.parse(d + "/gate.xml").getroot()
assert root.tag == "testsuites", root.tag
suites = root.findall("testsuite")
assert len(suites) == 1
cases = suites[0].findall("testcase")
assert len(cases) == int(suites[0].get("tests")) == 5
fails = [c for c in cases if c.find("failure") is not None]
assert len(fails) == int(suites[0].get("failures")) >= 2, len(fails)
for c in cases:
    assert c.get("classname").startswith("esbench.gate.") and c.get("name")
    f = c.find("failure")
    if f is not None:
        assert f.get("message") and f.get("type") in ("regression", "missing", "floor failed")
md = open(d + "/gate.md").read()
assert md.startswith("## esbench gate: FAILED") and "| rule | model | baseline | current | delta | p (Holm) | verdict |" in md
assert "**regression**" in md
PY
# two replies changed: bleu-4 drops past a tolerance of 0, but not significantly
cat >"$T/strict.yaml" <<'YAML'
rules:
  - {metric: bleu-4, model: sys, max_drop: 0, significant: true}
YAML
gate two "$T/strict.yaml"
check "insignificant drop: exit 0 (got $code: $(cat "$T/gate.out"))" test "$code" -eq 0
check "insignificant drop: said so" grep -q "not significant" "$T/gate.out"
# the same drop, inside a tolerance of 5 points: within tolerance
cat >"$T/loose.yaml" <<'YAML'
rules:
  - {metric: bleu-4, model: sys, max_drop: 5, significant: true}
YAML
gate two "$T/loose.yaml"
check "drop within tolerance: exit 0 (got $code)" test "$code" -eq 0
check "drop within tolerance: said so" grep -q "within tolerance" "$T/gate.out"
# every reply a word shorter: a significant drop, smaller than the tolerance
cat >"$T/tiny.yaml" <<'YAML'
rules:
  - {metric: rouge-l, model: sys, max_drop: 20, significant: true}
  - {metric: rouge-l, model: sys, max_drop: 0, significant: true}
YAML
gate tiny "$T/tiny.yaml"
check "significant tiny drop: the strict rule fails (exit 1, got $code)" test "$code" -eq 1
python3 - "$T/gate.out" <<'PY' || fail "significant but tiny drop"
import sys
lines = [l for l in open(sys.argv[1]) if l.startswith("rouge-l")]
assert len(lines) == 2, lines
assert "within tolerance" in lines[0], lines[0]
assert float(lines[0].split()[-3]) < 0.05, lines[0]  # significant, and yet within the tolerance
assert "regression" in lines[1], lines[1]
PY
# a model the current run lacks; a metric the runs lack
cat >"$T/missing-model.yaml" <<'YAML'
rules:
  - {metric: bleu-4, model: gpt, max_drop: 1}
floors:
  - {metric: failed-rate, model: gpt, max: 0.01}
YAML
gate same "$T/missing-model.yaml"
check "missing model: exit 1 (got $code)" test "$code" -eq 1
check "missing model: both the rule and the floor" test "$(grep -c " missing$" "$T/gate.out")" -eq 2
cat >"$T/missing-metric.yaml" <<'YAML'
rules:
  - {metric: bleu-4, max_drop: 1}
  - {metric: judge-empathy, max_drop: 1}
YAML
gate same "$T/missing-metric.yaml"
check "unknown metric: exit 2 (got $code)" test "$code" -eq 2
check "unknown metric: file:line:col and the metrics" grep -q "missing-metric.yaml:3:5: rule metric 'judge-empathy' is not reported" "$T/gate.err"
gate small "$T/rules.yaml"
check "other instances: exit 3 (got $code)" test "$code" -eq 3
echo '{"models": [' >"$T/broken.json"
set +e
"$ESBENCH" gate "$T/runs/same" --baseline "$T/broken.json" --rules "$T/rules.yaml" >/dev/null 2>"$T/broken.err"
code=$?
set -e
check "malformed baseline: exit 2 (got $code)" test "$code" -eq 2
check "malformed baseline: named" grep -q "broken.json" "$T/broken.err"
printf 'rules:\n  - {metric: bleu-4, max_drop: lots}\n' >"$T/bad-rules.yaml"
gate same "$T/bad-rules.yaml"
check "bad rules: exit 2 (got $code)" test "$code" -eq 2
check "bad rules: file:line:col" grep -q "bad-rules.yaml:2:32: expected a number for 'max_drop'" "$T/gate.err"
# a baseline given as a results.json file; then --update-baseline
cp "$T/runs/base/results.json" "$T/baseline.json"
set +e
"$ESBENCH" gate "$T/runs/same" --baseline "$T/baseline.json" --rules "$T/rules.yaml" >/dev/null 2>&1
code=$?
"$ESBENCH" gate "$T/runs/worse" --baseline "$T/baseline.json" --update-baseline >"$T/update.out" 2>&1
code2=$?
set -e
check "baseline as a results.json: exit 0 (got $code)" test "$code" -eq 0
check "--update-baseline: exit 0 (got $code2)" test "$code2" -eq 0
check "--update-baseline: the file is the run's" cmp -s "$T/baseline.json" "$T/runs/worse/results.json"
check "--update-baseline: what changed" grep -q "sys bleu-4: .* -> " "$T/update.out"
finish
