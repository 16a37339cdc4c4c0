#!/usr/bin/env bash
# The non_2xx count of the wrk scripts' JSON (json_done.lua), against a
# real keel started WITHOUT --bench-endpoints, as README's standalone
# pipeline.lua example would meet it: /plaintext is a 404 there.
#   pipeline.lua on /plaintext: non_2xx equals the requests (not null, not 0),
#     with wrk's own count (no Lua hook) and with WRK_COUNT_STATUS=1;
#   pipeline.lua on /healthz: non_2xx is 0.
# Three 1-second wrk runs with 4 connections on 127.0.0.1; it checks counts,
# never speed.
#
# Usage: bench/load/non_2xx_test.sh BUILD_DIR. Exit status: 0 passed, 1 failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 1; }
keel="$1/keel"

fail() {
  echo "non_2xx_test.sh: FAIL: $*" >&2
  exit 1
}
for tool in wrk python3; do
  command -v "$tool" >/dev/null || fail "$tool not found (run tools/deps)"
done
[ -x "$keel" ] || fail "$keel is not built"

work="$(mktemp -d "${TMPDIR:-/tmp}/keel-non2xx.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$keel" --host 127.0.0.1 --port 0 --threads 1 --data-dir "$work/data" --log-level warn \
  >"$work/keel.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 100); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/keel.log" | grep -o '[0-9]*$')" &&
    break
  kill -0 "$pid" 2>/dev/null || fail "keel exited: $(cat "$work/keel.log")"
  sleep 0.1
done
[ -n "$port" ] || fail "keel did not start: $(cat "$work/keel.log")"

# check PATH WANT [ENV...]: one wrk run; WANT is "all" (non_2xx == requests)
# or "none" (non_2xx == 0).
check() {
  local path="$1" want="$2"
  shift 2
  rm -f "$work/run.json"
  env WRK_JSON_OUT="$work/run.json" "$@" timeout 20 wrk -t1 -c4 -d1s \
    -s "$root/bench/load/pipeline.lua" "http://127.0.0.1:$port$path" -- 4 >"$work/wrk.txt" 2>&1 ||
    fail "wrk on $path failed: $(cat "$work/wrk.txt")"
  python3 - "$work/run.json" "$want" "$path $*" <<'PY' || fail "wrong non_2xx on $path $*"
import json, sys
run, want, what = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
requests, non_2xx = run["requests"], run["non_2xx"]
ok = requests > 0 and non_2xx == (requests if want == "all" else 0)
if not ok:
    print(f"{what}: requests {requests}, non_2xx {non_2xx!r}, want {want}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

check /plaintext all
check /plaintext all WRK_COUNT_STATUS=1
check /healthz none
echo "non_2xx_test.sh: passed"
