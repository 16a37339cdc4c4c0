#!/usr/bin/env bash
# A real Prometheus server (Debian's prometheus package, its own config and
# data in a temp dir, loopback only) scrapes keel's metrics listener; its
# HTTP API must then report up{job="keel"} == 1 and a request counter that
# rose after more requests. Both processes are stopped by PID.
# Usage: tests/tools/prometheus_scrape_test.sh BUILD_DIR. Exit 0: passed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$1" && pwd)"
fail() {
  echo "prometheus_scrape_test.sh: FAIL: $*" >&2
  [ -f "${work:-}/prometheus.log" ] && tail -20 "$work/prometheus.log" >&2
  exit 1
}
command -v prometheus >/dev/null || fail "prometheus is missing (tools/deps installs it)"
work="$(mktemp -d "${TMPDIR:-/tmp}/keel-prometheus.XXXXXX")"
keel_pid="" prom_pid=""
cleanup() {
  [ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null
  [ -n "$keel_pid" ] && kill "$keel_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=tests/tools/keel_metrics_lib.sh
. "$root/tests/tools/keel_metrics_lib.sh"

start_keel_with_metrics
some_traffic

# A free loopback port for Prometheus's own HTTP API.
pport="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: keel
    static_configs:
      - targets: ["127.0.0.1:$mport"]
YML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$pport" >"$work/prometheus.log" 2>&1 &
prom_pid=$!

# query EXPR: the first result's value, or "" when there is none yet.
query() {
  curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
    jq -r '.data.result[0].value[1] // ""' 2>/dev/null || true
}
# wait_for EXPR TEST: polls (30 s at most) until TEST succeeds on the value.
wait_for() {
  local value=""
  for _ in $(seq 60); do
    value="$(query "$1")"
    if [ -n "$value" ] && eval "$2"; then
      echo "$value"
      return 0
    fi
    sleep 0.5
  done
  fail "$1 never satisfied [$2]; last value '$value'"
}

wait_for 'up{job="keel"}' '[ "$value" = 1 ]' >/dev/null
before="$(wait_for 'sum(keel_http_requests_total{job="keel",route="/healthz"})' '[ "${value%.*}" -ge 1 ]')"
for _ in 1 2 3 4 5; do curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; done
wait_for 'sum(keel_http_requests_total{job="keel",route="/healthz"})' \
  "[ \"\${value%.*}\" -ge $((${before%.*} + 5)) ]" >/dev/null
echo "prometheus_scrape_test.sh: passed"
