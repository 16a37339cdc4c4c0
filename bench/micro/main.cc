// keel_micro_bench: Keel's Google Benchmark microbenchmarks.
//
// Each *_bench.cc file registers the benchmarks of one area (parser,
// router, JSON, response, storage, auth); this file runs them with Google
// Benchmark's own flags (--benchmark_filter, --benchmark_out, ...).
// bench/micro/run.sh builds the binary in Release and translates
// `tools/bench micro` options into those flags.
//
// Benchmarks that need files (the LMDB stores) make them under $TMPDIR and
// remove them when the process exits normally.
#include <benchmark/benchmark.h>

#include "core/log.h"

#ifndef KEEL_BENCH_BUILD_TYPE
#define KEEL_BENCH_BUILD_TYPE "unknown"
#endif

int main(int argc, char** argv) {
  // Info lines (a store opening, say) would land in the middle of the table.
  keel::core::SetLogLevel(keel::core::LogLevel::kWarn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The context's library_build_type describes libbenchmark (Debian builds
  // it without a CMake build type, so it reads "debug"), not Keel: record
  // how Keel's own code was compiled next to it.
  benchmark::AddCustomContext("keel_build_type", KEEL_BENCH_BUILD_TYPE);
  // A --benchmark_filter that matches nothing is a mistake, not a result.
  size_t ran = benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return ran == 0 ? 1 : 0;
}
