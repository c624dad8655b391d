#!/usr/bin/env bash
# Exec models end to end (issue 4): the example worker (docs) on 200
# instances with 3 workers, cached and resumed like HTTP models; a worker
# that crashes every 25 requests (restarted, the request retried: all
# answered); one that answers with errors and one that speaks garbage
# (recorded failures with reasons, exit 1); a program that does not exist
# (exit 2, nothing written); and `esbench cache stats|prune`.
source "$(dirname "$0")/lib.bash"
need_python
EXTES=$(extes_fixture 400)
fx="$ESBENCH_TESTS/fixtures/exec"
served_suite "$T/suite.yaml" "  - name: example
    type: exec
    command: [python3, $ESBENCH_TESTS/exec_worker_example.py]
    workers: 3
    timeout: 20
  - name: crashy
    type: exec
    command: [python3, $fx/crash_after.py, '25']
    workers: 2
    max_restarts: 100
    timeout: 20" 200
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name one --cache "$T/cache.sqlite" \
  >"$T/one.out" 2>"$T/one.err" || fail "exec run: $(cat "$T/one.err")"
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name two --cache "$T/cache.sqlite" \
  >"$T/two.out" 2>"$T/two.err" || fail "exec rerun: $(cat "$T/two.err")"
python3 - "$T" <<'PY' || fail "exec results"
import json, sys
T = sys.argv[1]
a = json.load(open(T + "/runs/one/results.json"))
b = json.load(open(T + "/runs/two/results.json"))
m = {x["name"]: x for x in a["models"]}
assert m["example"]["answered"] == 200 and m["example"]["failed"] == 0, m["example"]
assert m["crashy"]["answered"] == 200 and m["crashy"]["failed"] == 0, m["crashy"]["failures"]
for inst in a["instances"]:
    assert inst["replies"]["example"]["reply"].startswith("[Question] ")
    assert inst["replies"]["crashy"]["reply"] == inst["replies"]["example"]["reply"]
ex = a["execution"]["models"]
assert ex["example"]["workers"] == 3 and ex["example"]["restarts"] == 0
assert ex["crashy"]["crashes"] >= 4 and ex["crashy"]["restarts"] >= 4, ex["crashy"]
assert ex["crashy"]["retries"] == ex["crashy"]["crashes"], ex["crashy"]
eb = b.pop("execution")["models"]
a.pop("execution"); a.pop("created"); b.pop("created")
assert a == b, "the cached rerun differs"
assert eb["example"]["sent"] == 0 and eb["example"]["cached"] == 200, eb["example"]
PY
check "cache stats counts the entries" grep -q "^entries" <("$ESBENCH" cache stats --cache "$T/cache.sqlite")
n=$("$ESBENCH" cache stats --cache "$T/cache.sqlite" | awk '/^entries/ {print $2}')
check "cache holds both models' replies ($n)" test "$n" -ge 200
check "prune --older-than 1d keeps young entries" grep -q "^removed 0 entries" \
  <("$ESBENCH" cache prune --cache "$T/cache.sqlite" --older-than 1d)
check "prune --all removes them all" grep -q "^removed $n entries" \
  <("$ESBENCH" cache prune --cache "$T/cache.sqlite" --all)
check "then the cache is empty" grep -q "^entries   0" <("$ESBENCH" cache stats --cache "$T/cache.sqlite")
set +e
"$ESBENCH" cache prune --cache "$T/cache.sqlite" >/dev/null 2>"$T/prune.err"
code=$?
set -e
check "prune without an age is a usage error" test "$code" -eq 2

# failures with reasons: a worker that answers errors, one that speaks garbage
served_suite "$T/bad.yaml" "  - name: errors
    type: exec
    command: [python3, $fx/error_reply.py]
  - name: garbage
    type: exec
    command: [python3, $fx/garbage.py, notjson]
    max_restarts: 2" 20
set +e
"$ESBENCH" run "$T/bad.yaml" --offline --out-dir "$T/runs" --name bad --no-cache >"$T/bad.out" 2>"$T/bad.err"
code=$?
set -e
check "failing workers: exit 1 (got $code: $(tail -2 "$T/bad.err"))" test "$code" -eq 1
python3 - "$T" <<'PY' || fail "exec failures"
import json, sys
r = json.load(open(sys.argv[1] + "/runs/bad/results.json"))
m = {x["name"]: x for x in r["models"]}
assert m["errors"]["failed"] == 20, m["errors"]
assert all(k.startswith("worker error: model overloaded") for k in m["errors"]["failures"]), m["errors"]["failures"]
assert m["garbage"]["failed"] == 20, m["garbage"]
assert any("garbage" in k or "keeps crashing" in k for k in m["garbage"]["failures"]), m["garbage"]["failures"]
assert r["totals"]["failed"] == 40
PY

# a program that cannot start: a usage error, nothing written
served_suite "$T/missing.yaml" "  - name: nope
    type: exec
    command: [$T/no-such-worker]" 5
set +e
"$ESBENCH" run "$T/missing.yaml" --offline --out-dir "$T/runs" --name missing --no-cache >"$T/m.out" 2>"$T/m.err"
code=$?
set -e
check "a missing program exits 2 (got $code)" test "$code" -eq 2
check "the message names the program" grep -q "model 'nope': cannot start '$T/no-such-worker'" "$T/m.err"
check "nothing written" test ! -e "$T/runs/missing"
finish
