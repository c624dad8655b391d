#!/usr/bin/env bash
# Resume after kill -9 and Ctrl-C (issue 4). A run against the test server
# (with 429 and 500 faults) is killed with SIGKILL at three points: each time
# the server stalls after a set number of replies, the test waits until
# esbench has committed all of them to the cache, kills it, and lets the
# server go on. Rerun to the end, the server's log must show no request
# answered twice, and results.json must equal that of a run that went
# straight through (all but "created" and "execution"). Then Ctrl-C: exit
# 130, a message on how to resume, no run folder, and the rerun completes.
source "$(dirname "$0")/lib.bash"
need_python
EXTES=$(extes_fixture 1000)
start_server --latency-ms 10 --latency-jitter-ms 10 --rate-429 0.05 --rate-500 0.05 \
  --retry-after 0 --stall-after 60,150,300
served_suite "$T/suite.yaml" "  - name: llm
    type: openai
    base_url: http://127.0.0.1:$PORT/v1
    model: test-model
    params: {temperature: 0.7, max_tokens: 40}
    concurrency: 8
    timeout: 10
    retries: 6"

entries() { "$ESBENCH" cache stats --cache "$1" | awk '/^entries/ {print $2}'; }
# wait_entries CACHE N: until the cache holds N replies (30 s at most)
wait_entries() {
  for _ in $(seq 1 1500); do
    [ -f "$1" ] && [ "$(entries "$1")" -ge "$2" ] && return 0
    sleep 0.02
  done
  return 1
}

for n in 60 150 300; do
  "$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name resumed \
    --cache "$T/cache.sqlite" >"$T/out.$n" 2>"$T/err.$n" &
  pid=$!
  check "the cache reaches $n replies" wait_entries "$T/cache.sqlite" "$n"
  sleep 0.2 # the stalled requests sit in flight; nothing more can arrive
  check "still $n replies before the kill" test "$(entries "$T/cache.sqlite")" -eq "$n"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  check "no run folder after the kill at $n" test ! -e "$T/runs/resumed"
  kill -USR1 "$SERVER_PID"
done
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name resumed \
  --cache "$T/cache.sqlite" >"$T/out.final" 2>"$T/err.final" || fail "final rerun: $(cat "$T/err.final")"
check "the rerun reports cached replies" grep -q "(cached [0-9][0-9]*)" "$T/err.final"
lines=$(wc -l <"$T/server.log")
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name straight --no-cache \
  >"$T/out.straight" 2>"$T/err.straight" || fail "straight run: $(cat "$T/err.straight")"

python3 - "$T" "$lines" <<'PY' || fail "resume results"
import collections, json, sys
T, lines = sys.argv[1], int(sys.argv[2])
log = [json.loads(l) for l in open(T + "/server.log")]
resumed_log, straight_log = log[:lines], log[lines:]
ok = collections.Counter(l["hash"] for l in resumed_log if l["outcome"] == "ok")
twice = [h for h, c in ok.items() if c > 1]
assert not twice, ("answered twice across the kills:", twice[:5])
stalled = sum(1 for l in resumed_log if l["outcome"] == "stalled")
assert 0 < stalled <= 3 * 8, stalled  # the requests in flight at each kill
a = json.load(open(T + "/runs/resumed/results.json"))
b = json.load(open(T + "/runs/straight/results.json"))
ea, eb = a.pop("execution"), b.pop("execution")
a.pop("created"); b.pop("created")
assert a == b, "results.json differs between the resumed and the straight run"
m = ea["models"]["llm"]
s = eb["models"]["llm"]
# 300 distinct requests were cached at the last kill: only the rest was sent
assert m["sent"] == s["sent"] - 300 and m["cached"] >= 300, (m, s)
assert m["failed"] == 0 and s["cached"] == 0, (m, s)
# the straight run's requests are the same requests: each answered once there too
ok2 = collections.Counter(l["hash"] for l in straight_log if l["outcome"] == "ok")
assert set(ok2) == set(ok), "the straight run sent other requests"
PY

# Ctrl-C: a clean stop with a resume hint, then the rerun completes
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name interrupted \
  --cache "$T/cache2.sqlite" >"$T/out.int" 2>"$T/err.int" &
pid=$!
check "the second cache fills" wait_entries "$T/cache2.sqlite" 40
t0=$(date +%s%N)
kill -INT "$pid"
set +e
wait "$pid"
code=$?
set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "Ctrl-C exits 130 (got $code)" test "$code" -eq 130
check "Ctrl-C stops within 2 s (took ${ms} ms)" test "$ms" -lt 2000
check "Ctrl-C says how to resume" grep -q "interrupted.*Run the same command again to resume" "$T/err.int"
check "Ctrl-C writes no run folder" test ! -e "$T/runs/interrupted"
check "Ctrl-C leaves no temporary folder" test -z "$(ls -A "$T/runs" | grep -v '^resumed$\|^straight$' || true)"
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name interrupted \
  --cache "$T/cache2.sqlite" >"$T/out.int2" 2>"$T/err.int2" || fail "rerun after Ctrl-C: $(cat "$T/err.int2")"
python3 - "$T" <<'PY' || fail "results after Ctrl-C"
import json, sys
T = sys.argv[1]
a = json.load(open(T + "/runs/interrupted/results.json"))
b = json.load(open(T + "/runs/straight/results.json"))
ea = a.pop("execution"); b.pop("execution")
a.pop("created"); b.pop("created")
assert a == b, "results.json after Ctrl-C and a rerun differs from the straight run"
assert ea["models"]["llm"]["cached"] >= 40, ea
PY
finish
