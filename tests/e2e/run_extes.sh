#!/usr/bin/env bash
# End to end: `esbench run suites/extes.yaml` on the ExTES fixture (60
# synthetic dialogues with the documented quirks), offline, twice: the run
# folder's files, their content, and that a rerun gives identical results.
source "$(dirname "$0")/lib.bash"
need_python
export ESBENCH_EXTES_PATH="$ESBENCH_TESTS/fixtures/extes/e2e.json"
cd "$ESBENCH_SRC"
for k in 1 2; do
  set +e
  "$ESBENCH" run suites/extes.yaml --offline --out-dir "$T/runs" --name "r$k" >"$T/out$k" 2>"$T/err$k"
  code=$?
  set -e
  check "run $k exits 0 (got $code: $(cat "$T/err$k"))" test "$code" -eq 0
done
check "stdout names the run folder" grep -q "wrote $T/runs/r1" "$T/out1"
check "stdout has the summary table" grep -q "^reference  *100.00  *100.00" "$T/out1"
for f in results.json summary.csv instances.csv; do
  check "$f written" test -s "$T/runs/r1/$f"
done
check "no temporary folder left" test -z "$(ls -A "$T/runs" | grep tmp || true)"
python3 - "$T/runs/r1" "$T/runs/r2" <<'PY' || fail "results.json content"
import csv, json, sys
r1, r2 = (json.load(open(d + "/results.json")) for d in sys.argv[1:3])
ds = r1["dataset"]
assert ds["name"] == "extes" and ds["dialogues"] == 60, ds
assert len(ds["sha256"]) == 64
c = ds["counts"]
# the fixture's quirks (tests/fixtures/make_extes_e2e.py), each counted
for key in ("scene_missing", "extra_top_level_keys", "ai_object_response"):
    assert c.get(key, 0) >= 1, (key, c)
assert sum(v for k, v in c.items() if "strategy" in k) > 0, c
assert ds["instances"]["evaluated"] == len(r1["instances"]) > 0
models = {m["name"]: m for m in r1["models"]}
assert set(models) == {"retrieval", "majority", "reference"}
ref = models["reference"]
for k in ("bleu-1", "bleu-2", "bleu-3", "bleu-4", "rouge-l"):
    assert abs(ref["metrics"][k]["value"] - 100) < 1e-9, (k, ref["metrics"][k])
assert ref["strategy"]["accuracy"] == 1.0 and ref["failed"] == 0
for m in r1["models"]:
    assert m["answered"] + m["failed"] == m["instances"]
    for k, v in m["metrics"].items():
        assert v["signature"].endswith("version:esbench-0.1.0") or "version:esbench" in v["signature"], v
# every instance has a reply entry (or an error) for every model
for inst in r1["instances"]:
    assert set(inst["replies"]) == set(models), inst["id"]
    for name, rep in inst["replies"].items():
        assert "reply" in rep or "error" in rep
        if "reply" in rep:
            assert len(rep["bleu_stats"]) == 10
# a rerun is identical but for the creation time
r1.pop("created"); r2.pop("created")
assert r1 == r2, "rerun differs"
rows = list(csv.reader(open(sys.argv[1] + "/instances.csv", newline="", encoding="utf-8")))
assert len(rows) == 1 + 3 * len(r1["instances"])
assert all(len(r) == len(rows[0]) for r in rows)
summ = list(csv.DictReader(open(sys.argv[1] + "/summary.csv", newline="", encoding="utf-8")))
assert {r["model"] for r in summ} == set(models)
assert any(r["metric"] == "strategy-accuracy" and r["model"] == "reference" and float(r["value"]) == 100 for r in summ)
PY
ok
# report.formats: [json] writes results.json only
sed -e "s/formats: \[json, csv, html\]/formats: [json]/" -e "s#prompts/#$ESBENCH_SRC/suites/prompts/#" \
  -e "s#labels/extes.yaml#$ESBENCH_SRC/suites/labels/extes.yaml#" suites/extes.yaml >"$T/json-only.yaml"
"$ESBENCH" run "$T/json-only.yaml" --offline --out-dir "$T/runs" --name json-only --quiet >/dev/null 2>&1 \
  || fail "json-only run"
check "json-only: results.json written" test -s "$T/runs/json-only/results.json"
check "json-only: no CSV" test ! -e "$T/runs/json-only/summary.csv"
finish
