#!/usr/bin/env bash
# GET /metrics passes `promtool check metrics` (Debian's prometheus
# package) after traffic on several routes, and deploy/grafana-dashboard.json
# asks only for families keel exports, in queries promtool accepts.
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

start_keel_with_metrics --access-log "$work/access.log"
some_traffic
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
grep -q '^keel_http_requests_total{method="GET",route="/healthz",code="200"} 1$' "$work/metrics.txt" ||
  fail "no /healthz counter in: $(head -20 "$work/metrics.txt")"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.txt" 2>&1 ||
  fail "promtool check metrics: $(cat "$work/promtool.txt")"

dashboard="$root/deploy/grafana-dashboard.json"
jq -r '.panels[].targets[]?.expr' "$dashboard" >"$work/exprs.txt" || fail "$dashboard is not JSON"
[ -s "$work/exprs.txt" ] || fail "no queries in $dashboard"
# Every family a panel reads is one /metrics exports.
grep -o '\b\(keel\|process\)_[a-z_]*' "$work/exprs.txt" | sed -E 's/_(bucket|sum|count)$//' |
  sort -u | while read -r name; do
    grep -q "^# TYPE $name " "$work/metrics.txt" || fail "the dashboard reads $name, which keel does not export"
  done
# Every query parses, with Grafana's variables given plain values.
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  n=0
  while read -r expr; do
    n=$((n + 1))
    expr="${expr//\$__rate_interval/1m}"
    expr="${expr//\$job/.*}"
    printf '      - record: dashboard:q%d\n        expr: %s\n' "$n" "$(jq -Rn --arg e "$expr" '$e')"
  done <"$work/exprs.txt"
} >"$work/rules.yml"
promtool check rules "$work/rules.yml" >"$work/rules.txt" 2>&1 ||
  fail "promtool check rules on the dashboard's queries: $(cat "$work/rules.txt")"
echo "metrics_promtool_test.sh: passed"
