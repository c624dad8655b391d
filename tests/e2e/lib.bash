# lib.bash: helpers for esbench's end-to-end tests (sourced, not run).
#   $ESBENCH         the esbench binary (set by ctest)
#   $ESBENCH_TESTS   the tests/ folder;  $ESBENCH_SRC  the source tree
#   $ESBENCH_SHARED  ../shared (may be absent: need_shared skips)
set -euo pipefail
: "${ESBENCH:?ESBENCH must name the esbench binary}"
: "${ESBENCH_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${ESBENCH_TESTS:=$ESBENCH_SRC/tests}"
T=$(mktemp -d "${TMPDIR:-/tmp}/esbench-e2e.XXXXXX")
trap '[ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
# the tests must not download anything or read a user's data folders
export XDG_CACHE_HOME="$T/cache"
unset ESBENCH_DATA_DIR ESBENCH_EXTES_PATH ESBENCH_ESCONV_PATH
checks=0
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }
check() { # check "description" command...
  local what=$1; shift
  if "$@"; then ok; else fail "$what"; fi
}
need_shared() {
  if [ -n "${ESBENCH_SHARED:-}" ] && [ -d "$ESBENCH_SHARED" ]; then return 0; fi
  if [ "${ESBENCH_REQUIRE_SHARED:-}" = 1 ]; then echo "shared folder missing but required" >&2; exit 1; fi
  echo "SKIP: shared data folder '${ESBENCH_SHARED:-}' is absent"; exit 77
}
need_python() {
  command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
}
finish() {
  echo "$(basename "$0" .sh): $checks checks, $failures failed"
  [ "$failures" -eq 0 ]
}

# start_server ARGS...: the OpenAI-compatible test server on a free loopback
# port, logging to $T/server.log; sets SERVER_PID and PORT. Stopped on exit.
start_server() {
  rm -f "$T/port"
  python3 "$ESBENCH_TESTS/openai_server.py" --port 0 --port-file "$T/port" \
    --log "$T/server.log" --max-seconds 600 "$@" 2>"$T/server.err" &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
  for _ in $(seq 1 500); do
    [ -s "$T/port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "test server died: $(cat "$T/server.err")" >&2; exit 1; }
    sleep 0.02
  done
  PORT=$(cat "$T/port")
}

# extes_fixture N: a synthetic ExTES file of N dialogues (the e2e fixture's
# generator) at $T/extes-N.json; prints its path.
extes_fixture() {
  local f="$T/extes-$1.json"
  [ -s "$f" ] || python3 "$ESBENCH_TESTS/fixtures/make_extes_e2e.py" "$1" >"$f"
  echo "$f"
}

# served_suite FILE MODELS_YAML [MAX_INSTANCES]: a suite on $EXTES (set by the
# caller) with the given models block (YAML lines under "models:").
served_suite() {
  cat >"$1" <<YAML
name: served
dataset:
  name: extes
  path: $EXTES
  max_instances: ${3:-500}
task:
  prompt: $ESBENCH_SRC/suites/prompts/extes-system.txt
labels: $ESBENCH_SRC/suites/labels/extes.yaml
models:
$2
metrics:
  list: [bleu-1, bleu-4, rouge-l, dist-2, strategy]
YAML
}
