#!/usr/bin/env bash
# /healthz latency with and without a login flood (issue: "/healthz p99
# during a login flood within 2x its idle p99").
#
# Usage: bench/load/healthz_under_login.sh [--rounds N] [--duration S] [--users N]
#                                          [-- KEEL_ARGS...]
# Seeds N users with keel-admin (one shared password), starts keel with one
# worker pinned to CPU 0 (its thread pool, where argon2id runs, included),
# then alternates: wrk on /healthz alone, and wrk on /healthz while a second
# wrk floods POST /api/auth/login. Both wrk processes run on CPU 1. Prints
# the p99 of each run and the ratio. Loopback only; every process started
# here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."

rounds=5
duration=10
users=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--rounds N] [--duration S] [--users N]" >&2; exit 2 ;;
  esac
done

build=build
[ -x "$build/keel" ] && [ -x "$build/keel-admin" ] || {
  echo "build keel and keel-admin first (tools/run or cmake --build build)" >&2
  exit 1
}
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

password=healthz-bench-password
"$build/keel-admin" --data-dir "$tmp/data" seed --count "$users" --password "$password" >/dev/null
taskset -c 0 "$build/keel" --threads 1 --port 0 --data-dir "$tmp/data" --log-level warn \
  --login-max-failures-account 0 --login-max-failures-address 0 "$@" >"$tmp/keel.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q 'listening on' "$tmp/keel.out" && break; sleep 0.1; done
port=$(grep -o 'listening on http://[^ ]*' "$tmp/keel.out" | sed 's/.*://')
url="http://127.0.0.1:$port"

# p99 in microseconds from wrk's --latency table ("99%  1.23ms").
p99() {
  awk '$1 == "99%" {
         v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v)
         f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : 1
         printf "%.0f\n", v * f }' "$1"
}

printf "%-6s %14s %14s %8s %12s\n" round "idle p99 us" "flood p99 us" ratio "logins/s"
ratios=()
for r in $(seq "$rounds"); do
  taskset -c 1 wrk -t1 -c4 -d"${duration}s" --latency "$url/healthz" >"$tmp/idle.txt"
  taskset -c 1 wrk -t1 -c16 -d"$((duration + 2))s" --timeout 30s -s bench/load/login.lua \
    "$url" -- "$users" "$password" >"$tmp/flood.txt" 2>&1 &
  flood=$!
  sleep 1
  taskset -c 1 wrk -t1 -c4 -d"${duration}s" --latency "$url/healthz" >"$tmp/busy.txt"
  wait "$flood"
  # Logins still queued when wrk stopped are hashed to the end: let them
  # finish before the next idle measurement.
  sleep 4
  a=$(p99 "$tmp/idle.txt")
  b=$(p99 "$tmp/busy.txt")
  logins=$(awk '/Requests\/sec/ {print $2}' "$tmp/flood.txt")
  ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
  ratios+=("$ratio")
  printf "%-6s %14s %14s %8s %12s\n" "$r" "$a" "$b" "$ratio" "$logins"
done
median=$(printf "%s\n" "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median ratio (flood p99 / idle p99): $median"
