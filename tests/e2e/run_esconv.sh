#!/usr/bin/env bash
# End to end on real data: `esbench run suites/esconv.yaml` on ESConv's
# FailedESConv.json from ../shared (skipped when ../shared is absent), then
# a replay model fed the reference model's replies must score the same, and
# a replay file with ids missing reports them as failed instances.
source "$(dirname "$0")/lib.bash"
need_shared
need_python
export ESBENCH_ESCONV_PATH="$ESBENCH_SHARED/data/esconv/FailedESConv.json"
cd "$ESBENCH_SRC"
"$ESBENCH" run suites/esconv.yaml --offline --out-dir "$T/runs" --name base --quiet >"$T/out" 2>"$T/err" \
  || fail "esconv run: $(cat "$T/err")"
python3 - "$T/runs/base/results.json" "$T" <<'PY' || fail "esconv results"
import json, sys
r = json.load(open(sys.argv[1]))
ds = r["dataset"]
assert ds["dialogues"] == 196, ds["dialogues"]
assert ds["sha256"] == "d21bad5409d88ecbca18abfee26a8c188d09c34b03962cb53a4c30d8de95b279"
sp = ds["split"]
assert sp["train_dialogues"] + sp["valid_dialogues"] + sp["test_dialogues"] == 196
n = ds["instances"]["evaluated"]
assert n > 100, n
m = {x["name"]: x for x in r["models"]}
# the reference model is exact, but nltk's max(1, count) denominators keep
# BLEU-2..4 under 100 when some gold replies are shorter than n tokens
assert abs(m["reference"]["metrics"]["bleu-1"]["value"] - 100) < 1e-9
assert m["reference"]["metrics"]["bleu-4"]["value"] < 100
assert m["reference"]["strategy"]["accuracy"] == 1.0
assert m["retrieval"]["failed"] == 0
# write a replay file from the reference replies, leaving 3 out
insts = r["instances"]
with open(sys.argv[2] + "/replay.jsonl", "w") as f:
    for i, inst in enumerate(insts):
        if i in (0, 5, 7):
            continue
        f.write(json.dumps({"id": inst["id"], "reply": inst["replies"]["reference"]["reply"]}) + "\n")
    f.write(json.dumps({"id": "not-an-instance", "reply": "x"}) + "\n")
PY
sed -e "/^models:/,/^metrics:/c\\
models:\\
  - name: replayed\\
    type: replay\\
    path: $T/replay.jsonl\\
metrics:" -e "s/baseline: retrieval/baseline: replayed/" -e "s#prompts/#$ESBENCH_SRC/suites/prompts/#" \
  -e "s#labels/esconv.yaml#$ESBENCH_SRC/suites/labels/esconv.yaml#" suites/esconv.yaml >"$T/replay.yaml"
set +e
"$ESBENCH" run "$T/replay.yaml" --offline --out-dir "$T/runs" --name replay --quiet >"$T/out2" 2>"$T/err2"
code=$?
set -e
check "a run with missing replies exits 1 (got $code)" test "$code" -eq 1
check "stderr counts the failed instances" grep -q "3 instances failed" "$T/err2"
python3 - "$T/runs/replay/results.json" <<'PY' || fail "replay results"
import json, sys
r = json.load(open(sys.argv[1]))
m = r["models"][0]
assert m["failed"] == 3 and m["answered"] == m["instances"] - 3, m
assert list(m["failures"].values()) == [3], m["failures"]
assert m["counts"]["replay_unknown_ids"] == 1, m["counts"]
assert abs(m["metrics"]["bleu-1"]["value"] - 100) < 1e-9
assert "error" in r["instances"][0]["replies"]["replayed"]
PY
ok
finish
