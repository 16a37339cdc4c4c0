#!/usr/bin/env bash
# Measures keel's engine against nginx on this machine, same session, same
# load, so every keel number comes with its reference.
#
# Usage: bench/engine/compare_nginx.sh [options]
#   --rounds N         rounds per scenario (default 5); keel and nginx alternate
#                      within a round, and which goes first alternates too
#   --duration S       seconds per wrk run (default 10)
#   --connections N    wrk connections (default 64)
#   --depth N          requests per write in the pipeline scenario (default 16)
#   --scenarios LIST   comma list of plaintext,json,pipeline,threads2,idle
#                      (default plaintext,json,pipeline)
#   --threads2         also run threads2: keel --threads 2 and wrk -t2, both
#                      unpinned, against keel --threads 1 pinned
#   --idle [N]         also run idle: memory (VmRSS) per idle keep-alive
#                      connection with N connections (default 10000)
#   --no-build         use build/keel as it is instead of building it
#   --keel PATH        measure this keel binary instead (implies --no-build),
#                      e.g. an older build kept for comparison
#   --out DIR          where raw results go (default out/engine-<date> at the top
#                      of the checkout; a relative DIR is relative to the current
#                      directory, as is --keel PATH)
#
# Both servers run one worker pinned to CPU 0 (taskset -c 0); wrk runs on
# CPU 1 with one thread. Besides requests per second, it reads each server's
# utime+stime from /proc/<pid>/stat around every run and reports requests per
# CPU-second, which is less sensitive to a busy machine. Ratios are keel/nginx:
# above 1 means keel did better. Everything listens on 127.0.0.1 only, every
# run is bounded, and every process started here is stopped on exit.
set -euo pipefail
# No cd: --keel and --out are relative to the caller's directory.
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/lib/build.sh
. "$root/tools/lib/build.sh"

die() {
  echo "compare_nginx.sh: $*" >&2
  exit 1
}

rounds=5
duration=10
connections=64
depth=16
scenarios="plaintext,json,pipeline"
extra=""
idle_count=10000
build=1
keel_bin=""
out=""

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds|--duration|--connections|--depth)
      if [ $# -lt 2 ] || ! is_count "$2"; then die "$1 needs a positive integer"; fi
      declare "${1#--}=$2"
      shift 2 ;;
    --scenarios)
      [ $# -ge 2 ] || die "--scenarios needs a list"
      scenarios="$2"
      shift 2 ;;
    --threads2) extra+=",threads2"; shift ;;
    --idle)
      extra+=",idle"
      if [ $# -ge 2 ] && is_count "$2"; then
        idle_count="$2"
        shift
      fi
      shift ;;
    --no-build) build=0; shift ;;
    --keel)
      [ $# -ge 2 ] || die "--keel needs a path"
      keel_bin="$(realpath "$2")"
      build=0
      shift 2 ;;
    --out)
      [ $# -ge 2 ] || die "--out needs a directory"
      out="$2"
      shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
done

# The selected scenarios, idle first: it wants servers whose memory has not
# yet been grown by load.
want() { [[ ",$scenarios$extra," == *",$1,"* ]]; }
IFS=',' read -r -a listed <<<"$scenarios$extra"
for s in "${listed[@]}"; do
  case "$s" in
    plaintext|json|pipeline|threads2|idle|"") ;;
    *) die "unknown scenario '$s' (plaintext,json,pipeline,threads2,idle)" ;;
  esac
done
order=()
for s in idle plaintext json pipeline threads2; do
  if want "$s"; then order+=("$s"); fi
