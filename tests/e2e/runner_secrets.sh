#!/usr/bin/env bash
# The API key (and a secret header value) never reach a file or a message
# (issue 4): a run against a server that requires the key, then a run with
# a wrong key (every request fails with a 401 that names the variable, not
# the key), then an unset variable (refused before any request, exit 2).
# Every file under the test folder (run folders, the cache and its WAL,
# stdout, stderr) is searched for both secrets.
source "$(dirname "$0")/lib.bash"
need_python
EXTES=$(extes_fixture 200)
export ESB_TEST_KEY="sk-esb-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export ESB_TEST_HDR="hdr-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
start_server --require-key ESB_TEST_KEY
models="  - name: llm
    type: openai
    base_url: http://127.0.0.1:$PORT/v1
    model: test-model
    api_key_env: ESB_TEST_KEY
    headers: {X-Team: \"\${ESB_TEST_HDR}\"}
    params: {temperature: 0}
    retries: 1"
served_suite "$T/suite.yaml" "$models" 50
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name good --cache "$T/cache.sqlite" \
  >"$T/good.out" 2>"$T/good.err" || fail "run with the key: $(cat "$T/good.err")"
check "the key's variable is recorded by name" grep -q '"api_key_env":[[:space:]]*"ESB_TEST_KEY"' "$T/runs/good/results.json"
check "header names are recorded" grep -q '"X-Team"' "$T/runs/good/results.json"

# a wrong key: 401 for every request, named by variable
good_key=$ESB_TEST_KEY
export ESB_TEST_KEY="sk-wrong-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
wrong_key=$ESB_TEST_KEY
set +e
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name wrong --cache "$T/cache.sqlite" \
  --no-cache >"$T/wrong.out" 2>"$T/wrong.err"
code=$?
set -e
check "--cache with --no-cache is a usage error (got $code)" test "$code" -eq 2
set +e
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name wrong --no-cache \
  >"$T/wrong.out" 2>"$T/wrong.err"
code=$?
set -e
check "a rejected key fails every instance (exit 1, got $code)" test "$code" -eq 1
check "the 401 names the variable" grep -q 'the API key in \$ESB_TEST_KEY was rejected' "$T/runs/wrong/results.json"

# an unset variable: refused before anything is sent
unset ESB_TEST_KEY
before=$(wc -l <"$T/server.log")
set +e
"$ESBENCH" run "$T/suite.yaml" --offline --out-dir "$T/runs" --name unset --cache "$T/cache.sqlite" \
  >"$T/unset.out" 2>"$T/unset.err"
code=$?
set -e
check "an unset key variable exits 2 (got $code)" test "$code" -eq 2
check "the message names the variable" grep -q "ESB_TEST_KEY is not set" "$T/unset.err"
check "nothing was sent" test "$(wc -l <"$T/server.log")" -eq "$before"
check "no run folder" test ! -e "$T/runs/unset"

# cache keys: a routing header's value is part of the key (another
# deployment is another model), a credential header's value is not (a
# rotated token keeps the cache)
export ESB_TEST_KEY=$good_key
export ESB_TOKEN_1="tok-one-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
export ESB_TOKEN_2="tok-two-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
routes() { # TOKEN_VAR
  for d in v1 v2; do
    cat <<YAML
  - name: dep-$d
    type: openai
    base_url: http://127.0.0.1:$PORT/v1
    model: test-model
    api_key_env: ESB_TEST_KEY
    headers: {X-Deployment: $d, X-Session-Token: "\${$1}"}
    params: {temperature: 0}
YAML
  done
}
served_suite "$T/routes1.yaml" "$(routes ESB_TOKEN_1)" 20
served_suite "$T/routes2.yaml" "$(routes ESB_TOKEN_2)" 20
"$ESBENCH" run "$T/routes1.yaml" --offline --out-dir "$T/runs" --name routes1 --cache "$T/cache.sqlite" \
  >/dev/null 2>"$T/routes1.err" || fail "routes run 1: $(cat "$T/routes1.err")"
"$ESBENCH" run "$T/routes2.yaml" --offline --out-dir "$T/runs" --name routes2 --cache "$T/cache.sqlite" \
  >/dev/null 2>"$T/routes2.err" || fail "routes run 2: $(cat "$T/routes2.err")"
python3 - "$T" <<'PY' || fail "cache keys and headers"
import json, sys
T = sys.argv[1]
e1 = json.load(open(T + "/runs/routes1/results.json"))["execution"]["models"]
e2 = json.load(open(T + "/runs/routes2/results.json"))["execution"]["models"]
# another deployment is not answered from the first one's replies
assert e1["dep-v1"]["sent"] > 0 and e1["dep-v2"]["sent"] == e1["dep-v1"]["sent"], e1
# a new session token: everything from the cache
assert e2["dep-v1"]["sent"] == 0 and e2["dep-v2"]["sent"] == 0, e2
PY

for secret in "$good_key" "$wrong_key" "$ESB_TEST_HDR" "$ESB_TOKEN_1" "$ESB_TOKEN_2"; do
  hits=$(grep -rlaF --exclude=server.log --exclude=server.err -- "$secret" "$T" || true)
  check "secret ${secret:0:7}... in no file: ${hits:-none}" test -z "$hits"
done
check "the cache and its WAL exist (and were searched)" test -s "$T/cache.sqlite"
finish
