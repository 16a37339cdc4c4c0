#!/usr/bin/env bash
# Builds Keel's Google Benchmark microbenchmarks (bench/micro/) in Release and
# runs them, writing Google Benchmark's JSON to a file and its table to stdout.
#
# Usage: tools/bench micro [--out FILE] [--filter REGEX] [--min-time S] [--repetitions N]
#        tools/bench micro --list [--filter REGEX]
#   --out FILE       where the JSON goes (default: out/micro-<date>.json at the
#                    top of the tree); a relative FILE is relative to the current
#                    directory. The file appears only when the run succeeds: a
#                    failed run (a --filter that matches nothing, say) writes nothing
#   --filter REGEX   run only the benchmarks whose name matches (e.g. 'Parse|Router')
#   --min-time S     minimum seconds per benchmark (Google Benchmark's default: 0.5);
#                    the argon2id benchmarks always run 3 iterations
#   --repetitions N  run each benchmark N times; every repetition is in the JSON,
#                    followed by its mean, median, stddev and cv
#   --list           print the benchmark names (those --filter matches) and exit
#   --no-build       use the keel_micro_bench already built, as it is
#   -h, --help       this text
# Environment: KEEL_BUILD_DIR (default build/) and CMAKE_BUILD_PARALLEL_LEVEL
# (default: the number of cores) for the build; TMPDIR for the LMDB stores
# (fsync costs nothing on tmpfs: use a disk for the sync:full numbers);
# KEEL_ARGON2_OPS and KEEL_ARGON2_MEM_KIB set the argon2id cost, as for keel.
# Exit status: 0 done, 1 the build or the run failed, 2 bad arguments.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/lib/build.sh
. "$root/tools/lib/build.sh"

prog="tools/bench micro"

die() {
  echo "$prog: $*" >&2
  exit 2
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

out=""
filter=""
list=0
build_first=1
flags=()
while [ $# -gt 0 ]; do
  arg="$1"
  shift
  # --name=value is accepted as well as --name value.
  value=""
  case "$arg" in
    --*=*) value="${arg#*=}"; arg="${arg%%=*}" ;;
    --out|--filter|--min-time|--repetitions)
      [ $# -gt 0 ] || die "$arg needs a value"
      value="$1"
      shift ;;
  esac
  case "$arg" in
    --out)
      [ -n "$value" ] || die "--out needs a file name"
      out="$value" ;;
    --filter) filter="$value"; flags+=("--benchmark_filter=$value") ;;
    --min-time)
      [[ "$value" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || die "--min-time takes seconds, e.g. 0.5 (got '$value')"
      # Google Benchmark 1.7.1 reads a plain number of seconds.
      flags+=("--benchmark_min_time=$value") ;;
    --repetitions)
      [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "--repetitions takes a positive integer (got '$value')"
      # Aggregates only would drop the individual runs that comparisons need.
      flags+=("--benchmark_repetitions=$value" "--benchmark_report_aggregates_only=false") ;;
    --list) list=1 ;;
    --no-build) build_first=0 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$arg' (try $prog --help)" ;;
  esac
done

build="${KEEL_BUILD_DIR:-$root/build}"
bench="$build/keel_micro_bench"
if [ "$build_first" -eq 1 ]; then
  "$root/tools/deps"
  # Release always: numbers from an unoptimised build mean nothing.
  keel_build "$root" "$build" keel_micro_bench keel_micro_bench -- -DKEEL_BUILD_BENCH=ON || exit 1
fi
[ -x "$bench" ] || { echo "$prog: $bench is not built" >&2; exit 1; }

no_match() {
  echo "$prog: no benchmark matches --filter '$filter'; '$prog --list' shows them all" >&2
  exit 1
}

if [ "$list" -eq 1 ]; then
  "$bench" "${flags[@]}" --benchmark_list_tests=true 2>/dev/null || no_match
  exit 0
fi

if [ -z "$out" ]; then
  out="$root/out/micro-$(date +%Y%m%d-%H%M%S).json"
fi
# Google Benchmark creates its --benchmark_out file before it knows whether
# anything will run, so it writes to a temporary file that becomes FILE
# only after a successful run.
tmp="$(mktemp "${TMPDIR:-/tmp}/keel-micro.XXXXXX.json")"
trap 'rm -f "$tmp"' EXIT
code=0
"$bench" "${flags[@]}" --benchmark_out="$tmp" --benchmark_out_format=json \
  --benchmark_format=console || code=$?
if [ "$code" -ne 0 ]; then
  if [ -n "$filter" ] && ! "$bench" --benchmark_filter="$filter" --benchmark_list_tests=true \
      >/dev/null 2>&1; then
    no_match
  fi
  echo "$prog: keel_micro_bench failed (exit $code); nothing written to $out" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
mv -f "$tmp" "$out"
trap - EXIT
echo "$prog: wrote $out"
