#!/usr/bin/env bash
# Smoke test of the load runner and the comparison, short enough for CI:
# two `tools/bench load` runs of plaintext and json (1 s, 2 repetitions
# each, no warm-up), a check of the results files, then
# `tools/bench compare` on the pair. It proves the pipeline works, not how
# fast anything is.
#
# Usage: bench/load/smoke_test.sh [BUILD_DIR]
#   With BUILD_DIR (ctest passes its own), keel and keel-admin already built
#   there are used as they are (--no-build), whatever the build type; without
#   it, tools/bench load makes its Release build in build/.
# Exit status: 0 passed, 1 failed, 77 skipped (wrk, taskset or python3
# missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"

for tool in python3 wrk taskset; do
  command -v "$tool" >/dev/null || { echo "smoke_test.sh: $tool not found: skipped"; exit 77; }
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/keel-load-smoke.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

args=(--duration 1 --scenarios plaintext,json --repetitions 2 --users 200 --warmup 0)
if [ $# -ge 1 ]; then args+=(--build-dir "$1" --no-build); fi

fail() {
  echo "smoke_test.sh: FAIL: $*" >&2
  exit 1
}

# check_results FILE: the fields tools/bench compare and people rely on.
check_results() {
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(doc.get("kind") == "keel-load" and doc.get("version") == 1, "kind/version")
need(isinstance(doc.get("git", {}).get("commit"), str), "git.commit")
need(isinstance(doc.get("git", {}).get("dirty"), bool), "git.dirty")
need(all(doc.get("machine", {}).get(k) for k in ("cpu", "cores", "kernel")), "machine")
need(isinstance(doc.get("keel", {}).get("options"), list), "keel.options")
got = [(s.get("name"), s.get("server")) for s in doc.get("scenarios", [])]
need(got == [("plaintext", "keel"), ("json", "keel")], f"scenarios {got}")
for s in doc.get("scenarios", []):
    reps = s.get("repetitions", [])
    need(len(reps) == 2, f"{s['name']}: {len(reps)} repetitions")
    for r in reps:
        need(r.get("requests", 0) > 0 and r.get("requests_per_sec", 0) > 0,
             f"{s['name']}: no requests")
        lat = r.get("latency_us", {})
        need(all(k in lat for k in ("p50", "p90", "p99", "p99.9", "max")), "latency_us")
        need(r.get("errors") == 0 and r.get("non_2xx") == 0,
             f"{s['name']}: errors {r.get('errors')}, non_2xx {r.get('non_2xx')}")
        for k in ("bytes_per_sec", "peak_rss_kb", "cpu_seconds"):
            need(isinstance(r.get(k), (int, float)), f"{s['name']}: {k}")
        need(r.get("peak_rss_kb", 0) > 0, f"{s['name']}: peak_rss_kb is 0")
for p in problems:
    print(f"{sys.argv[1]}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# run LOG COMMAND...: runs it with its output in LOG; shows LOG and fails
# if it exits non-zero.
run() {
  local log="$1" code=0
  shift
  "$@" >"$log" 2>&1 || code=$?
  if [ "$code" -ne 0 ]; then
    cat "$log" >&2
    fail "$* exited $code"
  fi
}

for name in a b; do
  run "$tmp/$name.log" "$root/tools/bench" load "${args[@]}" --out "$tmp/$name.json"
  check_results "$tmp/$name.json" || fail "$name.json is not as expected"
done

if [ -f "$root/bench/tools/bench_compare.py" ]; then
  run "$tmp/compare.log" "$root/tools/bench" compare "$tmp/a.json" "$tmp/b.json"
else
  echo "smoke_test.sh: bench/tools/bench_compare.py not there yet: compare not tried"
fi
echo "smoke_test.sh: passed"
