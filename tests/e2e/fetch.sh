#!/usr/bin/env bash
# fetch.sh: `esbench fetch` end to end against tests/fetch_server.py on
# 127.0.0.1: the output format (sha256sum's, so `sha256sum -c` checks it),
# the cached copy, a refused blob id (exit 2, nothing in the cache), a 404,
# and option errors. Skips (77) without python3. The library paths are
# tested in detail by tests/unit/test_fetch.c.
set -u
: "${ESBENCH:?the esbench binary}" "${ESBENCH_TESTS:?the tests folder}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is absent"; exit 77; }

tmp=$(mktemp -d /tmp/esbench-e2e-fetch-XXXXXX)
server=
cleanup() {
  exec 3>&- 2>/dev/null  # the server stops at the end of its stdin
  [ -n "$server" ] && wait "$server" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tmp/www"
python3 - "$ESBENCH_TESTS/fixtures/fetch/ExTES.json" "$tmp/www/ExTES.zip" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo("ExTES/ExTES.json", date_time=(2023, 8, 1, 0, 0, 0))
    z.writestr(info, open(sys.argv[1], "rb").read())
EOF
blob=$(python3 -c 'import hashlib,sys; d=open(sys.argv[1],"rb").read(); print(hashlib.sha1(b"blob %d\0" % len(d) + d).hexdigest())' "$tmp/www/ExTES.zip")
sha=$(sha256sum "$ESBENCH_TESTS/fixtures/fetch/ExTES.json" | cut -d' ' -f1)

mkfifo "$tmp/ctl"
python3 "$ESBENCH_TESTS/fetch_server.py" --dir "$tmp/www" <"$tmp/ctl" >"$tmp/port" &
server=$!
exec 3>"$tmp/ctl"
for _ in $(seq 50); do grep -q '^PORT ' "$tmp/port" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT //p' "$tmp/port")
[ -n "$port" ] || fail "fetch_server.py did not start"
url="http://127.0.0.1:$port"

# success: "<sha256>  <path>" on stdout, a line on stderr
out=$("$ESBENCH" fetch extes --url "$url/ok/ExTES.zip" --blob-id "$blob" --cache-dir "$tmp/cache" 2>"$tmp/err") \
  || fail "fetch: $(cat "$tmp/err")"
[ "$out" = "$sha  $tmp/cache/ExTES.json" ] || fail "stdout: $out"
grep -q "git blob $blob verified" "$tmp/err" || fail "stderr: $(cat "$tmp/err")"
echo "$out" | sha256sum -c --quiet - || fail "sha256sum -c"
[ "$(cat "$tmp/cache/ExTES.json.sha256")" = "$sha  ExTES.json" ] || fail "ExTES.json.sha256"

# the cached copy is kept; the environment supplies URL and blob id
out=$(ESBENCH_EXTES_URL="$url/404/ExTES.zip" ESBENCH_EXTES_BLOB="$blob" \
      "$ESBENCH" fetch extes --cache-dir="$tmp/cache" 2>"$tmp/err") || fail "cached: $(cat "$tmp/err")"
grep -q "already in the cache" "$tmp/err" || fail "cached stderr: $(cat "$tmp/err")"

# a wrong blob id is refused: exit 2, nothing in the cache
wrong=0000000000000000000000000000000000000000
"$ESBENCH" fetch extes --url "$url/ok/ExTES.zip" --blob-id $wrong --cache-dir "$tmp/c2" 2>"$tmp/err"
[ $? -eq 2 ] || fail "wrong id: exit code"
grep -q "refusing '$url/ok/ExTES.zip': its git blob id is $blob, expected $wrong" "$tmp/err" \
  || fail "wrong id: $(cat "$tmp/err")"
[ -z "$(ls -A "$tmp/c2")" ] || fail "wrong id left files: $(ls -A "$tmp/c2")"

# a 404 says what to do by hand
"$ESBENCH" fetch extes --url "$url/404/ExTES.zip" --blob-id "$blob" --cache-dir "$tmp/c3" 2>"$tmp/err"
[ $? -eq 2 ] || fail "404: exit code"
grep -q "^esbench: cannot download '$url/404/ExTES.zip': .*404; download ExTES.zip on a machine with internet" "$tmp/err" \
  || fail "404: $(cat "$tmp/err")"

# usage errors
"$ESBENCH" fetch 2>/dev/null; [ $? -eq 2 ] || fail "no dataset: exit code"
"$ESBENCH" fetch extes --bogus 2>"$tmp/err"; [ $? -eq 2 ] || fail "unknown option: exit code"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "unknown option: $(cat "$tmp/err")"
"$ESBENCH" fetch extes --url 2>"$tmp/err"; [ $? -eq 2 ] || fail "--url without value"
"$ESBENCH" fetch extes --blob-id "$blob" --cache-dir "$tmp/c4" 2>"$tmp/err"
[ $? -eq 2 ] || fail "--blob-id without --url: exit code"
grep -q "needs an overridden URL" "$tmp/err" || fail "--blob-id without --url: $(cat "$tmp/err")"
"$ESBENCH" fetch nope 2>"$tmp/err"; [ $? -eq 2 ] || fail "unknown dataset"
"$ESBENCH" fetch --help | grep -q "usage: esbench fetch" || fail "--help"
echo "fetch.sh: ok"