done
[ ${#order[@]} -gt 0 ] || die "no scenario selected"

for tool in wrk nginx taskset curl python3 getconf timeout; do
  command -v "$tool" >/dev/null || die "$tool not found (run tools/deps)"
done
[ "$(nproc)" -ge 2 ] || die "needs at least 2 CPUs (servers on CPU 0, wrk on CPU 1)"

if [ "$build" -eq 1 ]; then
  "$root/tools/deps"
  keel_build "$root" "$root/build" keel keel || exit 1
fi
keel_bin="${keel_bin:-$root/build/keel}"
[ -x "$keel_bin" ] || die "$keel_bin missing or not executable"

# Idle connections need file descriptors on both ends.
hard_nofile="$(ulimit -Hn)"
[ "$hard_nofile" = unlimited ] && hard_nofile=1048576
ulimit -n "$hard_nofile"
if want idle && [ "$idle_count" -gt $((hard_nofile - 256)) ]; then
  die "--idle $idle_count needs more file descriptors than the hard limit $hard_nofile allows"
fi

clk_tck="$(getconf CLK_TCK)"
tmp="$(mktemp -d /tmp/keel-bench.XXXXXX)"
out="${out:-$root/out/engine-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$out"
results="$out/runs.tsv"
printf 'scenario\tround\tserver\tjson\tcpu_ticks\n' >"$results"

started=()  # every server PID started here

# stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop_pid() {
  local pid="$1" _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_http NAME PID URL LOG: until URL answers 2xx, or fail with the log.
wait_http() {
  local name="$1" pid="$2" url="$3" log="$4" _
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "$name exited during start (log above)"
    fi
    curl -fsS --max-time 1 -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$log" >&2 || true
  die "$name did not answer $url within 10 s"
}

# The PIDs whose CPU and memory count for a server: it and its children
# (nginx's master and its worker; keel is one process).
server_pids() {
  local children
  children="$(cat /proc/"$1"/task/*/children 2>/dev/null || true)"
  echo "$1" $children  # word splitting wanted: one PID per word
}

# cpu_ticks PID: utime+stime (fields 14 and 15 of /proc/<pid>/stat, in
# clock ticks) summed over the server's processes. The fields are counted
# after the ")" that ends the command name, which may contain spaces.
cpu_ticks() {
  local total=0 p stat
  for p in $(server_pids "$1"); do
    stat="$(cat /proc/"$p"/stat)" || die "process $p is gone"
    read -r -a f <<<"${stat##*) }"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# start_nginx: sets nginx_pid and nginx_port.
start_nginx() {
  nginx_port="$(free_port)"
  mkdir -p "$tmp/nginx"
  sed -e "s|@TMP@|$tmp/nginx|g" -e "s|@PORT@|$nginx_port|g" \
      -e "s|@NOFILE@|$hard_nofile|g" -e "s|@CONNECTIONS@|$((hard_nofile - 64))|g" \
      "$root/bench/engine/nginx.conf.template" >"$tmp/nginx/nginx.conf"
  taskset -c 0 nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" \
      -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx/stdout.log" 2>&1 &
  nginx_pid=$!
  started+=("$nginx_pid")
  wait_http nginx "$nginx_pid" "http://127.0.0.1:$nginx_port/plaintext" "$tmp/nginx/error.log"
}

# start_keel NAME THREADS PIN: sets keel_pid and keel_port. PIN is a CPU list
# for taskset, or "" for unpinned.
start_keel() {
  local name="$1" threads="$2" pin="$3" log="$tmp/$1.log"
  keel_port="$(free_port)"
  local cmd=("$keel_bin" --threads "$threads" --bench-endpoints --host 127.0.0.1
             --port "$keel_port" --data-dir "$tmp/data-$name" --log-level warn
             --max-connections $((idle_count + 1000)))
  if [ -n "$pin" ]; then cmd=(taskset -c "$pin" "${cmd[@]}"); fi
  "${cmd[@]}" >"$log" 2>&1 &
  keel_pid=$!
  started+=("$keel_pid")
  wait_http "$name" "$keel_pid" "http://127.0.0.1:$keel_port/plaintext" "$log"
  grep -q "listening on http://" "$log" ||
    echo "compare_nginx.sh: warning: $name did not print 'listening on http://...'" >&2
}

# check_endpoint NAME PORT PATH BODY: the body must match; prints Content-Type.
check_endpoint() {
  local name="$1" port="$2" path="$3" want_body="$4" headers body
  headers="$(curl -fsS --max-time 2 -D - -o "$tmp/body" "http://127.0.0.1:$port$path")" ||
    die "$name: GET $path failed"
  body="$(cat "$tmp/body")"
  [ "$body" = "$want_body" ] || die "$name: GET $path answered '$body', want '$want_body'"
  printf '  %-6s GET %-10s %s\n' "$name" "$path" \
    "$(grep -i '^content-type:' <<<"$headers" | tr -d '\r')"
}

# run_wrk SCENARIO ROUND NAME PID PORT: one wrk run, recorded in runs.tsv.
run_wrk() {
  local scenario="$1" round="$2" name="$3" pid="$4" port="$5"
  local json="$out/$scenario-$name-r$round.json" log="$out/$scenario-$name-r$round.txt"
  local wrk=(taskset -c 1 wrk -t1) path=/plaintext script="$root/bench/load/json_done.lua"
  local args=()
  case "$scenario" in
    json) path=/json ;;
    pipeline) script="$root/bench/load/pipeline.lua"; args=(-- "$depth") ;;
    threads2) if [ "$name" = keel2 ]; then wrk=(wrk -t2); fi ;;
  esac
  local before after
  before="$(cpu_ticks "$pid")"
  WRK_JSON_OUT="$json" timeout $((duration + 30)) "${wrk[@]}" -c"$connections" \
      -d"${duration}s" --latency -s "$script" "http://127.0.0.1:$port$path" "${args[@]}" \
      >"$log" 2>&1 || { cat "$log" >&2; die "wrk failed: $scenario $name round $round"; }
  after="$(cpu_ticks "$pid")"
  [ -s "$json" ] || die "wrk wrote no results to $json (see $log)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$round" "$name" "$json" $((after - before)) \
    >>"$results"
  printf '  %-9s round %d %-6s %s req/s\n' "$scenario" "$round" "$name" \
    "$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["requests_per_sec"]))' "$json")"
}

