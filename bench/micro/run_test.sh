#!/usr/bin/env bash
# tools/bench micro as a user meets it, on the keel_micro_bench already
# built (--no-build), run from a temp dir so relative paths are checked too:
#   a --filter that matches nothing fails and writes no results file (and
#     leaves no temp file behind);
#   --list prints the benchmark names; --help and errors say "tools/bench micro";
#   a short run with repetitions writes ./FILE as strict JSON (no NaN), and
#     its table has no "nan" (the cv of allocs_per_iter, 0 in every run).
# It proves the wrapper works, not how fast anything is (one tiny benchmark).
#
# Usage: bench/micro/run_test.sh BUILD_DIR. Exit status: 0 passed, 1 failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 1; }
export KEEL_BUILD_DIR
KEEL_BUILD_DIR="$(cd "$1" && pwd)"

fail() {
  echo "run_test.sh: FAIL: $*" >&2
  exit 1
}

work="$(mktemp -d "${TMPDIR:-/tmp}/keel-micro-test.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/tmp"
cd "$work"
export TMPDIR="$work/tmp"
micro() { "$root/tools/bench" micro --no-build "$@"; }

code=0
micro --filter 'NoSuchBenchmark' --out failed.json >out.txt 2>err.txt || code=$?
[ "$code" -eq 1 ] || fail "an unknown --filter exited $code, want 1"
[ ! -e failed.json ] || fail "a failed run left failed.json ($(wc -c <failed.json) bytes)"
[ -z "$(ls -A "$TMPDIR")" ] || fail "a failed run left temp files: $(ls -A "$TMPDIR")"
grep -q "tools/bench micro: no benchmark matches --filter 'NoSuchBenchmark'" err.txt ||
  fail "unknown --filter said: $(cat err.txt)"

micro --list >list.txt || fail "--list exited $?"
grep -qx "BM_JsonWriteHello" list.txt || fail "--list lacks BM_JsonWriteHello: $(head list.txt)"
micro --list --filter 'NoSuchBenchmark' >/dev/null 2>&1 && fail "--list with no match exited 0"

micro --help >help.txt
grep -q "^Usage: tools/bench micro" help.txt || fail "--help: $(head -n 2 help.txt)"
! grep -q "run.sh" help.txt || fail "--help names run.sh"
code=0
micro --bogus 2>err.txt || code=$?
if [ "$code" -ne 2 ] || ! grep -q "^tools/bench micro: unknown argument '--bogus'" err.txt; then
  fail "--bogus exited $code: $(cat err.txt)"
fi

micro --filter '^BM_JsonWriteHello$' --min-time 0.01 --repetitions 2 --out r/ok.json \
  >table.txt 2>err.txt || fail "a short run exited $?: $(cat err.txt)"
[ -s r/ok.json ] || fail "no ./r/ok.json after a successful run"
! grep -qi "nan" table.txt || fail "the table shows a NaN: $(grep -i nan table.txt)"
python3 - r/ok.json <<'PY' || fail "r/ok.json is not strict JSON with the runs"
import json, sys
def refuse(name):
    raise ValueError(f"non-standard JSON constant {name}")
doc = json.load(open(sys.argv[1]), parse_constant=refuse)
runs = [b for b in doc["benchmarks"] if b.get("run_type") == "iteration"]
assert len(runs) == 2, runs
cv = [b for b in doc["benchmarks"] if b.get("aggregate_name") == "cv"]
assert cv and cv[0]["allocs_per_iter"] == 0, cv
PY
echo "run_test.sh: passed"
