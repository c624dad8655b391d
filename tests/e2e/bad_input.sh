#!/usr/bin/env bash
# Bad input: each case must exit 2 with a clear message (file:line:column
# where there is one) and leave no run folder behind.
source "$(dirname "$0")/lib.bash"
cd "$ESBENCH_SRC"
S="$T/suites"
mkdir -p "$S"
cp -r suites/prompts suites/labels "$S/"
good() { sed "s#ESBENCH_EXTES_PATH:-#ESBENCH_EXTES_PATH:-$ESBENCH_TESTS/fixtures/extes/e2e.json#" suites/extes.yaml; }

# case NAME EXPECTED-MESSAGE-REGEX esbench-args...
case_() {
  local name=$1 want=$2; shift 2
  set +e
  "$ESBENCH" "$@" --out-dir "$T/runs" >"$T/out" 2>"$T/err"
  local code=$?
  set -e
  check "$name: exit 2 (got $code)" test "$code" -eq 2
  check "$name: message matches '$want' (got: $(head -c 300 "$T/err"))" grep -Eq "$want" "$T/err"
  check "$name: no run folder" test -z "$(ls -A "$T/runs" 2>/dev/null)"
  check "$name: nothing on stdout" test ! -s "$T/out"
}

good >"$S/ok.yaml"
sed 's/^models:/modles:/' "$S/ok.yaml" >"$S/typo.yaml"
case_ "unknown key" "typo.yaml:[0-9]+:1: unknown key 'modles'.*did you mean 'models'" run "$S/typo.yaml"
printf 'name: x\ndataset: [unclosed\n' >"$S/malformed.yaml"
case_ "malformed YAML" "malformed.yaml:[0-9]+:[0-9]+:" run "$S/malformed.yaml"
printf 'name: caf\xe9\n' >"$S/badutf8.yaml"
case_ "invalid UTF-8 in a suite" "badutf8.yaml" run "$S/badutf8.yaml"
case_ "missing suite" "cannot open '$S/nope.yaml'" run "$S/nope.yaml"
sed "s#e2e.json#malformed.json#" "$S/ok.yaml" >"$S/badjson.yaml"
case_ "malformed dataset JSON" "malformed.json:[0-9]+:[0-9]+" run "$S/badjson.yaml"
sed "s#e2e.json#bad_utf8.json#" "$S/ok.yaml" >"$S/badutf8data.yaml"
case_ "invalid UTF-8 in the dataset" "bad_utf8.json.*UTF-8" run "$S/badutf8data.yaml"
sed "s#$ESBENCH_TESTS/fixtures/extes/e2e.json#$T/missing.json#" "$S/ok.yaml" >"$S/missingdata.yaml"
case_ "missing dataset file" "missing.json" run "$S/missingdata.yaml"
sed "s#ESBENCH_EXTES_PATH:-[^}]*#ESBENCH_EXTES_PATH:-#" "$S/ok.yaml" >"$S/nodata.yaml"
case_ "dataset absent offline: says what fixes it" "ESBENCH_DATA_DIR" run "$S/nodata.yaml" --offline
mkdir -p "$XDG_CACHE_HOME/esbench" && cp "$ESBENCH_TESTS/fixtures/extes/e2e.json" "$XDG_CACHE_HOME/esbench/ExTES.json"
sed -e "s#ESBENCH_EXTES_PATH:-[^}]*#ESBENCH_EXTES_PATH:-#" -e "s#file: ExTES.json#file: MyExTES-v2.json#" "$S/ok.yaml" >"$S/ownfile.yaml"
case_ "a file of one's own is never swapped for the download" "cannot find 'MyExTES-v2.json'" run "$S/ownfile.yaml"
rm -rf "$XDG_CACHE_HOME/esbench"
sed "s#prompts/extes-system.txt#prompts/nope.txt#" "$S/ok.yaml" >"$S/noprompt.yaml"
case_ "missing prompt file" "nope.txt" run "$S/noprompt.yaml"
printf '{{strategies}}\n{{oops}}\n' >"$S/prompts/bad.txt"
sed "s#prompts/extes-system.txt#prompts/bad.txt#" "$S/ok.yaml" >"$S/badprompt.yaml"
case_ "unknown prompt placeholder" "bad.txt:2:1: unknown placeholder" run "$S/badprompt.yaml"
sed "s#strategy_pattern: .*#strategy_pattern: '([unclosed'#" "$S/ok.yaml" >"$S/badre.yaml"
case_ "bad strategy pattern" "badre.yaml:[0-9]+:[0-9]+: bad strategy_pattern" run "$S/badre.yaml"
printf '{"id": "x", "reply": "y"}\n{"id": "z", \n' >"$T/bad.jsonl"
sed -e "/^models:/,/^metrics:/c\\
models:\\
  - name: r\\
    type: replay\\
    path: $T/bad.jsonl\\
metrics:" -e "s/baseline: retrieval/baseline: r/" "$S/ok.yaml" >"$S/badreplay.yaml"
case_ "malformed replay file" "bad.jsonl:2:[0-9]+: malformed JSON" run "$S/badreplay.yaml"
printf '{"id": "x", "reply": "y"}\n\n{"id": "z", "reply": "y"}\n{"id": "x", "reply": "w"}\n' >"$T/bad.jsonl"
case_ "duplicate id in a replay file" "bad.jsonl:4:1: duplicate id 'x'" run "$S/badreplay.yaml"
printf '{"id": "x", "reply": "caf\xc3"}\n' >"$T/bad.jsonl"
case_ "invalid UTF-8 in a replay file" "bad.jsonl:1:26: invalid UTF-8" run "$S/badreplay.yaml"
case_ "unknown option" "unrecognized option|usage" run "$S/ok.yaml" --frobnicate
case_ "a run name with a slash" "invalid run name 'a/b'" run "$S/ok.yaml" --name a/b
case_ "an empty run name" "invalid run name ''" run "$S/ok.yaml" --name ""
printf '{"id": "x", "reply": "y"} {"id": "z", "reply": "w"}\n' >"$T/bad.jsonl"
case_ "two objects on one replay line" "bad.jsonl:1:27: text after the JSON object" run "$S/badreplay.yaml"
printf 'a\nb\n' >"$T/ref.txt"; printf 'a\n' >"$T/hyp.txt"; printf 'a\n\xff\n' >"$T/bad.txt"
set +e
"$ESBENCH" score --ref "$T/ref.txt" --hyp "$T/hyp.txt" >"$T/out" 2>"$T/err"; code=$?
set -e
check "score: line count mismatch exits 2" test "$code" -eq 2
check "score: says which file is short" grep -q "has 1 lines but" "$T/err"
set +e
"$ESBENCH" score --ref "$T/ref.txt" --hyp "$T/ref.txt" --strategies "$T/ref.txt" "$T/ref.txt" \
  --hyp "$T/hyp.txt" --strategies "$T/ref.txt" "$T/ref.txt" >"$T/out" 2>"$T/err"; code=$?
set -e
check "score: a short second file exits 2 after a good first one (got $code)" test "$code" -eq 2
set +e
"$ESBENCH" score --ref "$T/ref.txt" --hyp "$T/bad.txt" >"$T/out" 2>"$T/err"; code=$?
set -e
check "score: invalid UTF-8 exits 2" test "$code" -eq 2
check "score: names file:line:column" grep -q "bad.txt:2:1: invalid UTF-8" "$T/err"
finish