run_idle() {
  local name="$1" pid="$2" port="$3" pids=() p
  for p in $(server_pids "$pid"); do pids+=(--pid "$p"); done
  python3 "$root/bench/engine/idle_conns.py" --port "$port" "${pids[@]}" --count "$idle_count" \
      --path /plaintext >"$out/idle-$name.json" || die "idle measurement failed for $name"
  printf '  idle %-6s %s\n' "$name" "$(cat "$out/idle-$name.json")"
  sleep 1  # let the server finish closing them before the next measurement
}

{
  echo "keel vs nginx, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "  keel:  $("$keel_bin" --version 2>&1 | head -n 1) ($keel_bin)"
  echo "  nginx: $(nginx -v 2>&1)"
  echo "  wrk:   $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
  echo "  cpu:   $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "  load:  $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min; other work skews the numbers)"
  settings="rounds $rounds, ${duration}s, $connections connections"
  # Only the settings of scenarios that run.
  if want pipeline; then settings+=", pipeline depth $depth"; fi
  if want idle; then settings+=", idle $idle_count connections"; fi
  echo "  runs:  ${order[*]}; $settings"
} | tee "$out/environment.txt"

start_nginx
start_keel keel 1 0
keel1_pid="$keel_pid"
keel1_port="$keel_port"
echo "servers: keel pid $keel1_pid port $keel1_port; nginx pid $nginx_pid port $nginx_port"
for pair in "keel $keel1_port" "nginx $nginx_port"; do
  read -r name port <<<"$pair"
  check_endpoint "$name" "$port" /plaintext 'Hello, World!'
  check_endpoint "$name" "$port" /json '{"message":"Hello, World!"}'
done

for scenario in "${order[@]}"; do
  case "$scenario" in
    idle)
      run_idle keel "$keel1_pid" "$keel1_port"
      run_idle nginx "$nginx_pid" "$nginx_port" ;;
    threads2)
      start_keel keel2 2 ""
      for round in $(seq "$rounds"); do
        run_wrk threads2 "$round" keel "$keel1_pid" "$keel1_port"
        run_wrk threads2 "$round" keel2 "$keel_pid" "$keel_port"
      done
      stop_pid "$keel_pid" ;;
    *)
      for round in $(seq "$rounds"); do
        if [ $((round % 2)) -eq 1 ]; then
          run_wrk "$scenario" "$round" keel "$keel1_pid" "$keel1_port"
          run_wrk "$scenario" "$round" nginx "$nginx_pid" "$nginx_port"
        else
          run_wrk "$scenario" "$round" nginx "$nginx_pid" "$nginx_port"
          run_wrk "$scenario" "$round" keel "$keel1_pid" "$keel1_port"
        fi
      done ;;
  esac
