#!/usr/bin/env bash
# Builds Keel's Google Benchmark microbenchmarks (bench/micro/) in Release and
# runs them, writing Google Benchmark's JSON to a file and its table to stdout.
#
# Usage: bench/micro/run.sh [--out FILE] [--filter REGEX] [--min-time S] [--repetitions N]
#   --out FILE       where the JSON goes (default: out/micro-<date>.json at the
#                    top of the tree); a relative FILE is relative to the current
#                    directory
#   --filter REGEX   run only the benchmarks whose name matches (e.g. 'Parse|Router')
#   --min-time S     minimum seconds per benchmark (Google Benchmark's default: 0.5);
#                    the argon2id benchmarks always run 3 iterations
#   --repetitions N  run each benchmark N times; every repetition is in the JSON,
#                    followed by its mean, median, stddev and cv
#   -h, --help       this text
# `tools/bench micro ...` runs this script. Environment: KEEL_BUILD_DIR (default
# build/), CMAKE_BUILD_PARALLEL_LEVEL (default: the number of cores) for the
# build, which says so on stderr when it is not up to date; TMPDIR
# for the LMDB stores (fsync costs nothing on tmpfs: use a disk for the sync:full
# numbers); KEEL_ARGON2_OPS and KEEL_ARGON2_MEM_KIB set the argon2id cost, as for keel.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
# shellcheck source=tools/lib/build.sh
. "$root/tools/lib/build.sh"

die() {
  echo "bench/micro/run.sh: $*" >&2
  exit 2
}

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

out=""
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
    --out) out="$value" ;;
    --filter) flags+=("--benchmark_filter=$value") ;;
    --min-time)
      [[ "$value" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || die "--min-time takes seconds, e.g. 0.5 (got '$value')"
      # Google Benchmark 1.7.1 reads a plain number of seconds.
      flags+=("--benchmark_min_time=$value") ;;
    --repetitions)
      [[ "$value" =~ ^[1-9][0-9]*$ ]] || die "--repetitions takes a positive integer (got '$value')"
      # Aggregates only would drop the individual runs that comparisons need.
      flags+=("--benchmark_repetitions=$value" "--benchmark_report_aggregates_only=false") ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

build="${KEEL_BUILD_DIR:-$root/build}"
if [ -z "$out" ]; then
  out="$root/out/micro-$(date +%Y%m%d-%H%M%S).json"
fi
mkdir -p "$(dirname "$out")"

"$root/tools/deps"
# Release always: numbers from an unoptimised build mean nothing.
keel_build "$root" "$build" keel_micro_bench keel_micro_bench -- -DKEEL_BUILD_BENCH=ON || exit 1

"$build/keel_micro_bench" "${flags[@]}" \
  --benchmark_out="$out" --benchmark_out_format=json --benchmark_format=console
echo "bench/micro/run.sh: wrote $out"
