#!/usr/bin/env bash
# GET /metrics passes `promtool check metrics` (Debian's prometheus
# package) after traffic on several routes.
# Usage: tests/tools/metrics_promtool_test.sh BUILD_DIR. Exit 0: passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$1" && pwd)"
fail() {
  echo "metrics_promtool_test.sh: FAIL: $*" >&2
  exit 1
}
command -v promtool >/dev/null || fail "promtool is missing (tools/deps installs prometheus)"
work="$(mktemp -d "${TMPDIR:-/tmp}/keel-promtool.XXXXXX")"
keel_pid=""
trap '[ -n "$keel_pid" ] && kill "$keel_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
# shellcheck source=tests/tools/keel_metrics_lib.sh
. "$root/tests/tools/keel_metrics_lib.sh"

start_keel_with_metrics
some_traffic
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
grep -q '^keel_http_requests_total{method="GET",route="/healthz",code="200"} 1$' "$work/metrics.txt" ||
  fail "no /healthz counter in: $(head -20 "$work/metrics.txt")"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1 ||
  fail "promtool check metrics: $(cat "$work/promtool.txt")"
echo "metrics_promtool_test.sh: passed"