done

# The tables: per round both servers' req/s and req per CPU-second, the
# ratios, and the median of the per-round ratios.
report() {
  python3 - "$results" "$clk_tck" "$out" <<'EOF'
import csv, json, os, statistics, sys

results, clk_tck, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for row in csv.DictReader(open(results), delimiter="\t"):
    data = json.load(open(row["json"]))
    ticks = int(row["cpu_ticks"])
    cpu_s = ticks / clk_tck
    # Socket errors, and answers outside 2xx (json_done.lua's non_2xx; wrk's
    # own count of statuses >= 400 in files from before it was never null).
    errors = sum(v for k, v in data["errors"].items() if k != "status")
    non_2xx = data.get("non_2xx")
    if non_2xx is None:
        non_2xx = data["errors"].get("status", 0)
    runs.setdefault(row["scenario"], {}).setdefault(int(row["round"]), {})[row["server"]] = {
        "rps": data["requests_per_sec"],
        "per_cpu": data["requests"] / cpu_s if ticks else float("nan"),
        "p99": data["latency_us"]["p99"],
        "errors": errors,
        "non_2xx": non_2xx,
    }

def ms(latency_us):
    # Latency in ms, as tools/bench load and compare show it.
    return "n/a" if latency_us is None else f"{latency_us / 1000:.2f}"

def table(scenario, a, b, title):
    rounds = runs.get(scenario)
    if not rounds:
        return
    print(f"\n{scenario}: {title}")
    head = (f"{'round':>5} {a + ' rps':>12} {b + ' rps':>12} {'ratio':>6}"
            f" {a + ' req/cpu-s':>17} {b + ' req/cpu-s':>17} {'ratio':>6}"
            f" {a + ' p99 ms':>12} {b + ' p99 ms':>12}")
    print(head)
    rps_ratios, cpu_ratios, errors, non_2xx = [], [], 0, 0
    for r in sorted(rounds):
        x, y = rounds[r][a], rounds[r][b]
        rr = x["rps"] / y["rps"] if y["rps"] else float("nan")
        cr = x["per_cpu"] / y["per_cpu"] if y["per_cpu"] else float("nan")
        rps_ratios.append(rr)
        cpu_ratios.append(cr)
        errors += x["errors"] + y["errors"]
        non_2xx += x["non_2xx"] + y["non_2xx"]
        print(f"{r:>5} {x['rps']:>12.0f} {y['rps']:>12.0f} {rr:>6.2f}"
              f" {x['per_cpu']:>17.0f} {y['per_cpu']:>17.0f} {cr:>6.2f}"
              f" {ms(x['p99']):>12} {ms(y['p99']):>12}")
    print(f"{'median':>5} {'':>12} {'':>12} {statistics.median(rps_ratios):>6.2f}"
          f" {'':>17} {'':>17} {statistics.median(cpu_ratios):>6.2f}")
    if errors or non_2xx:
        print(f"WARNING: {non_2xx} non-2xx answers and {errors} socket errors"
              f" (connect/read/write/timeout): the ratios are not results;"
              f" see {out}/{scenario}-*.json")

for scenario in ("plaintext", "json", "pipeline"):
    table(scenario, "keel", "nginx", "ratios are keel/nginx, both on one pinned CPU")
table("threads2", "keel2", "keel",
      "keel --threads 2 + wrk -t2 unpinned vs keel --threads 1 pinned (ratio keel2/keel)")

idle = {}
for name in ("keel", "nginx"):
    path = os.path.join(out, f"idle-{name}.json")
    if os.path.exists(path):
        idle[name] = json.load(open(path))
if idle:
    print("\nidle: VmRSS growth per idle keep-alive connection (after one request each)")
    for name, d in idle.items():
        print(f"  {name:<6} {d['kb_per_connection']:>8.2f} KB/conn  "
              f"({d['connections']} conns, {d['rss_before_kb']} -> {d['rss_after_kb']} kB)")
    print("  (nginx preallocates its connection table at start, so part of its cost"
          " is already in the 'before' figure)")
EOF
}

report | tee "$out/report.txt"
echo "raw results: $out"
