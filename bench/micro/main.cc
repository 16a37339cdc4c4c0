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
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "core/log.h"

#ifndef KEEL_BENCH_BUILD_TYPE
#define KEEL_BENCH_BUILD_TYPE "unknown"
#endif

namespace {

using Run = benchmark::BenchmarkReporter::Run;

// Google Benchmark's "cv" aggregate is stddev / mean. For a counter that is
// 0 in every repetition (allocs_per_iter of a loop that never allocates)
// that is 0 / 0: the console printed "-nan%" and the JSON file NaN, which
// strict JSON readers refuse. Repetitions that are all equal vary by 0%,
// and a NaN can only come from a zero mean of counts that are never
// negative, so 0 is what gets reported.
template <typename Base>
class FiniteCvReporter : public Base {
 public:
  using Base::Base;

  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> fixed = runs;
    for (Run& run : fixed) {
      if (run.run_type != Run::RT_Aggregate || run.aggregate_name != "cv") continue;
      for (auto& [name, counter] : run.counters) {
        if (std::isnan(counter.value)) counter.value = 0;
      }
    }
    Base::ReportRuns(fixed);
  }
};

// The value of "--NAME=VALUE" in argv, or nullptr. Google Benchmark takes
// its flags only in that form. Read before benchmark::Initialize, which
// removes the flags it knows from argv.
const char* FlagValue(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() > name.size() + 3 && arg.starts_with("--") && arg.substr(2).starts_with(name) &&
        arg[2 + name.size()] == '=') {
      return argv[i] + 3 + name.size();
    }
  }
  return nullptr;
}

bool FlagIs(const char* value, const char* wanted) {
  return value == nullptr || std::strcmp(value, wanted) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Info lines (a store opening, say) would land in the middle of the table.
  keel::core::SetLogLevel(keel::core::LogLevel::kWarn);
  // Our reporters replace the library's defaults only where they would be
  // the same: the console table with the default console options, and a
  // JSON --benchmark_out file. Any other choice gets the library's own.
  std::unique_ptr<benchmark::BenchmarkReporter> display;
  std::unique_ptr<benchmark::BenchmarkReporter> file;
  if (FlagIs(FlagValue(argc, argv, "benchmark_format"), "console") &&
      FlagValue(argc, argv, "benchmark_color") == nullptr &&
      FlagValue(argc, argv, "benchmark_counters_tabular") == nullptr) {
    using Console = benchmark::ConsoleReporter;
    display = std::make_unique<FiniteCvReporter<Console>>(
        ::isatty(STDOUT_FILENO) ? Console::OO_Color : Console::OO_None);
  }
  if (FlagValue(argc, argv, "benchmark_out") != nullptr &&
      FlagIs(FlagValue(argc, argv, "benchmark_out_format"), "json")) {
    file = std::make_unique<FiniteCvReporter<benchmark::JSONReporter>>();
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // The context's library_build_type describes libbenchmark (Debian builds
  // it without a CMake build type, so it reads "debug"), not Keel: record
  // how Keel's own code was compiled next to it.
  benchmark::AddCustomContext("keel_build_type", KEEL_BENCH_BUILD_TYPE);
  // A --benchmark_filter that matches nothing is a mistake, not a result.
  size_t ran = benchmark::RunSpecifiedBenchmarks(display.get(), file.get());
  benchmark::Shutdown();
  return ran == 0 ? 1 : 0;
}
