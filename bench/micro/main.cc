// keel_micro_bench: Keel's Google Benchmark microbenchmarks.
//
// Each *_bench.cc file registers the benchmarks of one area (parser,
// router, JSON, response, storage, auth); this file only runs them, with
// Google Benchmark's own flags (--benchmark_filter, --benchmark_out, ...).
// bench/micro/run.sh builds the binary in Release and translates
// `tools/bench micro` options into those flags.
//
// Benchmarks that need files (the LMDB stores) make them under $TMPDIR and
// remove them when the process exits normally.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
