# lib.bash: helpers for esbench's end-to-end tests (sourced, not run).
#   $ESBENCH         the esbench binary (set by ctest)
#   $ESBENCH_TESTS   the tests/ folder;  $ESBENCH_SRC  the source tree
#   $ESBENCH_SHARED  ../shared (may be absent: need_shared skips)
set -euo pipefail
: "${ESBENCH:?ESBENCH must name the esbench binary}"
: "${ESBENCH_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${ESBENCH_TESTS:=$ESBENCH_SRC/tests}"
T=$(mktemp -d "${TMPDIR:-/tmp}/esbench-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
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
