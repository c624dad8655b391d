#!/usr/bin/env bash
# The OpenAI-compatible test server (tests/openai_server.py) against its own
# self-test: schema, determinism, keep-alive, every fault kind and its retry,
# the API key check, the request log, judge modes, concurrency, lifetime.
# The runner's end-to-end tests will drive esbench against it.
source "$(dirname "$0")/lib.bash"
need_python
if python3 "$ESBENCH_TESTS/openai_server_selftest.py" >"$T/out" 2>&1; then
  ok
else
  fail "server self-test: $(tail -20 "$T/out")"
fi
finish
